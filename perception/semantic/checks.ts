import type { Check, LineItem } from '../result.schema.ts';
import { isKnownCurrency } from './currency.ts';
import { adjust, type FieldDraft } from './field-result.ts';

/**
 * Arithmetic and sanity checks over the extracted fields. A passed check raises the confidence of the fields
 * it involves (they agree with each other); a failed one lowers it and says why, so the operator is asked about
 * exactly those fields.
 */
export interface CheckInput {
  issueDate: FieldDraft<string>;
  dueDate: FieldDraft<string>;
  currency: FieldDraft<string>;
  subtotal: FieldDraft<number>;
  tax: FieldDraft<number>;
  total: FieldDraft<number>;
  lineItems: LineItem[];
  dateLabelSeen: boolean;
}

const near = (a: number, b: number, tol = 0.011): boolean => Math.abs(a - b) <= tol;
const fmt = (n: number): string => n.toFixed(2);

export function runChecks(f: CheckInput): Check[] {
  const checks: Check[] = [];
  const items = f.lineItems.filter((i) => i.amount !== null);
  const sum = Math.round(items.reduce((s, i) => s + (i.amount ?? 0), 0) * 100) / 100;
  // line_items_sum
  if (!items.length) checks.push({ name: 'line_items_sum', passed: null, detail: 'no line items found' });
  else if (f.subtotal.value !== null) {
    const ok = near(sum, f.subtotal.value, 0.011 * items.length);
    checks.push({ name: 'line_items_sum', passed: ok, detail: `line items sum to ${fmt(sum)}, subtotal is ${fmt(f.subtotal.value)}` });
    if (ok) adjust(f.subtotal, 1.6);
    else adjust(f.subtotal, 0.7, `line items sum to ${fmt(sum)}, not to the subtotal ${fmt(f.subtotal.value)}`);
  } else if (f.total.value !== null && (f.tax.value === null || near(sum, f.total.value))) {
    const ok = near(sum, f.total.value, 0.011 * items.length);
    checks.push({ name: 'line_items_sum', passed: ok, detail: `line items sum to ${fmt(sum)}, total is ${fmt(f.total.value)} (no subtotal)` });
    if (ok) adjust(f.total, 1.5);
  } else checks.push({ name: 'line_items_sum', passed: null, detail: 'no subtotal to compare the line items with' });
  // subtotal_plus_tax
  if (f.subtotal.value !== null && f.tax.value !== null && f.total.value !== null) {
    const ok = near(f.subtotal.value + f.tax.value, f.total.value);
    checks.push({ name: 'subtotal_plus_tax', passed: ok, detail: `${fmt(f.subtotal.value)} + ${fmt(f.tax.value)} ${ok ? '=' : '≠'} ${fmt(f.total.value)}` });
    const why = `subtotal + tax (${fmt(f.subtotal.value)} + ${fmt(f.tax.value)}) does not equal the total ${fmt(f.total.value)}`;
    for (const x of [f.subtotal, f.tax, f.total]) {
      if (ok) adjust(x, 1.7);
      else adjust(x, 0.6, why);
    }
  } else {
    const miss = [f.subtotal.value === null && 'subtotal', f.tax.value === null && 'tax', f.total.value === null && 'total'].filter(Boolean).join(', ');
    checks.push({ name: 'subtotal_plus_tax', passed: null, detail: `cannot check: missing ${miss}` });
  }
  // dates_parse
  if (f.issueDate.value === null) {
    checks.push({ name: 'dates_parse', passed: false, detail: f.dateLabelSeen ? 'a date label was found but its value is not a readable date' : 'no issue date found' });
  } else if (f.dueDate.value !== null && f.dueDate.value < f.issueDate.value) {
    checks.push({ name: 'dates_parse', passed: false, detail: `due date ${f.dueDate.value} is before the issue date ${f.issueDate.value}` });
    adjust(f.dueDate, 0.6, 'due date is before the issue date');
    adjust(f.issueDate, 0.8, 'due date is before the issue date');
  } else checks.push({ name: 'dates_parse', passed: true, detail: 'dates are valid calendar dates in order' });
  // currency_known
  if (f.currency.value === null) checks.push({ name: 'currency_known', passed: false, detail: 'no currency symbol or code found' });
  else {
    const ok = isKnownCurrency(f.currency.value);
    checks.push({ name: 'currency_known', passed: ok, detail: ok ? `${f.currency.value} is a known ISO 4217 code` : `${f.currency.value} is not a known currency` });
    if (!ok) adjust(f.currency, 0.5, 'unknown currency code');
  }
  return checks;
}
