import 'dotenv/config';
import { z } from 'zod';
import { ConfigError } from '../coordinator/errors.ts';

const chain = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/**
 * The AI layer's configuration. With no COO_MODEL_BASE_URL the product runs in no-model mode: steps that
 * need a model produce template drafts and escalate, and memory embeds with the built-in hashed embedder.
 * Tier chains are comma-separated; an entry `fallback:<model>` goes to the second endpoint.
 */
export const AgentsConfigSchema = z.object({
  COO_MODEL_BASE_URL: z.string().url().optional(),
  COO_MODEL_API_KEY: z.string().default('not-needed'),
  COO_MODEL_FALLBACK_BASE_URL: z.string().url().optional(),
  COO_MODEL_FALLBACK_API_KEY: z.string().default('not-needed'),
  COO_MODEL_FAST: chain,
  COO_MODEL_DEEP: chain,
  /** Embedding model on the primary endpoint; empty means the built-in offline embedder. */
  COO_MODEL_EMBED: z.string().default(''),
  COO_MODEL_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** Attempts per model in the chain (the SDK's own retries are off; this layer owns them). */
  COO_MODEL_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  COO_MODEL_BACKOFF_MS: z.coerce.number().int().min(0).default(500),
  COO_MODEL_MAX_BACKOFF_MS: z.coerce.number().int().min(0).default(30_000),
  COO_MODEL_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  COO_MODEL_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
  COO_MODEL_MAX_TOKENS: z.coerce.number().int().min(16).default(1_024),
  /**
   * Price (USD per million tokens, "in,out") for models neither in model_price nor in the shipped list
   * (agents/model/price-list.ts). Unset: such a model has no known price and is refused under a cap.
   */
  COO_MODEL_DEFAULT_PRICE: z
    .string()
    .default('')
    .transform((s, ctx) => {
      if (s.trim() === '') return null;
      const [a, b] = s.split(',').map(Number);
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        ctx.addIssue({ code: 'custom', message: 'expected "inputPerM,outputPerM", e.g. "0.15,0.6"' });
        return z.NEVER;
      }
      return { inputPerM: a, outputPerM: b };
    }),
  /** Connections of the AI layer's own pg pool (budget reserve/settle and call records, one round trip each). */
  COO_AI_DB_POOL: z.coerce.number().int().min(1).max(100).default(8),
  /** The global daily / monthly cap in USD: created or updated at every start (coo doctor shows them). */
  COO_BUDGET_DAY_USD: z.coerce.number().nonnegative().optional(),
  COO_BUDGET_MONTH_USD: z.coerce.number().nonnegative().optional(),
});

export type AgentsConfig = z.infer<typeof AgentsConfigSchema>;

/** Parses the AI layer's configuration, listing every bad variable in one message. */
export function loadAgentsConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof AgentsConfig, unknown>> = {}): AgentsConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(AgentsConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = AgentsConfigSchema.safeParse({ ...picked, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid AI configuration (check your environment or .env):\n${lines.join('\n')}`);
  }
  return parsed.data;
}
