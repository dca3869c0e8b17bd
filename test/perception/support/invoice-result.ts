import type { PerceptionResult } from '../../../perception/index.ts';

const box = { page: 0, x: 0, y: 0, w: 10, h: 10 };

type Fields = { vendor: string | null; number: string | null; issueDate: string | null; dueDate: string | null; currency: string | null; subtotal: number | null; tax: number | null; total: number | null };

/**
 * A pre-made perception result for an invoice, shaped like the pipeline's (result.schema.ts): the
 * printed text, the fields with confidences and reasons, the checks and the low-confidence list.
 */
export function invoiceResult(opts: {
  filename: string;
  text: string;
  fields: Fields;
  lineItems?: Array<{ description: string; amount: number | null; confidence?: number }>;
  checks?: NonNullable<PerceptionResult['invoice']>['checks'];
  lowConfidence?: Array<{ field: keyof Fields; reasons: string[] }>;
}): PerceptionResult {
  const f = (value: unknown, field: string) => {
    const low = opts.lowConfidence?.find((l) => l.field === field);
    return { value: value as never, confidence: low ? 0.4 : 0.95, source: value === null ? null : { text: String(value), box }, reasons: low?.reasons ?? [] };
  };
  return {
    isDocument: true,
    notDocumentReason: null,
    docType: { value: 'invoice', confidence: 0.93, decidedBy: ['keyword:invoice', 'totals'], vit: null },
    source: { kind: 'image', mimeType: 'image/jpeg', bytes: 1000, pages: 1, pagesProcessed: 1, filename: opts.filename },
    pages: [{ index: 0, width: 1000, height: 1400, textSource: 'ocr', ocrConfidence: 0.8, words: [] }],
    embedding: [],
    text: opts.text,
    invoice: {
      vendor: f(opts.fields.vendor, 'vendor'),
      number: f(opts.fields.number, 'number'),
      issueDate: f(opts.fields.issueDate, 'issueDate'),
      dueDate: f(opts.fields.dueDate, 'dueDate'),
      currency: f(opts.fields.currency, 'currency'),
      subtotal: f(opts.fields.subtotal, 'subtotal'),
      tax: f(opts.fields.tax, 'tax'),
      total: f(opts.fields.total, 'total'),
      lineItems: (opts.lineItems ?? []).map((l) => ({ description: l.description, quantity: 1, unitPrice: l.amount, amount: l.amount, confidence: l.confidence ?? 0.9, box })),
      checks: opts.checks ?? [],
      language: 'en',
    },
    screenshot: null,
    lowConfidence: (opts.lowConfidence ?? []).map((l) => ({ field: l.field, confidence: 0.4, value: opts.fields[l.field], reasons: l.reasons })),
    warnings: [],
    backend: 'test',
    timings: { totalMs: 1, intakeMs: 0, vitMs: 0, ocrMs: 0, semanticMs: 0 },
  };
}

/** The phone photo from issue 15: the total printed as 396.27, read as 85.00 (a deposit line), the reason claiming the largest amount. */
export function brightlinePhoto(filename: string, over: Partial<Fields> = {}): PerceptionResult {
  const fields: Fields = { vendor: 'Brightline Studio', number: '2026-118', issueDate: '2026-12-05', dueDate: '2027-01-04', currency: 'EUR', subtotal: 333, tax: 63.27, total: 85, ...over };
  return invoiceResult({
    filename,
    text: ['Brightline Studio', 'Invoice 2026-118', 'Date 05.12.2026  Due 04.01.2027', 'Brand design  250.00', 'Print proofs  83.00', 'Subtotal 333.00', 'VAT 19% 63.27', 'Total EUR 396.27', 'Deposit received 85.00'].join('\n'),
    fields,
    lineItems: [
      { description: 'Brand design', amount: 250 },
      { description: 'Print proofs', amount: 83 },
    ],
    checks: [
      { name: 'line_items_sum', passed: true, detail: 'line items sum to 333.00, subtotal is 333.00' },
      fields.total === 85
        ? { name: 'subtotal_plus_tax', passed: false, detail: '333.00 + 63.27 ≠ 85.00' }
        : { name: 'subtotal_plus_tax', passed: true, detail: '333.00 + 63.27 = 396.27' },
    ],
    lowConfidence: fields.total === 85 ? [{ field: 'total', reasons: ['no total label found: took the largest amount with a currency', 'subtotal + tax (333.00 + 63.27) does not equal the total 85.00'] }] : [],
  });
}
