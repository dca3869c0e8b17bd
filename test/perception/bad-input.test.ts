import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createPerception, isPerceptionError, PerceptionError, PerceptionResultSchema, type PerceptionErrorCode } from '../../perception/index.ts';
import { sniffType } from '../../perception/intake/sniff.ts';

const BAD = 'test/fixtures/perception/bad';
const perception = createPerception({ ocrWorkers: 1 });
afterAll(() => perception.close());

async function codeOf(p: Promise<unknown>): Promise<{ code: PerceptionErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(isPerceptionError(e)).toBe(true);
    const err = e as PerceptionError;
    // Operator-facing: one readable sentence, no stack frames or library internals.
    expect(err.message).not.toMatch(/\n|at .*\.(ts|js|mjs):\d+/);
    return { code: err.code, message: err.message };
  }
  throw new Error('expected a PerceptionError');
}

describe('type sniffing', () => {
  it('identifies formats from magic bytes, not names', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
    expect(sniffType(png)).toEqual({ kind: 'image', mimeType: 'image/png' });
    expect(sniffType(await sharp(png).jpeg().toBuffer()).mimeType).toBe('image/jpeg');
    expect(sniffType(await sharp(png).webp().toBuffer()).mimeType).toBe('image/webp');
    expect(sniffType(await sharp(png).tiff().toBuffer()).mimeType).toBe('image/tiff');
    expect(sniffType(Buffer.from('junk\n%PDF-1.7\n'))).toEqual({ kind: 'pdf', mimeType: 'application/pdf' });
  });

  it('names what it recognises but does not accept', () => {
    expect(() => sniffType(readFileSync(join(BAD, 'animation.gif')))).toThrow(/GIF image/);
    expect(() => sniffType(readFileSync(join(BAD, 'notes.txt')))).toThrow(/text file/);
  });
});

describe('bad input gives a clear error, never a crash', () => {
  it.each([
    ['empty.pdf', 'empty'],
    ['truncated.pdf', 'corrupt'],
    ['garbage.pdf', 'corrupt'],
    ['truncated.jpg', 'corrupt'],
    ['encrypted.pdf', 'encrypted'],
    ['animation.gif', 'unsupported_type'],
    ['notes.txt', 'unsupported_type'],
    ['many-pages-200.pdf', 'too_many_pages'],
  ] as const)('%s → %s', async (file, code) => {
    const r = await codeOf(perception.perceive({ path: join(BAD, file) }));
    expect(r.code).toBe(code);
  });

  it('refuses oversized files from their size, before reading them', async () => {
    const small = createPerception({ maxBytes: 10_000 });
    const dir = mkdtempSync(join(tmpdir(), 'coo-perc-'));
    const big = join(dir, 'big.pdf');
    writeFileSync(big, Buffer.alloc(50_000, 0x20));
    const r = await codeOf(small.perceive({ path: big }));
    expect(r.code).toBe('too_large');
    expect(r.message).toMatch(/limit is/);
    expect((await codeOf(small.perceive({ bytes: Buffer.alloc(20_000) }))).code).toBe('too_large');
    await small.close();
  });

  it('refuses images whose pixel count exceeds the cap, from the header', async () => {
    const capped = createPerception({ maxInputPixels: 1_000_000 });
    const png = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#fff' } }).png().toBuffer();
    expect((await codeOf(capped.perceive({ bytes: png }))).code).toBe('too_large');
    await capped.close();
  });

  it('reads only the first pages of a long PDF when told to truncate, with a warning', async () => {
    const t = createPerception({ maxPages: 2, pageOverflow: 'truncate', ocrWorkers: 1 });
    const r = await t.perceive({ path: join(BAD, 'many-pages-200.pdf') });
    expect(r.source).toMatchObject({ pages: 200, pagesProcessed: 2 });
    expect(r.warnings.join(' ')).toMatch(/first 2 of 200 pages/);
    await t.close();
  });

  it('says "not a document" for a blank image', async () => {
    const r = await perception.perceive({ path: join(BAD, 'blank.jpg') });
    expect(PerceptionResultSchema.parse(r)).toBeTruthy();
    expect(r.isDocument).toBe(false);
    expect(r.notDocumentReason).toMatch(/blank/);
    expect(r.invoice).toBeNull();
  });

  it('stops when the caller aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await codeOf(perception.perceive({ path: join(BAD, 'blank.jpg') }, { signal: ac.signal }))).code).toBe('aborted');
  });
});
