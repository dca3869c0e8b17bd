/**
 * Scores the real perception pipeline (perception/index.ts, in-process) on three sources:
 *   own   — our own generator's fixtures (test/fixtures/perception, scripts/synth), reported whole (no split);
 *   indep — the independent generator's frozen set (test/fixtures/perception-indep, scripts/synth-independent);
 *   real  — real documents from public repositories (test/fixtures/perception-real).
 *   npx tsx bench/perception-eval.ts [--source own|indep|real] [--split dev|test] [--json] [--out rows.json] [--filter text] [--misses]
 *   npx tsx bench/perception-eval.ts --rescore rows.json [--source …] [--split …]   (re-score saved predictions, no OCR)
 * Prints per source, class, rendering and collection: doc type, each key field, all five key fields, all labelled
 * key fields, due date, line-item F1 (items matched by amount), false inconsistency flags and ms/page warm; the
 * cold time is the first document's, which pays for loading the OCR workers and the ViT.
 * OCR is CPU heavy: run it under `nice -n 10`, once per split.
 */
import { writeFileSync } from 'node:fs';
import { createPerception, perceptionConfigFromEnv, type PerceptionResult } from '../perception/index.ts';
import { loadSource, SOURCES, type SourceName } from './perception-sets/load.ts';
import { scoreDoc, SCORED_FIELDS } from './perception-sets/score.ts';
import { breakdown, table, type DocRun, type GroupFigures } from './perception-sets/report.ts';
import { rescore } from './perception-sets/rescore.ts';

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 && !process.argv[i + 1]?.startsWith('--') ? process.argv[i + 1] : undefined;
};
const flag = (n: string): boolean => process.argv.includes(`--${n}`);

function predicted(r: PerceptionResult): Record<string, unknown> | null {
  if (!r.invoice) return null;
  const inv = r.invoice;
  return { ...Object.fromEntries(SCORED_FIELDS.map((f) => [f, inv[f].value])), lineItems: inv.lineItems.map((li) => li.amount), checks: inv.checks.filter((c) => c.passed === false).map((c) => c.name) };
}

interface SourceReport {
  source: SourceName;
  split: string;
  cold: { ms: number; pages: number; file: string } | null;
  rows: GroupFigures[];
}

/** Builds one source's figures and, unless --json, prints them. Only the first run of a session is cold. */
function report(source: SourceName, split: string | undefined, count: number, runs: DocRun[], cold: SourceReport['cold'], json: boolean, misses: boolean): SourceReport {
  const warm = (r: DocRun): boolean => !(cold && r === runs[0]);
  const rows = breakdown(runs, warm);
  if (!json) {
    const splitNote = source === 'own' ? 'all (this source has no split)' : (split ?? 'dev+test');
    console.log(`\n== ${source} — split ${splitNote} — ${count} documents`);
    if (cold) console.log(`cold (first document, loads OCR and ViT): ${Math.round(cold.ms / cold.pages)} ms/page (${cold.file})`);
    else console.log('cold: measured on the first source of this run only (one perception instance serves all sources)');
    const all = rows[0];
    console.log(`warm ms/page: p50 ${all.msPerPage.p50 === null ? '—' : Math.round(all.msPerPage.p50)}, p95 ${all.msPerPage.p95 === null ? '—' : Math.round(all.msPerPage.p95)}; errors ${all.errors}`);
    console.log(table(rows));
    if (misses) {
      for (const r of runs) {
        if (r.error) console.log(`  ${r.doc.id}: ERROR ${r.error}`);
        else if (r.score) {
          const bad = Object.entries(r.score.fields).filter(([, ok]) => !ok).map(([f]) => f);
          if (!r.score.typeOk || bad.length) console.log(`  ${r.doc.id}: ${r.score.typeOk ? '' : 'type wrong; '}${bad.join(', ')}`);
        }
      }
    }
  }
  return { source, split: split ?? 'all', cold, rows };
}

/** --rescore: figures from saved predictions (rows written by --out), no OCR. */
function rescoreMain(path: string, sources: SourceName[], split: string | undefined, json: boolean): void {
  const reports: SourceReport[] = [];
  for (const source of sources) {
    const docs = loadSource(source).filter((d) => !split || d.split === null || d.split === split);
    const { runs } = rescore(path, docs);
    if (!runs.length) continue;
    const first = runs[0];
    reports.push(report(source, split, runs.length, runs, { ms: first.ms, pages: first.pages, file: first.doc.id }, json, flag('misses')));
  }
  if (json) console.log(JSON.stringify(reports, null, 1));
}

async function main(): Promise<void> {
  const split = arg('split');
  if (split && split !== 'dev' && split !== 'test') throw new Error('--split must be dev or test');
  const only = arg('source');
  if (only && !(only in SOURCES)) throw new Error(`--source must be one of ${Object.keys(SOURCES).join(', ')}`);
  const sources = (only ? [only] : Object.keys(SOURCES)) as SourceName[];
  const json = flag('json');
  const saved = arg('rescore');
  if (saved) return rescoreMain(saved, sources, split, json);
  const p = createPerception(perceptionConfigFromEnv());
  const reports: SourceReport[] = [];
  const allRuns: (DocRun & { predicted: unknown })[] = [];
  let first = true;
  try {
    for (const source of sources) {
      const docs = loadSource(source).filter((d) => (!split || d.split === null || d.split === split) && (!arg('filter') || d.id.includes(arg('filter')!)));
      const runs: DocRun[] = [];
      let cold: SourceReport['cold'] = null;
      for (const doc of docs) {
        const t0 = performance.now();
        let run: DocRun;
        try {
          const r = await p.perceive({ path: doc.path });
          run = { doc, score: scoreDoc(r, doc.class, doc.isDocument, doc.expected), error: null, pages: r.source.pagesProcessed || 1, ms: performance.now() - t0 };
          allRuns.push({ ...run, predicted: { docType: r.docType.value, isDocument: r.isDocument, fields: predicted(r) } });
        } catch (e) {
          run = { doc, score: null, error: (e as Error).message, pages: 1, ms: performance.now() - t0 };
          allRuns.push({ ...run, predicted: null });
        }
        if (first) {
          cold = { ms: run.ms, pages: run.pages, file: doc.id };
          first = false;
        }
        runs.push(run);
        if (!json) process.stderr.write(run.error ? 'E' : '.');
      }
      if (!json) process.stderr.write('\n');
      reports.push(report(source, split, docs.length, runs, cold, json, flag('misses')));
    }
  } finally {
    await p.close();
  }
  if (json) console.log(JSON.stringify(reports, null, 1));
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(allRuns.map((r) => ({ file: r.doc.id, source: r.doc.source, split: r.doc.split, ms: Math.round(r.ms), pages: r.pages, error: r.error, score: r.score, predicted: r.predicted })), null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
