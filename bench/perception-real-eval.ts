/**
 * Scores perception on the DEV split of a real-document manifest (the perc-eval set, schema in
 * bench/perception-sets/manifest.schema.ts). The test split is never read: entries are filtered to
 * `split: "dev"` before anything is opened.
 *   nice -n 10 npx tsx bench/perception-real-eval.ts --manifest <dir>/manifest.json [--json out.json] [--dump dir]
 * `--dump` writes each dev document's words and page sizes, so the semantic layer can be re-scored without OCR
 * (bench/perception-replay.ts).
 * Prints doc-type accuracy, per-field accuracy over documents with ground truth, all-five-key-fields rate,
 * false "inconsistent" flags on documents whose figures add up, and every miss.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createPerception, perceptionConfigFromEnv, type PerceptionResult } from '../perception/index.ts';

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

interface Entry {
  file: string;
  split: string;
  class: string;
  rendering: string;
  expected: null | Record<string, unknown>;
}

const FIELDS = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total'] as const;
const KEY = ['vendor', 'number', 'issueDate', 'currency', 'total'];
const squash = (s: unknown): string => String(s ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function same(f: string, want: unknown, got: unknown): boolean {
  if (f === 'vendor') return Array.isArray(want) && want.some((v) => squash(v) === squash(got));
  if (f === 'subtotal' || f === 'tax' || f === 'total') return typeof got === 'number' && Math.abs(got - Number(want)) < 0.005;
  if (f === 'number') return squash(got) === squash(want);
  return want === got;
}

async function main(): Promise<void> {
  const path = arg('manifest');
  if (!path) throw new Error('--manifest <path to manifest.json> is required');
  const all = (JSON.parse(readFileSync(path, 'utf8')) as { docs: Entry[] }).docs;
  const dev = all.filter((d) => d.split === 'dev');
  const p = createPerception(perceptionConfigFromEnv());
  const hits: Record<string, [number, number]> = Object.fromEntries(FIELDS.map((f) => [f, [0, 0]]));
  let typeOk = 0;
  let allKey = [0, 0];
  let falseAlarm = [0, 0];
  const misses: string[] = [];
  const rows: unknown[] = [];
  const t0 = Date.now();
  for (const d of dev) {
    let r: PerceptionResult;
    try {
      r = await p.perceive({ path: join(dirname(path), d.file) });
    } catch (e) {
      misses.push(`${d.file}: ERROR ${(e as Error).message}`);
      continue;
    }
    const dump = arg('dump');
    if (dump) {
      mkdirSync(dump, { recursive: true });
      writeFileSync(join(dump, `${d.file.replace(/[^\w.-]+/g, '_')}.json`), JSON.stringify({ file: d.file, docType: r.docType, pages: r.pages.map((pg) => ({ width: pg.width, height: pg.height, words: pg.words })) }));
    }
    if (r.docType.value === d.class) typeOk++;
    else misses.push(`${d.file}: type ${r.docType.value} (want ${d.class}) by ${r.docType.decidedBy.join('+')}`);
    const e = d.expected;
    if (e) {
      let keyOk = true;
      let keyN = 0;
      for (const f of FIELDS) {
        if (e[f] === null || e[f] === undefined) continue;
        const got = r.invoice ? r.invoice[f].value : null;
        const ok = same(f, e[f], got);
        hits[f][0] += ok ? 1 : 0;
        hits[f][1] += 1;
        if (KEY.includes(f)) {
          keyN++;
          keyOk &&= ok;
        }
        if (!ok) misses.push(`${d.file}: ${f} = ${JSON.stringify(got)} want ${JSON.stringify(e[f])}`);
      }
      if (keyN) allKey = [allKey[0] + (keyOk ? 1 : 0), allKey[1] + 1];
      if (e.consistent === true) {
        const flagged = !!r.invoice?.checks.some((c) => c.passed === false);
        falseAlarm = [falseAlarm[0] + (flagged ? 1 : 0), falseAlarm[1] + 1];
        if (flagged) misses.push(`${d.file}: flagged inconsistent: ${r.invoice!.checks.filter((c) => c.passed === false).map((c) => c.detail).join('; ')}`);
      }
    }
    rows.push({ file: d.file, docType: r.docType.value, fields: r.invoice && Object.fromEntries(FIELDS.map((f) => [f, r.invoice![f].value])), ms: r.timings.totalMs });
    process.stderr.write('.');
  }
  await p.close();
  process.stderr.write('\n');
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}% (${a}/${b})`;
  console.log(`dev documents: ${dev.length}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`doc type accuracy:        ${pct(typeOk, dev.length)}`);
  for (const f of FIELDS) console.log(`${(f + (KEY.includes(f) ? ' (key)' : '')).padEnd(25)} ${pct(...hits[f])}`);
  console.log(`all key fields right:     ${pct(allKey[0], allKey[1])}`);
  console.log(`false "inconsistent":     ${pct(falseAlarm[0], falseAlarm[1])}`);
  if (misses.length) console.log(`\nmisses:\n  ${misses.join('\n  ')}`);
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(rows, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
