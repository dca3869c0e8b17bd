import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHashedEmbedder, createOfflineEmbedder, loadWordVectors, readWordVectorsShape, SHIPPED_WORD_VECTORS } from '../../memory/index.ts';

const offline = createOfflineEmbedder({ dims: 384 });
const hashed = createHashedEmbedder({ dims: 384 });
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

// Question, a record that answers it in other words, a record about something else.
const TRIPLES = [
  ['Was the parcel delayed?', 'The shipment arrived late.', 'We offered them a discount.'],
  ['Does she want a refund?', 'She asked for her money back.', 'The meeting is on Thursday.'],
  ['When do we meet?', 'Appointment scheduled for Tuesday morning.', 'The invoice is still unpaid.'],
  ['Is the supplier raising prices?', 'The vendor will charge more from next month.', 'The customer moved to a new office.'],
  ['Did the customer relocate?', 'They moved to a new building downtown.', 'They ordered forty mugs.'],
  ['Has the bill been paid?', 'The invoice was settled by bank transfer yesterday.', 'The lamp arrived broken.'],
  ['Were the goods held up in transit?', 'The courier brought the parcel four days late.', 'They ordered forty mugs.'],
  ['Is the product faulty?', 'The lamp stopped working after a week.', 'Their subscription renews in May.'],
];
const ordered = async (e: typeof offline) => {
  let right = 0;
  for (const [q, pos, neg] of TRIPLES) {
    const [a, b, c] = await e.embed([q, pos, neg]);
    if (cos(a, b) > cos(a, c)) right++;
  }
  return right;
};

describe('offline embedder (hashed features + shipped word vectors)', () => {
  it('loads the shipped vectors and names its vector space after both parts', () => {
    // How long loading takes is measured by bench/embedder-speed.ts, not asserted here.
    const wv = loadWordVectors(SHIPPED_WORD_VECTORS);
    expect(wv.size).toBe(50_000);
    expect(wv.dims).toBe(100);
    expect(wv.rank('the')).toBe(0);
    expect(wv.rank('invoice')).toBeGreaterThan(0);
    expect(wv.rank('zzqxv')).toBeUndefined();
    expect(offline.id).toBe('hashed-v2-384+glove100-50k');
    expect(offline.dims).toBe(484);
    expect(offline.local).toBe(true);
  });

  it('is deterministic and unit length; a text with no known English word is the hashed vector alone', async () => {
    const [a, b] = await offline.embed(['Invoice 2026-114 for 40 reams of paper', 'Invoice 2026-114 for 40 reams of paper']);
    expect(a).toEqual(b);
    expect(a).toHaveLength(484);
    expect(cos(a, a)).toBeCloseTo(1, 6);
    const [name] = await offline.embed(['Grzegorz Brzęczyszczykiewicz']);
    const [h] = await hashed.embed(['Grzegorz Brzęczyszczykiewicz']);
    expect(name.slice(0, 384)).toEqual(h);
    expect(name.slice(384).every((x) => x === 0)).toBe(true);
  });

  it('puts a record that answers a question in other words nearer than one about something else', async () => {
    expect(await ordered(offline)).toBe(TRIPLES.length);
    // The word vectors are what does it: the wording features alone miss some of these.
    expect(await ordered(hashed)).toBeLessThan(TRIPLES.length);
  });

  it('refuses a damaged vector file with a message that says how to rebuild it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wv-'));
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'not a vector file');
    expect(() => loadWordVectors(bad)).toThrow(/not a word-vector file.*scripts\/build-word-vectors\.ts/);
    const cut = join(dir, 'cut.bin');
    const full = readFileSync(SHIPPED_WORD_VECTORS);
    writeFileSync(cut, full.subarray(0, full.length - 100_000));
    expect(() => loadWordVectors(cut)).toThrow(/damaged, rebuild it/);
  });

  it('reads only the header until the first text: the id and size come from it and match the loaded table', async () => {
    const shape = readWordVectorsShape(SHIPPED_WORD_VECTORS);
    const wv = loadWordVectors(SHIPPED_WORD_VECTORS);
    expect(shape).toEqual({ id: wv.id, dims: wv.dims, size: wv.size });
    expect(offline.id).toBe(`${hashed.id}+${wv.id}`);
    expect(offline.dims).toBe(hashed.dims + wv.dims);
    expect((await offline.embed(['parcel delayed']))[0]).toHaveLength(offline.dims);
    const dir = mkdtempSync(join(tmpdir(), 'wv-'));
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'not a vector file');
    expect(() => readWordVectorsShape(bad)).toThrow(/not a word-vector file.*scripts\/build-word-vectors\.ts/);
    writeFileSync(bad, 'CWV');
    expect(() => readWordVectorsShape(bad)).toThrow(/not a word-vector file/);
  });
});
