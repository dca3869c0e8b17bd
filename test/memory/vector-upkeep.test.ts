import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChromaVectorStore, createHashedEmbedder, createMemory } from '../../memory/index.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let t: TestDatabase;
let chroma: TestChroma;
beforeAll(async () => {
  [t, chroma] = await Promise.all([createTestDatabase(), startChroma()]);
});
afterAll(async () => {
  await chroma.stop();
  await t.drop();
});

const pending = async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM memory_episode WHERE embedded_at IS NULL'))[0].n;

describe('vector upkeep', () => {
  const collection = `u${randomBytes(3).toString('hex')}`;
  const embedder = createHashedEmbedder({ dims: 256 });
  const chromaStore = (e = embedder) => createChromaVectorStore({ url: chroma.url, collection, embedderId: e.id });

  it('embeds what was written while the vector store was down, once it answers again', async () => {
    const down = createMemory({ db: t.db, pool: t.pool, embedder, vectorStore: createChromaVectorStore({ url: 'http://127.0.0.1:9', collection, embedderId: embedder.id, timeoutMs: 300 }) });
    for (let i = 0; i < 5; i++) await down.addEpisode({ kind: 'message', content: `Order ${i} shipped late`, source: `e:${i}` });
    expect(await pending()).toBe(5);
    expect(await down.upkeepVectors()).toEqual({ embedded: 0, refilled: false }); // still down: nothing lost, nothing done

    const store = chromaStore();
    const up = createMemory({ db: t.db, pool: t.pool, embedder, vectorStore: store });
    expect(await up.upkeepVectors()).toEqual({ embedded: 5, refilled: false });
    expect(await pending()).toBe(0);
    expect(await store.count()).toBe(5);
    expect(await up.upkeepVectors()).toEqual({ embedded: 0, refilled: false });
    const hits = await up.retrieve({ query: 'late shipment of order 3', k: 3, mode: 'vector' });
    expect(hits.mode).toBe('vector');
    expect(hits.items.length).toBeGreaterThan(0);
  });

  it('refills an index that lost its vectors: a new embedder opens an empty collection', async () => {
    const other = createHashedEmbedder({ dims: 128 });
    const store = chromaStore(other);
    const switched = createMemory({ db: t.db, pool: t.pool, embedder: other, vectorStore: store });
    expect(await store.count()).toBe(0);
    expect(await switched.upkeepVectors()).toEqual({ embedded: 5, refilled: true });
    expect(await store.count()).toBe(5);
    expect(await switched.upkeepVectors()).toEqual({ embedded: 0, refilled: false });
  });
});
