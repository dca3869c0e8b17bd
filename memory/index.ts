// memory/: long-term memory (Postgres as the source of truth, Chroma as a rebuildable vector index),
// hybrid retrieval, rolling summaries, retention and forget, and the short-term context builder.

// Facade
export { createMemory, type Memory, type MemoryOptions, type EntityView } from './memory.service.ts';
export { loadMemoryConfig, MemoryConfigSchema, type MemoryConfig } from './config.ts';

// Types and schemas
export {
  EntityInputSchema,
  EntityKindSchema,
  EpisodeInputSchema,
  FactInputSchema,
  RetrievalQuerySchema,
  estimateTokens,
  nameKey,
  type EntityInput,
  type EntityKind,
  type EpisodeInput,
  type FactInput,
  type RetrievalQuery,
  type RetrievalResult,
  type RetrievedItem,
} from './memory.types.ts';

// Short-term context
export { buildContext, combinedProvenance, type ContextSection, type BuiltContext, type Provenance } from './context-builder.ts';
export { createFence, escapeUntrusted, FENCE_TAG_PATTERN, withoutFenceTags, type Fence, type FenceKind } from './fence.ts';

// Summaries, retention, forget
export { extractiveSummarizer, type Summarize, type SummaryEpisode } from './summaries.ts';
export { RetentionPolicySchema, type RetentionPolicy, type RetentionReport } from './retention.ts';
export type { ForgetReport, ForgetPreview, ForgetExtension } from './forget.ts';

// Plain-pg statements for hot paths (Prisma fallback)
export { pgSql, prismaSql, sqlRunner, type SqlRunner } from './sql.ts';

// Ports and adapters
export type { Embedder } from './embedding/embedder.port.ts';
export { createHashedEmbedder, tokenize } from './embedding/hashed.embedder.ts';
export { createOfflineEmbedder } from './embedding/offline.embedder.ts';
export { loadWordVectors, readWordVectorsShape, SHIPPED_WORD_VECTORS, type WordVectors } from './embedding/word-vectors.ts';
export type { VectorStore, VectorItem, VectorHit, VectorFilter, VectorMetadata } from './vector/vector-store.port.ts';
export { createChromaVectorStore } from './vector/chroma.vector-store.ts';
