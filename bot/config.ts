import 'dotenv/config';
import { z } from 'zod';
import { ConfigError } from '../coordinator/index.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => (typeof v === 'boolean' ? v : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())));

/**
 * The chat surfaces' configuration. Each adapter starts only when its tokens are present; nothing here is
 * ever logged as a value (describeSurfaces reports presence only).
 */
export const BotConfigSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalString,
  /** Public HTTPS URL Telegram should POST updates to; when set the bot runs in webhook mode instead of long polling. */
  TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.string().url().optional()),
  /** Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; required with TELEGRAM_WEBHOOK_URL. */
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16-256 characters of A-Z, a-z, 0-9, _ and -').optional()),
  /** Local port the webhook listener binds (behind your reverse proxy). */
  TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(7421),
  /** Bot API root; only for tests and self-hosted Bot API servers. */
  TELEGRAM_API_ROOT: optionalString.pipe(z.string().url().optional()),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  /** App-level token (xapp-…): runs Slack in Socket Mode, no public URL needed. */
  SLACK_APP_TOKEN: optionalString,
  /** Web API base URL; only for tests (a local server speaking Slack's Web API). */
  SLACK_API_URL: optionalString.pipe(z.string().url().optional()),
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(7422),
  COO_HTTP_HOST: z.string().default('127.0.0.1'),
  COO_DATA_DIR: z.string().default('.coo'),
  /** Minimum spacing of messages to one chat (Telegram asks for about 1/s per chat). */
  COO_CHAT_PER_CHAT_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),
  /** Overall outbound messages per second per platform (Telegram: 30/s). */
  COO_CHAT_GLOBAL_PER_SECOND: z.coerce.number().int().min(1).default(30),
  /** Pairing codes expire after this many minutes. */
  COO_PAIRING_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Wrong pairing codes one chat may send per COO_PAIRING_WINDOW_MINUTES before it must wait. */
  COO_PAIRING_MAX_WRONG_PER_CHAT: z.coerce.number().int().min(1).default(5),
  /** Wrong pairing codes all chats together may send per window (guessing spread over many chats). */
  COO_PAIRING_MAX_WRONG_GLOBAL: z.coerce.number().int().min(1).default(30),
  COO_PAIRING_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  COO_CHAT_LOG_REFUSALS: bool.default(true),
});

export type BotConfig = z.infer<typeof BotConfigSchema>;

/** Parses the chat configuration once at start, listing every bad variable in one error. */
export function loadBotConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof BotConfig, unknown>> = {}): BotConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(BotConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = BotConfigSchema.safeParse({ ...picked, ...overrides });
  if (!parsed.success) {
    // Only the variable names and the rule broken: never the values, which may be secrets.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid chat configuration (check your environment or .env):\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid chat configuration: TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (16+ characters of A-Z, a-z, 0-9, _ and -).');
  }
  return c;
}
