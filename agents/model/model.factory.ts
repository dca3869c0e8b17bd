import type pg from 'pg';
import type { Db } from '../../coordinator/db/client.ts';
import type { AgentsConfig } from '../config.ts';
import type { BudgetLedger } from '../budget/budget.ledger.ts';
import { createCallRecorder, type CallRecorder } from './call-recorder.ts';
import type { ChatProvider, ModelPort } from './model.port.ts';
import { createModelService } from './model.service.ts';
import { createOpenAiProvider } from './openai.adapter.ts';
import { createPriceTable, type PriceTable } from './prices.ts';
import { createCircuitBreaker } from './resilience.ts';

export interface ModelStack {
  model: ModelPort;
  prices: PriceTable;
  recorder: CallRecorder;
}

/**
 * Builds the model port from configuration. No base URL means no-model mode (the port says so, and
 * every chat call fails with `model_not_configured` so callers fall back to templates and escalate).
 */
/** `pool`: call records go through plain pg (one round trip each) instead of Prisma. */
export function createModelStack(cfg: AgentsConfig, deps: { db: Db; budget?: BudgetLedger | null; pool?: pg.Pool | null; timeZone?: string }): ModelStack {
  const providers: ChatProvider[] = [];
  if (cfg.COO_MODEL_BASE_URL) providers.push(createOpenAiProvider({ name: 'primary', baseURL: cfg.COO_MODEL_BASE_URL, apiKey: cfg.COO_MODEL_API_KEY }));
  if (cfg.COO_MODEL_BASE_URL && cfg.COO_MODEL_FALLBACK_BASE_URL) {
    providers.push(createOpenAiProvider({ name: 'fallback', baseURL: cfg.COO_MODEL_FALLBACK_BASE_URL, apiKey: cfg.COO_MODEL_FALLBACK_API_KEY }));
  }
  const prices = createPriceTable(deps.db, { defaultPrice: cfg.COO_MODEL_DEFAULT_PRICE });
  const recorder = createCallRecorder(deps.db, { pool: deps.pool });
  const model = createModelService({
    providers,
    tiers: { fast: cfg.COO_MODEL_FAST, deep: cfg.COO_MODEL_DEEP },
    embedModel: cfg.COO_MODEL_EMBED || null,
    recorder,
    prices,
    budget: deps.budget ?? null,
    breaker: createCircuitBreaker({ failures: cfg.COO_MODEL_BREAKER_FAILURES, cooldownMs: cfg.COO_MODEL_BREAKER_COOLDOWN_MS }),
    timeoutMs: cfg.COO_MODEL_TIMEOUT_MS,
    attempts: cfg.COO_MODEL_ATTEMPTS,
    backoffMs: cfg.COO_MODEL_BACKOFF_MS,
    maxBackoffMs: cfg.COO_MODEL_MAX_BACKOFF_MS,
    defaultMaxTokens: cfg.COO_MODEL_MAX_TOKENS,
    timeZone: deps.timeZone,
  });
  return { model, prices, recorder };
}
