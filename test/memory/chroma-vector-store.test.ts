import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChromaVectorStore } from '../../memory/index.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { vectorStoreConformance } from './vector-store.conformance.ts';

let chroma: TestChroma;
beforeAll(async () => {
  chroma = await startChroma();
});
afterAll(async () => {
  await chroma.stop();
});

describe('Chroma vector store (conformance)', () => {
  vectorStoreConformance(async () => createChromaVectorStore({ url: chroma.url, collection: `t${randomBytes(4).toString('hex')}`, embedderId: 'test4' }));
});

describe('Chroma vector store when the server is down', () => {
  it('reports unhealthy instead of throwing', async () => {
    const s = createChromaVectorStore({ url: 'http://127.0.0.1:9', collection: 'down', embedderId: 'x', timeoutMs: 500 });
    expect(await s.healthy()).toBe(false);
    await expect(s.count()).rejects.toThrow();
  });
});
