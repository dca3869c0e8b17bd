import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createChromaVectorStore, createHashedEmbedder, createMemory, type Memory } from '../../memory/index.ts';
import { startChroma, type TestChroma } from './chroma.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { startFakeOpenAi, type FakeOpenAi } from './openai-server.ts';
import type { Db } from '../../coordinator/db/client.ts';
import type { BudgetLedger } from '../../agents/budget/budget.ledger.ts';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import type { ModelPort } from '../../agents/model/model.port.ts';
import { createModelService, type ModelServiceOptions } from '../../agents/model/model.service.ts';
import { createOpenAiProvider } from '../../agents/model/openai.adapter.ts';
import { createPriceTable, type Price, type PriceTable } from '../../agents/model/prices.ts';
import { createCircuitBreaker } from '../../agents/model/resilience.ts';

/** A model port wired to local fake endpoints with test-friendly timings. */
export function testModelPort(
  db: Db,
  endpoints: Array<{ name: string; baseURL: string }>,
  opts: Partial<ModelServiceOptions> & { tiers?: ModelServiceOptions['tiers']; budget?: BudgetLedger | null; pool?: pg.Pool; defaultPrice?: Price | null } = {},
): { model: ModelPort; prices: PriceTable } {
  // Models without a price cost $0 unless a test asks for none (`defaultPrice: null`).
  const prices = createPriceTable(db, { defaultPrice: opts.defaultPrice === undefined ? { inputPerM: 0, outputPerM: 0 } : opts.defaultPrice, ttlMs: 0 });
  const model = createModelService({
    providers: endpoints.map((e) => createOpenAiProvider({ name: e.name, baseURL: e.baseURL, apiKey: 'test' })),
    tiers: opts.tiers ?? { fast: ['fast-1'], deep: ['deep-1'] },
    embedModel: opts.embedModel ?? null,
    recorder: createCallRecorder(db, { pool: opts.pool }),
    prices,
    budget: opts.budget ?? null,
    breaker: opts.breaker ?? createCircuitBreaker({ failures: 5, cooldownMs: 60_000 }),
    timeoutMs: opts.timeoutMs ?? 2_000,
    attempts: opts.attempts ?? 3,
    backoffMs: opts.backoffMs ?? 20,
    maxBackoffMs: opts.maxBackoffMs ?? 2_000,
    defaultMaxTokens: opts.defaultMaxTokens ?? 256,
    maxRetryAfterMs: opts.maxRetryAfterMs,
    timeZone: opts.timeZone,
  });
  return { model, prices };
}

/** A database, a fake OpenAI-compatible server, a Chroma server and a memory over them, for one AI test file. */
export interface AiTestEnv {
  t: TestDatabase;
  srv: FakeOpenAi;
  chroma: TestChroma;
  memory: Memory;
}

export async function startAiTestEnv(collectionPrefix: string): Promise<AiTestEnv> {
  const [t, srv, chroma] = await Promise.all([createTestDatabase(), startFakeOpenAi(), startChroma()]);
  const embedder = createHashedEmbedder({ dims: 256 });
  const memory = createMemory({
    db: t.db,
    pool: t.pool,
    embedder,
    vectorStore: createChromaVectorStore({ url: chroma.url, collection: `${collectionPrefix}${randomBytes(3).toString('hex')}`, embedderId: embedder.id }),
  });
  return { t, srv, chroma, memory };
}

export async function stopAiTestEnv(env: Pick<AiTestEnv, 't' | 'srv' | 'chroma'>): Promise<void> {
  await Promise.all([env.srv.close(), env.chroma.stop()]);
  await env.t.drop();
}
