import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiLayer } from '../../agents/index.ts';
import { createChromaVectorStore, createHashedEmbedder } from '../../memory/index.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
let chroma: TestChroma;
beforeAll(async () => {
  [env, chroma] = await Promise.all([createTestEnv(), startChroma()]);
});
afterAll(async () => {
  await env.cleanup();
  await chroma.stop();
});

describe('the AI layer keeps vectors caught up', () => {
  it('embeds records that have no vectors as soon as it starts, without an operator', async () => {
    const c0 = await env.coordinator();
    // Records written earlier while Chroma was down: in Postgres, not embedded.
    for (let i = 0; i < 4; i++) {
      await c0.db.memoryEpisode.create({ data: { id: `ep-${i}`, kind: 'message', title: '', content: `Invoice ${i} was paid`, source: `e:${i}`, files: [], occurredAt: new Date() } });
    }
    const embedder = createHashedEmbedder({ dims: 384 });
    const store = createChromaVectorStore({ url: chroma.url, collection: `w${randomBytes(3).toString('hex')}`, embedderId: embedder.id });
    const ai = createAiLayer({ env: {}, vectorStore: store });
    const c = await env.coordinator(ai.coordinatorOptions());
    await ai.attach(c);
    const pending = async () => (await env.tdb.sql<{ n: number }>('SELECT count(*)::int AS n FROM memory_episode WHERE embedded_at IS NULL'))[0].n;
    await waitFor('the records to get their vectors', async () => (await pending()) === 0);
    expect(await store.count()).toBe(4);
  });
});
