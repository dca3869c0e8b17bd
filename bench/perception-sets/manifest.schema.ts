/**
 * The evaluation-set manifest shared by the real set (test/fixtures/perception-real), the independent generator's
 * set (test/fixtures/perception-indep) and the bench. One entry per file; `group` ties renderings of the same
 * document together so the dev/test split never puts one rendering in dev and another in test.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const DOC_CLASSES = ['invoice', 'receipt', 'screenshot', 'photo', 'other'] as const;
export const RENDERINGS = ['digital-pdf', 'scan', 'phone-photo', 'screenshot'] as const;

const Decimal = z.string().regex(/^-?\d+(\.\d{1,3})?$/, 'a decimal string such as "1234.50"');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const LineItemExpectSchema = z.object({ description: z.string(), amount: Decimal.nullable() });

/** null = the source has no ground truth for the field: the bench skips it for that document. */
export const ExpectedSchema = z.object({
  /** Any of these names counts (the letterhead name, the legal name, a brand). */
  vendor: z.array(z.string().min(1)).min(1).nullable(),
  number: z.string().min(1).nullable(),
  issueDate: IsoDate.nullable(),
  dueDate: IsoDate.nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/).nullable(),
  total: Decimal.nullable(),
  subtotal: Decimal.nullable(),
  tax: Decimal.nullable(),
  lineItems: z.array(LineItemExpectSchema).nullable(),
  /** true when the document's own figures add up (items → subtotal, subtotal + tax → total); null = unknown. */
  consistent: z.boolean().nullable(),
});
export type Expected = z.infer<typeof ExpectedSchema>;

export const ManifestEntrySchema = z.object({
  /** Path relative to the manifest's folder. */
  file: z.string().min(1),
  group: z.string().min(1),
  /** Where it came from: "owner/repo:path" for real documents, "generator:seed" for generated ones. */
  source: z.string().min(1),
  /** Short name of the collection inside the set (invoice2data, sroie, zugferd, indep-gen…). */
  collection: z.string().min(1),
  split: z.enum(['dev', 'test']),
  class: z.enum(DOC_CLASSES),
  rendering: z.enum(RENDERINGS),
  language: z.string().min(2),
  /** null for documents without business fields (screenshots, photos, other). */
  expected: ExpectedSchema.nullable(),
  note: z.string().default(''),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export const ManifestSchema = z.object({
  name: z.string(),
  description: z.string(),
  splitRule: z.string(),
  docs: z.array(ManifestEntrySchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Fixed split: sha256 of the group name; the first 32 bits below 40 % of the range → dev, else test. */
export function splitOf(group: string, devShare = 0.4): 'dev' | 'test' {
  const h = createHash('sha256').update(group).digest().readUInt32BE(0);
  return h / 0x1_0000_0000 < devShare ? 'dev' : 'test';
}
export const SPLIT_RULE = 'dev if the first 32 bits of sha256(group) / 2^32 < 0.4, else test (bench/perception-sets/manifest.schema.ts splitOf)';

/** An expectation with every field unknown, to fill in the fields a source does label. */
export function unknownExpected(over: Partial<Expected> = {}): Expected {
  return { vendor: null, number: null, issueDate: null, dueDate: null, currency: null, total: null, subtotal: null, tax: null, lineItems: null, consistent: null, ...over };
}
