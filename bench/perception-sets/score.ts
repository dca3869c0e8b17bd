/**
 * Scores one perception result against one expectation. A field whose expected value is null is not scored
 * (the source has no ground truth for it), so every figure says how many documents it covers.
 */
import type { PerceptionResult } from '../../perception/index.ts';
import type { Expected } from './manifest.schema.ts';

export const KEY_FIELDS = ['vendor', 'number', 'issueDate', 'currency', 'total'] as const;
export const SCORED_FIELDS = [...KEY_FIELDS, 'dueDate', 'subtotal', 'tax'] as const;
export type ScoredField = (typeof SCORED_FIELDS)[number];

/** Legal forms and filler dropped before comparing vendor names (case, accents and punctuation are dropped too). */
const LEGAL_FORMS = new Set(
  'gmbh ag kg co kgaa ug ohg ev bv nv vof sarl sas sa eurl srl spa sl sau ltd limited inc incorporated llc llp plc pvt private pty corp corporation company cie sdn bhd sb s b oy ab as aps the and und et'.split(' '),
);

export function normVendor(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((w) => w && !LEGAL_FORMS.has(w))
    .join(' ');
}

/**
 * Equal after normalising (spaces ignored too: OCR splits "RapidKL" into "rapid KL"), or one name contains the
 * other on word boundaries ("ALDI" in "ALDI SÜD").
 */
export function vendorMatches(want: string[], got: string | null): boolean {
  if (!got) return false;
  const g = normVendor(got);
  if (!g) return false;
  return want.some((w) => {
    const n = normVendor(w);
    if (!n) return false;
    return n.replace(/ /g, '') === g.replace(/ /g, '') || ` ${g} `.includes(` ${n} `) || ` ${n} `.includes(` ${g} `);
  });
}

export const normNumber = (s: string): string => s.replace(/\s+/g, '').replace(/^#/, '').toUpperCase();

const cents = (s: string | number): number => Math.round(Number(s) * 100);

function fieldOk(f: ScoredField, want: Expected, r: PerceptionResult): boolean {
  const inv = r.invoice;
  if (!inv) return false;
  switch (f) {
    case 'vendor':
      return vendorMatches(want.vendor!, inv.vendor.value);
    case 'number':
      return inv.number.value !== null && normNumber(inv.number.value) === normNumber(want.number!);
    case 'issueDate':
    case 'dueDate':
      return inv[f].value === want[f];
    case 'currency':
      return inv.currency.value === want.currency;
    case 'total':
    case 'subtotal':
    case 'tax':
      return inv[f].value !== null && cents(inv[f].value!) === cents(want[f]!);
  }
}

export interface DocScore {
  typeOk: boolean;
  isDocumentOk: boolean;
  /** true/false per field that has ground truth; absent when the source does not label it. */
  fields: Partial<Record<ScoredField, boolean>>;
  /** All five key fields right; null unless all five are labelled. */
  allFive: boolean | null;
  /** Every labelled key field right; null when none is labelled. */
  allLabelledKey: boolean | null;
  /** Line items matched one-to-one by amount (to the cent); null when the source has no items. */
  items: { tp: number; predicted: number; expected: number } | null;
  /** Flagged inconsistent (an arithmetic check failed) though the document is consistent; null when unknown. */
  falseFlag: boolean | null;
}

export function scoreDoc(r: PerceptionResult, klass: string, isDocument: boolean, want: Expected | null): DocScore {
  const typeOk = r.docType.value === klass;
  const isDocumentOk = r.isDocument === isDocument;
  if (!want) return { typeOk, isDocumentOk, fields: {}, allFive: null, allLabelledKey: null, items: null, falseFlag: null };
  const fields: DocScore['fields'] = {};
  for (const f of SCORED_FIELDS) if (want[f] !== null) fields[f] = fieldOk(f, want, r);
  const labelledKey = KEY_FIELDS.filter((f) => want[f] !== null);
  const allLabelledKey = labelledKey.length ? labelledKey.every((f) => fields[f]) : null;
  const allFive = labelledKey.length === KEY_FIELDS.length ? allLabelledKey : null;
  let items: DocScore['items'] = null;
  if (want.lineItems) {
    const got = (r.invoice?.lineItems ?? []).map((li) => (li.amount === null ? null : cents(li.amount)));
    let tp = 0;
    for (const e of want.lineItems) {
      if (e.amount === null) continue;
      const i = got.indexOf(cents(e.amount));
      if (i >= 0) {
        tp += 1;
        got[i] = NaN;
      }
    }
    items = { tp, predicted: r.invoice?.lineItems.length ?? 0, expected: want.lineItems.length };
  }
  let falseFlag: boolean | null = null;
  if (want.consistent === true) {
    falseFlag = (r.invoice?.checks ?? []).some((c) => (c.name === 'line_items_sum' || c.name === 'subtotal_plus_tax') && c.passed === false);
  }
  return { typeOk, isDocumentOk, fields, allFive, allLabelledKey, items, falseFlag };
}
