import type { InvoiceFields } from '../result.schema.ts';
import { findAmounts } from './amount.ts';
import { findDates } from './date.ts';
import { norm } from './normalize.ts';

/**
 * Hook for a language model (a later issue) to re-read low-confidence fields. Perception works without it;
 * when one is configured, every proposal goes through `applyRefinements`, which accepts a value only if it can
 * be found in the document's own text: the model may choose among what is printed, never invent.
 */
export interface FieldRefiner {
  refine(input: { text: string; fields: { field: RefinableField; value: unknown; reasons: string[] }[] }): Promise<Refinement[]>;
}

export type RefinableField = 'vendor' | 'number' | 'issueDate' | 'dueDate' | 'currency' | 'subtotal' | 'tax' | 'total';

export interface Refinement {
  field: RefinableField;
  value: string | number;
}

/** Whether `value` for `field` is supported by the printed text (same amount, same date, same words). */
export function isGrounded(field: RefinableField, value: string | number, text: string): boolean {
  if (field === 'subtotal' || field === 'tax' || field === 'total') {
    return typeof value === 'number' && findAmounts(text).some((a) => Math.abs(a.value - value) < 0.005);
  }
  if (field === 'issueDate' || field === 'dueDate') {
    if (typeof value !== 'string') return false;
    const printed = [...findDates(text, 'dmy'), ...findDates(text, 'mdy')].map((d) => d.iso);
    if (printed.includes(value)) return true;
    // A due date may be computed from printed terms ("Net 30"): grounded when a printed date plus a printed
    // number of days gives it.
    if (field !== 'dueDate') return false;
    const days = [...norm(text).matchAll(/\b(?:net|netto)\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:days?|tage[n]?|jours?|dias?|dagen|giorni|dagar|dage)\b/g)].map((m) => +(m[1] ?? m[2]));
    return printed.some((iso) => days.some((n) => addDays(iso, n) === value));
  }
  if (field === 'currency') return typeof value === 'string' && (text.includes(value) || (value === 'EUR' && text.includes('€')) || (value === 'GBP' && text.includes('£')) || (value === 'USD' && text.includes('$')));
  const v = norm(String(value));
  return v.length > 0 && norm(text).includes(v);
}

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * Applies grounded refinements to a copy of the fields; each accepted change is noted in the field's reasons,
 * rejected ones are returned so the caller can log them.
 */
export function applyRefinements(fields: InvoiceFields, text: string, proposals: Refinement[]): { fields: InvoiceFields; rejected: Refinement[] } {
  const out = structuredClone(fields);
  const rejected: Refinement[] = [];
  for (const p of proposals) {
    if (!isGrounded(p.field, p.value, text)) {
      rejected.push(p);
      continue;
    }
    const f = out[p.field] as { value: unknown; confidence: number; reasons: string[] };
    f.reasons.push(`refined by the language model from ${JSON.stringify(f.value)} (value found in the text)`);
    f.value = p.value;
    f.confidence = Math.max(f.confidence, 0.7);
  }
  return { fields: out, rejected };
}
