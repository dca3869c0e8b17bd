import type { ChromaClient, Collection, Where } from 'chromadb';
import type { VectorFilter, VectorHit, VectorItem, VectorMetadata, VectorStore } from './vector-store.port.ts';

/**
 * Chroma as the vector index, with embeddings supplied by us (`embeddingFunction: null`: Chroma's default
 * would download a model). One collection per embedder id, cosine space. Chroma holds ids, vectors and
 * filter metadata only; content stays in Postgres, so the index can be dropped and rebuilt.
 */
export function createChromaVectorStore(opts: { url: string; collection: string; embedderId: string; timeoutMs?: number }): VectorStore {
  const u = new URL(opts.url);
  // The SDK is loaded on the first call, not here: a `coo` command that never touches vectors skips it.
  let sdk: Promise<ChromaClient> | null = null;
  const chroma = () =>
    (sdk ??= import('chromadb').then(({ ChromaClient }) => new ChromaClient({ host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), ssl: u.protocol === 'https:' })));
  const name = `${opts.collection}_${opts.embedderId}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 60);
  let col: Promise<Collection> | null = null;
  const collection = () => {
    col ??= chroma().then((client) => client.getOrCreateCollection({ name, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } })).catch((e) => {
      col = null;
      throw e;
    });
    return col;
  };
  const where = (f?: VectorFilter & { ids?: never }): Where | undefined => {
    const parts: Where[] = [];
    if (f?.entityId !== undefined) parts.push({ entityId: f.entityId });
    if (f?.kinds?.length) parts.push(f.kinds.length === 1 ? { kind: f.kinds[0] } : { kind: { $in: f.kinds } });
    return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { $and: parts };
  };

  return {
    name: `chroma:${name}`,
    async upsert(items) {
      if (items.length === 0) return;
      const c = await collection();
      for (let i = 0; i < items.length; i += 1000) {
        const batch = items.slice(i, i + 1000);
        await c.upsert({ ids: batch.map((x) => x.id), embeddings: batch.map((x) => x.vector), metadatas: batch.map((x) => ({ ...x.metadata })) });
      }
    },
    async query(vector, k, filter) {
      const c = await collection();
      const r = await c.query({ queryEmbeddings: [vector], nResults: k, where: where(filter), include: ['distances', 'metadatas'] as never });
      const ids = r.ids[0] ?? [];
      const d = r.distances?.[0] ?? [];
      const m = r.metadatas?.[0] ?? [];
      return ids.map((id, i): VectorHit => ({ id, similarity: 1 - Number(d[i] ?? 1), metadata: (m[i] ?? {}) as unknown as VectorMetadata }));
    },
    async delete(sel) {
      const c = await collection();
      let n = 0;
      if (sel.ids?.length) {
        const got = await c.get({ ids: sel.ids, include: [] as never });
        n += got.ids.length;
        if (got.ids.length) await c.delete({ ids: got.ids });
      }
      if (sel.entityId !== undefined) {
        const got = await c.get({ where: { entityId: sel.entityId }, include: [] as never });
        n += got.ids.length;
        if (got.ids.length) await c.delete({ ids: got.ids });
      }
      return n;
    },
    async count(filter) {
      const c = await collection();
      const w = where(filter);
      if (!w) return c.count();
      return (await c.get({ where: w, include: [] as never })).ids.length;
    },
    async existing(ids) {
      if (ids.length === 0) return [];
      const c = await collection();
      return (await c.get({ ids, include: [] as never })).ids;
    },
    async reset() {
      await (await chroma()).deleteCollection({ name }).catch(() => {});
      col = null;
    },
    async healthy() {
      try {
        await Promise.race([chroma().then((client) => client.heartbeat()), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), opts.timeoutMs ?? 1_000))]);
        return true;
      } catch {
        return false;
      }
    },
  };
}
