import type pg from 'pg';
import type { Db } from '../coordinator/db/client.ts';
import type { MemoryConfig } from './config.ts';
import type { Embedder } from './embedding/embedder.port.ts';
import { cachedEmbedder } from './embedding/cached.embedder.ts';
import { createOfflineEmbedder } from './embedding/offline.embedder.ts';
import { createForget, type ForgetExtension, type ForgetPreview, type ForgetReport } from './forget.ts';
import { createMemoryStore, type EntityRow, type FactRow } from './memory.store.ts';
import { nameKey, type RetrievalQuery, type RetrievalResult } from './memory.types.ts';
import { createRetention } from './retention.ts';
import { createRetriever } from './retrieval.ts';
import { sqlRunner } from './sql.ts';
import { createSummaries } from './summaries.ts';
import { createChromaVectorStore } from './vector/chroma.vector-store.ts';
import { createVectorGate, type VectorGate } from './vector/vector-gate.ts';
import { createVectorUpkeep } from './vector-upkeep.ts';
import type { VectorStore } from './vector/vector-store.port.ts';

export interface MemoryOptions {
  db: Db;
  /** A plain pg pool for the hot reads and the retrieval log (about half a Prisma round trip); else Prisma. */
  pool?: pg.Pool | null;
  /** Defaults to the built-in hashed embedder. */
  embedder?: Embedder;
  /** null: Postgres only. Defaults to Chroma at config.COO_CHROMA_URL. */
  vectorStore?: VectorStore | null;
  config?: Partial<MemoryConfig>;
  dataDir?: string;
  forgetExtensions?: ForgetExtension[];
  now?: () => Date;
}

export interface EntityView {
  entity: EntityRow;
  facts: FactRow[];
  episodes: { total: number; byKind: Record<string, number>; latest: Array<{ id: string; kind: string; title: string; source: string; occurredAt: Date }> };
  summaryCovers: number;
}

/**
 * Builds the memory facade: long-term store, hybrid retrieval, rolling summaries, retention and forget,
 * over Postgres and an optional vector store.
 */
export function createMemory(o: MemoryOptions) {
  const embedder = cachedEmbedder(o.embedder ?? createOfflineEmbedder({ dims: o.config?.COO_MEMORY_EMBED_DIMS ?? 384 }));
  const store =
    o.vectorStore === undefined
      ? createChromaVectorStore({ url: o.config?.COO_CHROMA_URL ?? 'http://127.0.0.1:8000', collection: o.config?.COO_CHROMA_COLLECTION ?? 'coo_memory', embedderId: embedder.id })
      : o.vectorStore;
  const vectors: VectorGate = createVectorGate(store);
  const deps = { db: o.db, sql: sqlRunner(o.db, o.pool), embedder, vectors, dataDir: o.dataDir ?? o.config?.COO_DATA_DIR, now: o.now };
  const st = createMemoryStore(deps);
  const retrieve = createRetriever({ ...deps, defaults: { minSimilarity: o.config?.COO_MEMORY_MIN_SIMILARITY, recencyHalfLifeDays: o.config?.COO_MEMORY_RECENCY_HALF_LIFE_DAYS } });
  const forgetRaw = createForget(deps, o.forgetExtensions);
  // The entity id each name last resolved to: a hint that lets a caller start reading an entity's
  // memory alongside the lookup. Only a guess; the lookup stays the authority (see entityIdHint).
  const hints = new Map<string, string>();
  const remember = <T extends { id: string }>(name: string, found: T[]): T[] => {
    const key = nameKey(name);
    hints.delete(key);
    if (found.length === 1) {
      hints.set(key, found[0].id);
      if (hints.size > 10_000) hints.delete(hints.keys().next().value!);
    }
    return found;
  };

  return {
    embedder,
    vectors,
    ...st,
    findEntities: async (name: string) => remember(name, await st.findEntities(name)),
    findEntitiesWithFacts: async (name: string, at?: Date) => remember(name, await st.findEntitiesWithFacts(name, at)),
    /**
     * The id `name` resolved to at its last lookup here, or null. A caller may start reads for it in
     * parallel with findEntities, and must use them only if the lookup returns that same id.
     */
    entityIdHint: (name: string): string | null => hints.get(nameKey(name)) ?? null,
    retrieve: (q: RetrievalQuery): Promise<RetrievalResult> => retrieve(q),
    /** One pass of vector upkeep: catch up records written while the store was down, refill an emptied index. */
    upkeepVectors: createVectorUpkeep(deps, st),
    /** Waits for retrieval-log rows still being written (they are written after the answer returns). */
    flushLogs: () => retrieve.flushLogs(),
    summaries: createSummaries(deps),
    retention: createRetention(deps),
    /** Where a /forget of `name` would erase, with counts per place; changes nothing. */
    async forgetPreview(name: string): Promise<ForgetPreview> {
      await retrieve.flushLogs();
      return forgetRaw.preview(name);
    },
    async forget(name: string, opts: { actor?: string } = {}): Promise<ForgetReport> {
      await retrieve.flushLogs(); // a log row landing after the erase would be a trace
      hints.clear(); // forget also matches aliases: no hint may point at what it erases
      const r = await forgetRaw.forget(name, opts);
      await st.syncVectors(); // re-embed episodes whose mentions were redacted
      return r;
    },
    /** What the COO knows about an entity and where each fact came from (`/memory <name>`). */
    async describe(name: string): Promise<EntityView[]> {
      const out: EntityView[] = [];
      for (const entity of await st.findEntities(name)) {
        const facts = await st.factsOf(entity.id);
        const counts = await o.db.memoryEpisode.groupBy({ by: ['kind'], where: { entityId: entity.id }, _count: { _all: true } });
        const latest = await o.db.memoryEpisode.findMany({ where: { entityId: entity.id }, orderBy: { occurredAt: 'desc' }, take: 5, select: { id: true, kind: true, title: true, source: true, occurredAt: true } });
        const byKind = Object.fromEntries(counts.map((c) => [c.kind, c._count._all]));
        out.push({ entity, facts, episodes: { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind, latest }, summaryCovers: entity.summaryCovers.length });
      }
      return out;
    },
    /** For the digest and `coo doctor`: which mode memory is in. */
    async status(): Promise<{ mode: 'hybrid' | 'postgres_only'; embedder: string; vectorStore: string | null; vector: ReturnType<VectorGate['status']>; pendingVectors: number }> {
      const up = await vectors.check();
      const pendingVectors = await o.db.memoryEpisode.count({ where: { embeddedAt: null, redactedAt: null } });
      return { mode: up ? 'hybrid' : 'postgres_only', embedder: embedder.id, vectorStore: store?.name ?? null, vector: vectors.status(), pendingVectors };
    },
  };
}

export type Memory = ReturnType<typeof createMemory>;
