import { z } from 'zod';

export const EntityKindSchema = z.enum(['customer', 'vendor', 'person', 'company', 'product', 'other']);
export type EntityKind = z.infer<typeof EntityKindSchema>;

export const EntityInputSchema = z.object({
  kind: EntityKindSchema,
  name: z.string().min(1).max(300),
  aliases: z.array(z.string().min(1)).default([]),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type EntityInput = z.input<typeof EntityInputSchema>;

export const EpisodeInputSchema = z.object({
  entityId: z.string().nullable().default(null),
  /** message | invoice | document | note | outcome | reply_approved | …; retention policies are per kind. */
  kind: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
  title: z.string().max(500).default(''),
  content: z.string().max(200_000),
  /** Where it came from: `email:<id>`, `perception:<file>`, `run:<id>/<step>`, `operator`. */
  source: z.string().min(1),
  /**
   * Who wrote the content. Only text the operator typed is `operator`; mail, OCR, documents, file names
   * and model output are `untrusted` (the default), and stay fenced as data wherever they are reused.
   */
  provenance: z.enum(['system', 'operator', 'untrusted']).default('untrusted'),
  runId: z.string().optional(),
  /** Files kept for this episode (under the data dir); /forget and retention delete them too. */
  files: z.array(z.string()).default([]),
  /** Structured fields, e.g. an invoice's number, amount and currency. */
  data: z.record(z.string(), z.unknown()).optional(),
  occurredAt: z.coerce.date().optional(),
});
export type EpisodeInput = z.input<typeof EpisodeInputSchema>;

export const FactInputSchema = z.object({
  entityId: z.string(),
  key: z.string().min(1).max(100),
  value: z.string().max(5_000),
  source: z.string().min(1),
  episodeId: z.string().optional(),
  confidence: z.number().min(0).max(1).default(1),
  validFrom: z.coerce.date().optional(),
  validTo: z.coerce.date().optional(),
});
export type FactInput = z.input<typeof FactInputSchema>;

export const RetrievalQuerySchema = z.object({
  query: z.string().min(1).max(5_000),
  entityId: z.string().optional(),
  kinds: z.array(z.string()).optional(),
  k: z.number().int().min(1).max(100).default(5),
  /** Vector hits below this cosine similarity are dropped. */
  minSimilarity: z.number().min(-1).max(1).optional(),
  /** 0 = ignore age; 1 = fully weight by recency. */
  recencyWeight: z.number().min(0).max(1).default(0.2),
  recencyHalfLifeDays: z.number().positive().optional(),
  /** Stop adding items once their content would exceed this many tokens. */
  tokenBudget: z.number().int().min(1).default(1_500),
  mode: z.enum(['hybrid', 'vector', 'text']).default('hybrid'),
  agent: z.string().optional(),
  runId: z.string().optional(),
  /** Skip the retrieval log (benchmarks only). */
  log: z.boolean().default(true),
});
export type RetrievalQuery = z.input<typeof RetrievalQuerySchema>;

export interface RetrievedItem {
  episodeId: string;
  entityId: string | null;
  kind: string;
  title: string;
  content: string;
  source: string;
  provenance: 'system' | 'operator' | 'untrusted';
  occurredAt: Date;
  score: number;
  similarity: number | null;
  vectorRank: number | null;
  textRank: number | null;
}

export interface RetrievalResult {
  retrievalId: string | null;
  mode: 'hybrid' | 'vector' | 'text' | 'postgres_only';
  items: RetrievedItem[];
  tokens: number;
  latencyMs: number;
}

/** Tokens, roughly, for budgeting a context window (≈4 characters per token for English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
