/**
 * Scores perception on the generated evaluation set (test/fixtures/perception/labels.json).
 *   npx tsx bench/perception-eval.ts [--filter 07-] [--json out.json]
 * Prints doc-type accuracy, "not a document" accuracy, and per-field exact-match accuracy over invoices and
 * receipts (vendor compared case- and space-insensitively, amounts to the cent, dates as ISO), then every miss.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPerception, perceptionConfigFromEnv, type PerceptionResult } from '../perception/index.ts';

const DIR = 'test/fixtures/perception';
const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

interface Label {
  file: string;
  docType: string;
  isDocument: boolean;
  lang: string | null;
  note: string;
  fields: null | Record<string, string | number | null>;
}

const FIELDS = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total', 'lineItems'] as const;
const KEY = ['vendor', 'number', 'issueDate', 'total', 'currency'];
const normVendor = (s: unknown): string => String(s ?? '').toLowerCase().replace(/\s+/g, ' ').replace(/[.,;:]+$/, '').trim();

function predicted(r: PerceptionResult, f: (typeof FIELDS)[number]): unknown {
  if (!r.invoice) return null;
  if (f === 'lineItems') return r.invoice.lineItems.length;
  return r.invoice[f].value;
}

function same(f: string, want: unknown, got: unknown): boolean {
  if (want === null || want === undefined) return got === null || got === undefined;
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(got - want) < 0.005;
  if (f === 'vendor') return normVendor(want) === normVendor(got);
  if (f === 'number') return String(got ?? '').toUpperCase() === String(want).toUpperCase();
  return want === got;
}

async function main(): Promise<void> {
  const labels = (JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')) as Label[]).filter((l) => !arg('filter') || l.file.includes(arg('filter')!));
  const p = createPerception(perceptionConfigFromEnv());
  let typeOk = 0;
  let docOk = 0;
  const hits: Record<string, [number, number]> = Object.fromEntries(FIELDS.map((f) => [f, [0, 0]]));
  const misses: string[] = [];
  const rows: unknown[] = [];
  const t0 = Date.now();
  for (const l of labels) {
    let r: PerceptionResult;
    try {
      r = await p.perceive({ path: join(DIR, l.file) });
    } catch (e) {
      misses.push(`${l.file}: ERROR ${(e as Error).message}`);
      continue;
    }
    const tOk = r.docType.value === l.docType;
    typeOk += tOk ? 1 : 0;
    docOk += r.isDocument === l.isDocument ? 1 : 0;
    if (r.isDocument !== l.isDocument) misses.push(`${l.file}: isDocument ${r.isDocument} (${r.notDocumentReason ?? 'document'})`);
    if (!tOk) misses.push(`${l.file}: type ${r.docType.value} (want ${l.docType}) by ${r.docType.decidedBy.join('+')} vit=${JSON.stringify(r.docType.vit)}`);
    if (l.fields) {
      for (const f of FIELDS) {
        const want = l.fields[f];
        const got = predicted(r, f);
        const ok = same(f, want, got);
        hits[f][0] += ok ? 1 : 0;
        hits[f][1] += 1;
        if (!ok) misses.push(`${l.file} [${l.note}]: ${f} = ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      }
    }
    rows.push({ file: l.file, docType: r.docType, fields: r.invoice && Object.fromEntries(FIELDS.map((f) => [f, predicted(r, f)])), ms: r.timings.totalMs });
    process.stderr.write('.');
  }
  await p.close();
  process.stderr.write('\n');
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}% (${a}/${b})`;
  console.log(`documents: ${labels.length}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`doc type accuracy:        ${pct(typeOk, labels.length)}`);
  console.log(`is-document accuracy:     ${pct(docOk, labels.length)}`);
  for (const f of FIELDS) console.log(`${(f + (KEY.includes(f) ? ' (key)' : '')).padEnd(25)} ${pct(...hits[f])}`);
  const keyHit = KEY.reduce((s, f) => s + hits[f][0], 0);
  const keyAll = KEY.reduce((s, f) => s + hits[f][1], 0);
  console.log(`key fields overall:       ${pct(keyHit, keyAll)}`);
  if (misses.length) console.log(`\nmisses:\n  ${misses.join('\n  ')}`);
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(rows, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
