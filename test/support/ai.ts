import type { Db } from '../../coordinator/db/client.ts';
import type { BudgetLedger } from '../../agents/budget/budget.ledger.ts';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import type { ModelPort } from '../../agents/model/model.port.ts';
import { createModelService, type ModelServiceOptions } from '../../agents/model/model.service.ts';
import { createOpenAiProvider } from '../../agents/model/openai.adapter.ts';
import { createPriceTable, type PriceTable } from '../../agents/model/prices.ts';
import { createCircuitBreaker } from '../../agents/model/resilience.ts';

/** A model port wired to local fake endpoints with test-friendly timings. */
export function testModelPort(
  db: Db,
  endpoints: Array<{ name: string; baseURL: string }>,
  opts: Partial<ModelServiceOptions> & { tiers?: ModelServiceOptions['tiers']; budget?: BudgetLedger | null } = {},
): { model: ModelPort; prices: PriceTable } {
  const prices = createPriceTable(db, { defaultPrice: { inputPerM: 0, outputPerM: 0 }, ttlMs: 0 });
  const model = createModelService({
    providers: endpoints.map((e) => createOpenAiProvider({ name: e.name, baseURL: e.baseURL, apiKey: 'test' })),
    tiers: opts.tiers ?? { fast: ['fast-1'], deep: ['deep-1'] },
    embedModel: opts.embedModel ?? null,
    recorder: createCallRecorder(db),
    prices,
    budget: opts.budget ?? null,
    breaker: opts.breaker ?? createCircuitBreaker({ failures: 5, cooldownMs: 60_000 }),
    timeoutMs: opts.timeoutMs ?? 2_000,
    attempts: opts.attempts ?? 3,
    backoffMs: opts.backoffMs ?? 20,
    maxBackoffMs: opts.maxBackoffMs ?? 2_000,
    defaultMaxTokens: opts.defaultMaxTokens ?? 256,
    maxRetryAfterMs: opts.maxRetryAfterMs,
  });
  return { model, prices };
}
