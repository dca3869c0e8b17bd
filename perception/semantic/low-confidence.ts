import type { InvoiceFields, PerceptionResult } from '../result.schema.ts';

/**
 * The fields the operator should confirm: anything under the threshold, plus missing key fields. Each comes
 * with its reasons so the coordinator can show a one-tap fix for exactly that field.
 */
const KEY_FIELDS = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total'] as const;
const REQUIRED = new Set(['vendor', 'issueDate', 'currency', 'total']);

export function lowConfidenceOf(inv: InvoiceFields, threshold: number): PerceptionResult['lowConfidence'] {
  const out: PerceptionResult['lowConfidence'] = [];
  for (const k of KEY_FIELDS) {
    const f = inv[k];
    if (f.value === null && !REQUIRED.has(k)) continue;
    if (f.confidence < threshold) out.push({ field: k, confidence: f.confidence, value: f.value, reasons: f.reasons.length ? f.reasons : ['low confidence'] });
  }
  inv.lineItems.forEach((it, i) => {
    if (it.confidence < threshold) out.push({ field: `lineItems[${i}]`, confidence: it.confidence, value: it, reasons: ['quantity × unit price does not match the amount, or the row was hard to read'] });
  });
  return out;
}
