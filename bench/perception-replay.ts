/**
 * Re-scores the semantic layer on words dumped by `bench/perception-real-eval.ts --dump <dir>` (dev split only),
 * without running OCR again: for tuning field selection quickly and cheaply.
 *   npx tsx bench/perception-replay.ts --manifest <set>/manifest.json --dump <dir> [--file sroie-126] [--lines]
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { extractInvoiceFields } from '../perception/semantic/fields.ts';
import { buildLines } from '../perception/semantic/layout.ts';
import type { Word } from '../perception/result.schema.ts';
import { decideDocType } from '../perception/semantic/doc-type.ts';
import { contentAspect, isMonospace, wordsToText } from '../perception/semantic/page-shape.ts';

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const FIELDS = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total'] as const;
const squash = (s: unknown): string => String(s ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
function same(f: string, want: unknown, got: unknown): boolean {
  if (f === 'vendor') return Array.isArray(want) && want.some((v) => squash(v) === squash(got));
  if (f === 'subtotal' || f === 'tax' || f === 'total') return typeof got === 'number' && Math.abs(got - Number(want)) < 0.005;
  if (f === 'number') return squash(got) === squash(want);
  return want === got;
}

const manifest = arg('manifest')!;
const dump = arg('dump')!;
const docs = (JSON.parse(readFileSync(manifest, 'utf8')) as { docs: { file: string; split: string; class: string; expected: Record<string, unknown> | null }[] }).docs.filter((d) => d.split === 'dev');
let typeOk = 0;
let typeN = 0;
const hits: Record<string, [number, number]> = Object.fromEntries(FIELDS.map((f) => [f, [0, 0]]));
let flagged = 0;
for (const d of docs) {
  if (arg('file') && !d.file.includes(arg('file')!)) continue;
  const path = join(dump, `${d.file.replace(/[^\w.-]+/g, '_')}.json`);
  if (!existsSync(path)) continue;
  const data = JSON.parse(readFileSync(path, 'utf8')) as { docType: { vit: Parameters<typeof decideDocType>[0]['vit'] }; pages: { width: number; height: number; words: Word[] }[] };
  const words = data.pages.flatMap((p) => p.words);
  const p0 = data.pages[0];
  const firstWords = words.filter((w) => w.box.page === 0);
  const type = decideDocType({
    vit: data.docType.vit,
    text: data.pages.map((p) => wordsToText(p.words)).join('\n\f\n'),
    topText: firstWords.filter((w) => w.box.y < p0.height * 0.3).map((w) => w.text).join(' '),
    words: words.length,
    aspect: contentAspect(firstWords, p0.width, p0.height),
    monospace: isMonospace(firstWords),
  });
  typeN++;
  if (type.value === d.class) typeOk++;
  else console.log(`${d.file}: type ${type.value} (want ${d.class}) by ${type.decidedBy.join('+')}`);
  if (!d.expected) continue;
  if (arg('lines') !== undefined || process.argv.includes('--lines')) for (const l of buildLines(words)) console.log(`  ${l.index} y=${Math.round(l.box.y)} h=${Math.round(l.height)} | ${l.segments.map((s) => s.text).join(' || ')}`);
  const r = extractInvoiceFields({ words, pageHeights: data.pages.map((p) => p.height) });
  for (const f of FIELDS) {
    const want = d.expected[f];
    if (want === null || want === undefined) continue;
    const ok = same(f, want, r[f].value);
    hits[f][0] += ok ? 1 : 0;
    hits[f][1]++;
    if (!ok) console.log(`${d.file}: ${f} = ${JSON.stringify(r[f].value)} want ${JSON.stringify(want)}  [${r[f].reasons.join('; ').slice(0, 120)}]`);
  }
  if (d.expected.consistent === true && r.checks.some((c) => c.passed === false)) {
    flagged++;
    console.log(`${d.file}: flagged ${r.checks.filter((c) => c.passed === false).map((c) => c.detail).join('; ')}`);
  }
}
for (const f of FIELDS) console.log(`${f.padEnd(10)} ${hits[f][0]}/${hits[f][1]}`);
console.log(`false inconsistent: ${flagged}`);
console.log(`doc type: ${typeOk}/${typeN}`);
