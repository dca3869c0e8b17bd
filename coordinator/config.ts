import 'dotenv/config';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => (typeof v === 'boolean' ? v : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())));

const AGENT = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * "perception=1,reply-drafter=2": the operator's per-queue worker counts, which win over an agent's own
 * default (defineAgent's `concurrency`) and over COO_WORKER_CONCURRENCY. Each bad entry is named.
 */
export const AgentConcurrencySchema = z
  .union([z.string(), z.record(z.string(), z.number())])
  .default('')
  .transform((raw, ctx) => {
    const out: Record<string, number> = {};
    const entries = typeof raw === 'string' ? raw.split(',') : Object.entries(raw).map(([k, v]) => `${k}=${v}`);
    for (const entry of entries.map((x) => x.trim()).filter(Boolean)) {
      const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(entry);
      const n = m ? Number(m[2]) : NaN;
      if (!m || !AGENT.test(m[1]) || !Number.isInteger(n) || n < 1 || n > 256) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not <agent type>=<workers 1..256> (agent types are lower-case letters, digits and dashes), e.g. COO_AGENT_CONCURRENCY="perception=1,reply-drafter=2"` });
        continue;
      }
      if (m[1] in out) ctx.addIssue({ code: 'custom', message: `"${m[1]}" is given twice` });
      out[m[1]] = n;
    }
    return out;
  });

/** The coordinator's configuration, read once from the environment (and .env) and validated at start. */
export const CoordinatorConfigSchema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/solo_coo'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  COO_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only').default('coo'),
  COO_HTTP_HOST: z.string().default('127.0.0.1'),
  COO_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(7420),
  COO_PUBLIC_URL: z.string().url().optional(),
  COO_TIMEZONE: z
    .string()
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'not a known IANA time zone (e.g. Europe/Berlin)'),
  COO_DIGEST_CRON: z.string().default('0 8 * * *'),
  COO_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Workers per agent queue, overriding the agent's default and COO_WORKER_CONCURRENCY: "perception=1,reply-drafter=2". */
  COO_AGENT_CONCURRENCY: AgentConcurrencySchema,
  /**
   * PostgreSQL connections per process (default: 2 × concurrency + 4, since a step's external write
   * holds one while its handler may use another). PostgreSQL's default limit is 100 for all processes.
   */
  COO_DB_POOL: z.coerce.number().int().min(2).max(200).optional(),
  /** How long a worker holds a job before BullMQ considers it stalled (a killed worker's job is retried after this). */
  COO_JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  COO_STALLED_INTERVAL_MS: z.coerce.number().int().min(200).default(15_000),
  COO_POLL_MS: z.coerce.number().int().min(20).default(1_000),
  /**
   * How long adding jobs to BullMQ may take before it counts as failed (the outbox relay adds them later).
   * Bounds the relay and reconciliation while Redis hangs; operators' requests never wait for it.
   */
  /** How often the background pass re-enqueues runs that stand still (it also runs at start and after a reconnect). */
  COO_RECONCILE_MS: z.coerce.number().int().min(1_000).default(30_000),
  COO_REDIS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Days after which a finished run's event log is compacted into its archive row (0 = never). */
  COO_RUN_ARCHIVE_AFTER_DAYS: z.coerce.number().min(0).default(30),
  COO_BLOB_THRESHOLD_BYTES: z.coerce.number().int().min(256).default(8_192),
  /** Named crash points to arm, comma-separated, for crash tests: "point" or "point:probability". */
  COO_CRASH_POINTS: z.string().default(''),
  /** Pins the clock for schedule tests: an ISO time the process starts at, advancing in real time. */
  COO_CLOCK_START: z.string().datetime({ offset: true }).optional(),
  COO_DATA_DIR: z.string().default('.coo'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COO_LOG_PRETTY: bool.default(false),
});

export type CoordinatorConfig = z.infer<typeof CoordinatorConfigSchema>;

/** Parses configuration, failing with one message that lists every bad variable and how to fix it. */
export function loadCoordinatorConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(CoordinatorConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = CoordinatorConfigSchema.safeParse({ ...picked, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (check your environment or .env):\n${lines.join('\n')}`);
  }
  return parsed.data;
}
