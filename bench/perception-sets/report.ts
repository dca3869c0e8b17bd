/**
 * Aggregates per-document scores into the printed table: one block per source and split, rows for all documents,
 * each class, each rendering and each collection. Every cell shows the share and how many documents it covers.
 */
import { KEY_FIELDS, SCORED_FIELDS, type DocScore } from './score.ts';
import type { EvalDoc } from './load.ts';

export interface DocRun {
  doc: EvalDoc;
  score: DocScore | null;
  error: string | null;
  pages: number;
  ms: number;
}

interface Ratio {
  ok: number;
  n: number;
}
export interface GroupFigures {
  group: string;
  docs: number;
  errors: number;
  docType: Ratio;
  isDocument: Ratio;
  fields: Record<string, Ratio>;
  allFive: Ratio;
  allLabelledKey: Ratio;
  itemsF1: { f1: number | null; precision: number | null; recall: number | null; docs: number };
  falseFlags: Ratio;
  msPerPage: { p50: number | null; p95: number | null };
}

const ratio = (xs: (boolean | null | undefined)[]): Ratio => {
  const known = xs.filter((x): x is boolean => typeof x === 'boolean');
  return { ok: known.filter(Boolean).length, n: known.length };
};
const quantile = (xs: number[], q: number): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export function figures(group: string, runs: DocRun[], warm: (r: DocRun) => boolean): GroupFigures {
  const scored = runs.filter((r) => r.score);
  const s = (f: (d: DocScore) => boolean | null | undefined): (boolean | null | undefined)[] => runs.map((r) => (r.score ? f(r.score) : r.error ? false : null));
  const items = scored.map((r) => r.score!.items).filter((x): x is NonNullable<DocScore['items']> => x !== null);
  const tp = items.reduce((a, x) => a + x.tp, 0);
  const pred = items.reduce((a, x) => a + x.predicted, 0);
  const exp = items.reduce((a, x) => a + x.expected, 0);
  const precision = pred ? tp / pred : items.length ? 0 : null;
  const recall = exp ? tp / exp : null;
  const f1 = precision !== null && recall !== null ? (precision + recall ? (2 * precision * recall) / (precision + recall) : 0) : null;
  const perPage = runs.filter((r) => !r.error && warm(r)).map((r) => r.ms / Math.max(1, r.pages));
  return {
    group,
    docs: runs.length,
    errors: runs.filter((r) => r.error).length,
    docType: ratio(s((d) => d.typeOk)),
    isDocument: ratio(s((d) => d.isDocumentOk)),
    fields: Object.fromEntries(SCORED_FIELDS.map((f) => [f, ratio(runs.map((r) => (r.score ? r.score.fields[f] : r.error && r.doc.expected?.[f] != null ? false : null)))])),
    allFive: ratio(runs.map((r) => (r.score ? r.score.allFive : r.error && KEY_FIELDS.every((f) => r.doc.expected?.[f] != null) ? false : null))),
    allLabelledKey: ratio(runs.map((r) => (r.score ? r.score.allLabelledKey : r.error && r.doc.expected ? false : null))),
    itemsF1: { f1, precision, recall, docs: items.length },
    falseFlags: ratio(s((d) => d.falseFlag)),
    msPerPage: { p50: quantile(perPage, 0.5), p95: quantile(perPage, 0.95) },
  };
}

const cell = (r: Ratio): string => (r.n ? `${Math.round((100 * r.ok) / r.n)}% ${r.ok}/${r.n}` : '—');
const COLS: [string, number, (g: GroupFigures) => string][] = [
  ['group', 26, (g) => g.group],
  ['docs', 5, (g) => String(g.docs)],
  ['doc type', 13, (g) => cell(g.docType)],
  ...KEY_FIELDS.map((f): [string, number, (g: GroupFigures) => string] => [f, 13, (g) => cell(g.fields[f])]),
  ['all five', 12, (g) => cell(g.allFive)],
  ['all labelled', 13, (g) => cell(g.allLabelledKey)],
  ['due', 11, (g) => cell(g.fields.dueDate)],
  ['items F1 (docs)', 16, (g) => (g.itemsF1.f1 === null ? '—' : `${g.itemsF1.f1.toFixed(2)} (${g.itemsF1.docs})`)],
  ['false flags', 12, (g) => cell(g.falseFlags)],
  ['ms/page p50', 12, (g) => (g.msPerPage.p50 === null ? '—' : String(Math.round(g.msPerPage.p50)))],
];

export function table(rows: GroupFigures[]): string {
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(COLS[i][1])).join(' ').trimEnd();
  return [line(COLS.map((c) => c[0])), ...rows.map((g) => line(COLS.map((c) => c[2](g))))].join('\n');
}

/** Rows: all, then per class, per rendering, per collection (only the values present). */
export function breakdown(runs: DocRun[], warm: (r: DocRun) => boolean): GroupFigures[] {
  const rows = [figures('all', runs, warm)];
  const by = (label: string, key: (r: DocRun) => string): void => {
    for (const v of [...new Set(runs.map(key))].sort()) rows.push(figures(`${label}=${v}`, runs.filter((r) => key(r) === v), warm));
  };
  by('class', (r) => r.doc.class);
  by('rendering', (r) => r.doc.rendering);
  by('collection', (r) => r.doc.collection);
  return rows;
}
