/**
 * Re-scores the per-document predictions a bench run wrote with --out, without running OCR again: for a change
 * of the scoring rules or the expected values (both reviewed on their own), never to tune the pipeline.
 */
import { readFileSync } from 'node:fs';
import type { PerceptionResult } from '../../perception/index.ts';
import type { EvalDoc } from './load.ts';
import { scoreDoc, SCORED_FIELDS } from './score.ts';
import type { DocRun } from './report.ts';

export interface SavedRow {
  file: string;
  source: string;
  split: string | null;
  ms: number;
  pages?: number;
  error: string | null;
  predicted: null | { docType: string; isDocument: boolean; fields: null | Record<string, unknown> };
}

/** Rebuilds the parts of a result that the scorer reads from a saved prediction. */
export function resultFromSaved(p: NonNullable<SavedRow['predicted']>): PerceptionResult {
  const f = p.fields;
  const field = (value: unknown) => ({ value, confidence: 1, source: null, reasons: [] });
  return {
    docType: { value: p.docType, confidence: 1, decidedBy: [], vit: null },
    isDocument: p.isDocument,
    invoice: f && {
      ...Object.fromEntries(SCORED_FIELDS.map((k) => [k, field(f[k] ?? null)])),
      lineItems: ((f.lineItems as (number | null)[] | undefined) ?? []).map((amount) => ({ description: '', quantity: null, unitPrice: null, amount, confidence: 1, box: { page: 0, x: 0, y: 0, w: 0, h: 0 } })),
      checks: ((f.checks as string[] | undefined) ?? []).map((name) => ({ name, passed: false, detail: '' })),
      language: null,
    },
  } as unknown as PerceptionResult;
}

/** Runs (in file order) for the documents of `docs` found in the saved rows; the first row is the cold one. */
export function rescore(path: string, docs: EvalDoc[]): { runs: DocRun[]; missing: number } {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as SavedRow[];
  const byId = new Map(docs.map((d) => [`${d.source}:${d.id}`, d]));
  const runs: DocRun[] = [];
  let missing = 0;
  for (const row of rows) {
    const doc = byId.get(`${row.source}:${row.file}`);
    if (!doc) {
      missing += 1;
      continue;
    }
    const score = row.predicted ? scoreDoc(resultFromSaved(row.predicted), doc.class, doc.isDocument, doc.expected) : null;
    runs.push({ doc, score, error: row.error, pages: row.pages ?? 1, ms: row.ms });
  }
  return { runs, missing };
}
