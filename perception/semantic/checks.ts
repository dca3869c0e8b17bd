import type { Check, LineItem } from '../result.schema.ts';
import { isKnownCurrency } from './currency.ts';
import { adjust, type FieldDraft } from './field-result.ts';

/**
 * Arithmetic and sanity checks over the extracted fields. A passed check raises the confidence of the fields
 * it involves (they agree with each other); a failed one lowers it and says why, so the operator is asked about
 * exactly those fields. A false "inconsistent" is worse than none: a disagreement that our own misread explains
 * (a hard-to-read amount, an item row missed or garbled) lowers that value's confidence and leaves the check
 * open (`passed: null`); a missing date or currency is unknown, not inconsistent.
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
  // line_items_sum: items that do not add up are far more often a row we misread or missed than a wrong
  // invoice, so the rows are doubted, not the subtotal.
  const against = f.subtotal.value ?? (f.total.value !== null && f.tax.value === null ? f.total.value : null);
  if (!items.length) checks.push({ name: 'line_items_sum', passed: null, detail: 'no line items found' });
  else if (against !== null) {
    const what = f.subtotal.value !== null ? 'subtotal' : 'total (no subtotal)';
    const ok = near(sum, against, 0.011 * items.length);
    if (ok) {
      checks.push({ name: 'line_items_sum', passed: true, detail: `line items sum to ${fmt(sum)}, ${what} is ${fmt(against)}` });
      adjust(f.subtotal.value !== null ? f.subtotal : f.total, f.subtotal.value !== null ? 1.6 : 1.5);
    } else {
      checks.push({ name: 'line_items_sum', passed: null, detail: `line items sum to ${fmt(sum)}, ${what} is ${fmt(against)}: a row was probably misread or missed` });
      const suspects = f.lineItems.filter((i) => i.quantity !== null && i.unitPrice !== null && i.amount !== null && Math.abs(i.quantity * i.unitPrice - i.amount) > 0.011 * Math.max(1, i.quantity));
      for (const i of suspects.length ? suspects : f.lineItems) i.confidence = Math.round(i.confidence * (suspects.length ? 0.75 : 0.85) * 1000) / 1000;
    }
  } else checks.push({ name: 'line_items_sum', passed: null, detail: 'no subtotal to compare the line items with' });
  // subtotal_plus_tax
  if (f.subtotal.value !== null && f.tax.value !== null && f.total.value !== null) {
    const ok = near(f.subtotal.value + f.tax.value, f.total.value);
    const parts = [f.subtotal, f.tax, f.total];
    const weakest = [...parts].sort((a, b) => (a.ocr ?? 1) - (b.ocr ?? 1))[0];
    if (ok) {
      checks.push({ name: 'subtotal_plus_tax', passed: true, detail: `${fmt(f.subtotal.value)} + ${fmt(f.tax.value)} = ${fmt(f.total.value)}` });
      for (const x of parts) adjust(x, 1.7);
    } else if (near(f.subtotal.value, f.total.value)) {
      checks.push({ name: 'subtotal_plus_tax', passed: null, detail: `the subtotal equals the total: tax ${fmt(f.tax.value)} is included in it` });
    } else if ((weakest.ocr ?? 1) < 0.8) {
      const name = weakest === f.subtotal ? 'subtotal' : weakest === f.tax ? 'tax' : 'total';
      checks.push({ name: 'subtotal_plus_tax', passed: null, detail: `${fmt(f.subtotal.value)} + ${fmt(f.tax.value)} ≠ ${fmt(f.total.value)}; the ${name} was hard to read and is probably misread` });
      adjust(weakest, 0.5, `subtotal + tax does not equal the total, and this ${name} was hard to read`);
    } else {
      checks.push({ name: 'subtotal_plus_tax', passed: false, detail: `${fmt(f.subtotal.value)} + ${fmt(f.tax.value)} ≠ ${fmt(f.total.value)}` });
      const why = `subtotal + tax (${fmt(f.subtotal.value)} + ${fmt(f.tax.value)}) does not equal the total ${fmt(f.total.value)}`;
      for (const x of parts) adjust(x, 0.6, why);
    }
  } else {
    const miss = [f.subtotal.value === null && 'subtotal', f.tax.value === null && 'tax', f.total.value === null && 'total'].filter(Boolean).join(', ');
    checks.push({ name: 'subtotal_plus_tax', passed: null, detail: `cannot check: missing ${miss}` });
  }
  // dates_parse
  if (f.issueDate.value === null) {
    checks.push({ name: 'dates_parse', passed: null, detail: f.dateLabelSeen ? 'a date label was found but its value is not a readable date' : 'no issue date found' });
  } else if (f.dueDate.value !== null && f.dueDate.value < f.issueDate.value) {
    checks.push({ name: 'dates_parse', passed: false, detail: `due date ${f.dueDate.value} is before the issue date ${f.issueDate.value}` });
    adjust(f.dueDate, 0.6, 'due date is before the issue date');
    adjust(f.issueDate, 0.8, 'due date is before the issue date');
  } else checks.push({ name: 'dates_parse', passed: true, detail: 'dates are valid calendar dates in order' });
  // currency_known
  if (f.currency.value === null) checks.push({ name: 'currency_known', passed: null, detail: 'no currency symbol or code found' });
  else {
    const ok = isKnownCurrency(f.currency.value);
    checks.push({ name: 'currency_known', passed: ok, detail: ok ? `${f.currency.value} is a known ISO 4217 code` : `${f.currency.value} is not a known currency` });
    if (!ok) adjust(f.currency, 0.5, 'unknown currency code');
  }
  return checks;
}
