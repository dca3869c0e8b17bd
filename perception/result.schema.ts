import { z } from 'zod';
import { DOC_TYPES } from './vit/vit.model.ts';

/** Where a value was read: page (0-based) and pixel box in that page's normalised image / rendered PDF page. */
export const BoxSchema = z.object({
  page: z.number().int().min(0),
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
});
export type Box = z.infer<typeof BoxSchema>;

export const WordSchema = z.object({ text: z.string(), box: BoxSchema, confidence: z.number().min(0).max(1) });
export type Word = z.infer<typeof WordSchema>;

/** One extracted value with its confidence, the text it came from, and why it might be wrong. */
function field<T extends z.ZodType>(value: T) {
  return z.object({
    value: value.nullable(),
    confidence: z.number().min(0).max(1),
    /** The printed text the value was parsed from, and its box; null when the field was not found. */
    source: z.object({ text: z.string(), box: BoxSchema }).nullable(),
    reasons: z.array(z.string()),
  });
}

export const TextFieldSchema = field(z.string());
export const AmountFieldSchema = field(z.number());
export const DateFieldSchema = field(z.string().regex(/^\d{4}-\d{2}-\d{2}$/));
export type TextField = z.infer<typeof TextFieldSchema>;
export type AmountField = z.infer<typeof AmountFieldSchema>;
export type DateField = z.infer<typeof DateFieldSchema>;

export const LineItemSchema = z.object({
  description: z.string(),
  quantity: z.number().nullable(),
  unitPrice: z.number().nullable(),
  amount: z.number().nullable(),
  confidence: z.number().min(0).max(1),
  box: BoxSchema,
});
export type LineItem = z.infer<typeof LineItemSchema>;

export const CHECK_NAMES = ['line_items_sum', 'subtotal_plus_tax', 'dates_parse', 'currency_known'] as const;
export const CheckSchema = z.object({
  name: z.enum(CHECK_NAMES),
  /** null when the check could not run (a needed field is missing). */
  passed: z.boolean().nullable(),
  detail: z.string(),
});
export type Check = z.infer<typeof CheckSchema>;

export const InvoiceFieldsSchema = z.object({
  vendor: TextFieldSchema,
  number: TextFieldSchema,
  issueDate: DateFieldSchema,
  dueDate: DateFieldSchema,
  currency: TextFieldSchema,
  subtotal: AmountFieldSchema,
  tax: AmountFieldSchema,
  total: AmountFieldSchema,
  lineItems: z.array(LineItemSchema),
  checks: z.array(CheckSchema),
  /** Language the labels were recognised in (en, de, fr, es, nl), if any. */
  language: z.string().nullable(),
});
export type InvoiceFields = z.infer<typeof InvoiceFieldsSchema>;

export const REGION_KINDS = ['header', 'sidebar', 'footer', 'text_block', 'message', 'button'] as const;
export const ScreenshotSchema = z.object({
  text: z.string(),
  regions: z.array(z.object({ kind: z.enum(REGION_KINDS), box: BoxSchema, text: z.string() })),
  gist: z.string(),
});
export type ScreenshotInfo = z.infer<typeof ScreenshotSchema>;

export const DocTypeSchema = z.enum(DOC_TYPES);

export const PerceptionResultSchema = z.object({
  isDocument: z.boolean(),
  /** Why the input is not treated as a document (blank image, a photo without text…). */
  notDocumentReason: z.string().nullable(),
  docType: z.object({
    value: DocTypeSchema,
    confidence: z.number().min(0).max(1),
    /** The signals that decided the type, e.g. ["vit", "keyword:rechnung", "totals"]. */
    decidedBy: z.array(z.string()),
    vit: z.record(z.string(), z.number()).nullable(),
  }),
  source: z.object({
    kind: z.enum(['image', 'pdf']),
    mimeType: z.string(),
    bytes: z.number().int(),
    pages: z.number().int(),
    pagesProcessed: z.number().int(),
    filename: z.string().nullable(),
  }),
  pages: z.array(
    z.object({
      index: z.number().int(),
      width: z.number(),
      height: z.number(),
      textSource: z.enum(['pdf_text', 'ocr', 'none']),
      ocrConfidence: z.number().nullable(),
      words: z.array(WordSchema),
    }),
  ),
  /** L2-normalised ViT embedding of the first page, for "looks like last month's invoice" similarity. */
  embedding: z.array(z.number()),
  text: z.string(),
  invoice: InvoiceFieldsSchema.nullable(),
  screenshot: ScreenshotSchema.nullable(),
  /** Exactly the fields the operator should confirm, with the reasons; route these to a one-tap fix. */
  lowConfidence: z.array(z.object({ field: z.string(), confidence: z.number(), value: z.unknown(), reasons: z.array(z.string()) })),
  warnings: z.array(z.string()),
  backend: z.string(),
  timings: z.object({ totalMs: z.number(), intakeMs: z.number(), vitMs: z.number(), ocrMs: z.number(), semanticMs: z.number() }),
});
export type PerceptionResult = z.infer<typeof PerceptionResultSchema>;
