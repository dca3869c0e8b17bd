import type { MemoryDeps, MemoryStore } from './memory.store.ts';

export interface UpkeepReport {
  /** Records that got their vectors in this pass. */
  embedded: number;
  /** The index had lost every vector Postgres says it holds (a new embedder's collection, a wiped data folder): all were queued again. */
  refilled: boolean;
}

/**
 * Keeps the vector index caught up with Postgres without an operator: records written while the vector
 * store was down get their vectors once it answers again, and an index found empty although Postgres
 * says its records were embedded (switching embedders opens a new collection; Chroma's data folder may
 * be gone) is refilled from Postgres, a batch per pass. Re-embedding is an idempotent upsert, so two
 * processes doing it at once cost work, not correctness.
 */
export function createVectorUpkeep(d: MemoryDeps, st: Pick<MemoryStore, 'syncVectors'>) {
  return async function upkeep(batch = 2_000): Promise<UpkeepReport> {
    if (!d.vectors.store || !(await d.vectors.check())) return { embedded: 0, refilled: false };
    let refilled = false;
    const stored = await d.vectors.use((s) => s.count(), -1);
    if (stored.used && stored.value === 0) {
      const { count } = await d.db.memoryEpisode.updateMany({ where: { embeddedAt: { not: null }, redactedAt: null }, data: { embeddedAt: null } });
      refilled = count > 0;
    }
    return { embedded: await st.syncVectors(batch), refilled };
  };
}
