import type { PerceptionResult } from '../result.schema.ts';
import { findAmounts, inferDecimalStyle } from '../semantic/amount.ts';
import { findDates } from '../semantic/date.ts';

/**
 * What a correction works with: the values actually printed in the document, offered as one-tap
 * choices ranked by how well they fit the document's own arithmetic, and the re-check a chosen or
 * typed value must pass against the other fields (lines sum, subtotal + tax = total).
 */
export const CORRECTABLE = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total'] as const;
export type CorrectableField = (typeof CORRECTABLE)[number];

/** The fields reconciliation cannot do without. */
export const REQUIRED: CorrectableField[] = ['vendor', 'number', 'total', 'currency', 'issueDate'];

export type FieldValue = string | number | null;
export interface Choice {
  value: string | number;
  label: string;
}

export const FIELD_NAMES: Record<CorrectableField, string> = {
  vendor: 'vendor',
  number: 'invoice number',
  issueDate: 'invoice date',
  dueDate: 'due date',
  currency: 'currency',
  subtotal: 'subtotal',
  tax: 'tax',
  total: 'total',
};

export const kindOf = (f: CorrectableField): 'amount' | 'date' | 'text' => (['subtotal', 'tax', 'total'].includes(f) ? 'amount' : f.endsWith('Date') ? 'date' : 'text');

const MAX_CHOICES = 4;
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.011;
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The printed values a field could take, best first (at most four), from the perceived text. */
export function correctionChoices(r: PerceptionResult): Partial<Record<CorrectableField, Choice[]>> {
  const inv = r.invoice;
  if (!inv) return {};
  const hint = inferDecimalStyle(r.text);
  const printed = new Map<number, string>();
  for (const a of findAmounts(r.text, hint)) if (a.hasDecimals && a.value > 0 && !printed.has(a.value)) printed.set(a.value, a.text);
  const items = inv.lineItems.filter((l) => l.amount !== null);
  const lineSum = items.length ? round2(items.reduce((s, l) => s + (l.amount ?? 0), 0)) : null;
  const sub = inv.subtotal.value;
  const tax = inv.tax.value;
  const tot = inv.total.value;
  // What the document's arithmetic says each amount should be; a printed amount that matches goes first.
  const expected: Record<'subtotal' | 'tax' | 'total', Array<number | null>> = {
    total: [sub !== null && tax !== null ? round2(sub + tax) : null, lineSum !== null && tax !== null ? round2(lineSum + tax) : null, lineSum],
    subtotal: [lineSum, tot !== null && tax !== null ? round2(tot - tax) : null],
    tax: [sub !== null && tot !== null ? round2(tot - sub) : null],
  };
  const amounts = (f: 'subtotal' | 'tax' | 'total'): Choice[] => {
    const fits = (v: number) => expected[f].some((e) => e !== null && near(e, v));
    const all = [...printed.entries()].sort((a, b) => Number(fits(b[0])) - Number(fits(a[0])) || b[0] - a[0]);
    return all.slice(0, MAX_CHOICES).map(([value, text]) => ({ value, label: text }));
  };
  const dates = [...new Map(findDates(r.text).map((d) => [d.iso, d.text])).entries()].map(([value, text]) => ({ value, label: `${text.trim()} (${value})` }));
  // Names and numbers: the top lines of the document, where letterheads and invoice numbers are printed.
  const lines = r.text.split('\n').map((l) => l.trim()).filter((l) => l.length >= 2 && l.length <= 60);
  const named = lines.filter((l) => /[A-Za-z]{3,}/.test(l) && !/\d{3,}/.test(l)).slice(0, MAX_CHOICES).map((l) => ({ value: l, label: l }));
  const numbers = [...new Set(r.text.match(/\b[A-Z]{0,5}[-/]?\d[\w/-]{2,20}\b/g) ?? [])].filter((t) => !/^\d{1,4}([.,]\d+)?$/.test(t)).slice(0, MAX_CHOICES).map((t) => ({ value: t, label: t }));
  const currencies = [...new Set(r.text.match(/\b(EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|JPY)\b/g) ?? [])].map((c) => ({ value: c, label: c }));
  return {
    total: amounts('total'),
    subtotal: amounts('subtotal'),
    tax: amounts('tax'),
    issueDate: dates.slice(0, MAX_CHOICES),
    dueDate: dates.slice(0, MAX_CHOICES),
    vendor: named,
    number: numbers,
    currency: currencies,
  };
}

/**
 * Re-checks the document's arithmetic with corrected values; the failures that involve `field`, in
 * words. Line items are the printed ones; only the totals can change.
 */
export function recheck(field: CorrectableField, values: Record<string, unknown>): string[] {
  const num = (k: string): number | null => (typeof values[k] === 'number' ? (values[k] as number) : null);
  const out: string[] = [];
  const [sub, tax, tot] = [num('subtotal'), num('tax'), num('total')];
  if (['subtotal', 'tax', 'total'].includes(field) && sub !== null && tax !== null && tot !== null && !near(sub + tax, tot)) {
    out.push(`subtotal + tax (${sub.toFixed(2)} + ${tax.toFixed(2)} = ${(sub + tax).toFixed(2)}) is not the total ${tot.toFixed(2)}`);
  }
  const items = Array.isArray(values.lineItems) ? (values.lineItems as Array<{ amount: number | null }>).filter((l) => typeof l.amount === 'number') : [];
  if (items.length && (field === 'subtotal' || (field === 'total' && sub === null && tax === null))) {
    const sum = round2(items.reduce((s, l) => s + (l.amount ?? 0), 0));
    const against = field === 'subtotal' ? sub : tot;
    if (against !== null && Math.abs(sum - against) > 0.011 * items.length) out.push(`the line items sum to ${sum.toFixed(2)}, not ${against.toFixed(2)}`);
  }
  if ((field === 'issueDate' || field === 'dueDate') && typeof values.issueDate === 'string' && typeof values.dueDate === 'string' && values.dueDate < values.issueDate) {
    out.push(`the due date ${values.dueDate} is before the invoice date ${values.issueDate}`);
  }
  return out;
}

/** Turns a chosen or typed value into the field's type; null when it does not fit (a typed value is validated before). */
export function coerce(field: CorrectableField, raw: string | number): FieldValue {
  if (kindOf(field) === 'amount') {
    const n = typeof raw === 'number' ? raw : Number(raw);
    return Number.isFinite(n) ? round2(n) : null;
  }
  if (kindOf(field) === 'date') return typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : null;
  if (field === 'currency') return typeof raw === 'string' && /^[A-Za-z]{3}$/.test(raw.trim()) ? raw.trim().toUpperCase() : null;
  return String(raw).trim() || null;
}

/** How a value reads in chat: amounts with two decimals. */
export const show = (v: unknown): string => (typeof v === 'number' ? v.toFixed(2) : v === null || v === undefined ? '(none)' : String(v));
