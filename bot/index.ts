/**
 * The operator's surfaces (web console, Telegram, Slack). bot/ talks to the coordinator only through its
 * OperatorApi; the coordinator knows nothing of chat platforms.
 */
import type { Logger } from 'pino';
import type { Db, OperatorApi } from '../coordinator/index.ts';
import type { BotConfig } from './config.ts';
import { ChatGateway } from './core/gateway.ts';
import { PairingStore } from './core/pairing.ts';
import { SurfacePresence } from './core/presence.ts';
import { ChatStateStore } from './core/store.ts';
import type { SurfaceAdapter } from './core/adapter.ts';
import { SurfaceHub } from './core/surface.ts';
import { SlackAdapter } from './slack/adapter.ts';
import { TelegramAdapter } from './telegram/adapter.ts';
import { ConsoleAdapter } from './console/console.adapter.ts';

export { type BotConfig, BotConfigSchema, loadBotConfig } from './config.ts';
export { type ChatBindingRow, normalizeCode, pairFailureReply, PairingStore, type PairingOptions, type RedeemResult } from './core/pairing.ts';
export { ChatGateway, REFUSAL } from './core/gateway.ts';
export { ChatStateStore } from './core/store.ts';
export { PRESENCE_STALE_MS, runningSurfaces, SurfacePresence, type SurfacePresenceRow } from './core/presence.ts';
export { OutboundQueue } from './core/rate-limiter.ts';
export type { DeliverContext, Delivery, SurfaceAdapter } from './core/adapter.ts';
export { SurfaceHub } from './core/surface.ts';
export { COMMANDS } from './core/commands.ts';
export { SlackAdapter } from './slack/adapter.ts';
export { TelegramAdapter } from './telegram/adapter.ts';
export { TELEGRAM_WEBHOOK_PATH } from './telegram/webhook.ts';
export { checkTelegramWebhook, type WebhookStateCheck } from './telegram/webhook-state.ts';
export { mountConsole, type ConsoleOptions } from './console/console.routes.ts';
export { CONSOLE_CHAT, ConsoleAdapter } from './console/console.adapter.ts';
export { mountPairing } from './console/pairing.routes.ts';
export type {
  OperatorApi,
  OutboundMessage,
  InboundMessage,
  OperatorAction,
  Button,
  FileRef,
  ConversationMessage,
  ConversationEvent,
} from '../coordinator/index.ts';

export interface SurfaceStatus {
  surface: 'telegram' | 'slack';
  configured: boolean;
  mode: string | null;
  /** Environment variables still needed, by name (never values). */
  missing: string[];
  notes: string[];
}

/** What `coo doctor` prints: which chat surfaces will start and what each still needs. */
export function describeSurfaces(config: BotConfig): SurfaceStatus[] {
  const tg: SurfaceStatus = { surface: 'telegram', configured: Boolean(config.TELEGRAM_BOT_TOKEN), mode: null, missing: [], notes: [] };
  if (!config.TELEGRAM_BOT_TOKEN) tg.missing.push('TELEGRAM_BOT_TOKEN');
  else tg.mode = config.TELEGRAM_WEBHOOK_URL ? 'webhook' : 'long polling';
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET) tg.missing.push('TELEGRAM_WEBHOOK_SECRET');
  if (config.TELEGRAM_API_ROOT) tg.notes.push('TELEGRAM_API_ROOT is set: talking to a non-default Bot API server');

  const sl: SurfaceStatus = { surface: 'slack', configured: false, mode: null, missing: [], notes: [] };
  if (!config.SLACK_BOT_TOKEN) sl.missing.push('SLACK_BOT_TOKEN');
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) sl.missing.push('SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  if (config.SLACK_BOT_TOKEN && (config.SLACK_APP_TOKEN || config.SLACK_SIGNING_SECRET)) {
    sl.configured = true;
    sl.mode = config.SLACK_APP_TOKEN ? 'socket mode' : `http on port ${config.SLACK_PORT}`;
  }
  if (config.SLACK_API_URL) sl.notes.push('SLACK_API_URL is set: talking to a non-default Web API server');
  return [tg, sl];
}

export interface StartedSurfaces {
  hub: SurfaceHub;
  gateway: ChatGateway;
  pairing: PairingStore;
  /** Every registered surface, the console included when given. */
  adapters: SurfaceAdapter[];
  telegram: TelegramAdapter | null;
  slack: SlackAdapter | null;
  /** Starts Telegram and Slack (those configured) on this hub, if they were left out at start. */
  startChats(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartSurfacesOptions {
  operator: OperatorApi;
  config: BotConfig;
  logger: Logger;
  /** Holds bot/'s own tables (bindings, cursors, long buttons). */
  db: Db;
  /** The web console's adapter, registered with the same hub as the chat platforms. */
  console?: ConsoleAdapter;
  /** false: only the console for now (an HTTP-only process); `startChats()` adds the platforms later. */
  chats?: boolean;
}

/**
 * Starts the surface hub with the console (when given) and whichever chat platforms are configured (none
 * is fine: the web console still works), all behind the one SurfaceAdapter interface.
 */
export async function startSurfaces(opts: StartSurfacesOptions): Promise<StartedSurfaces> {
  const { operator, config, db } = opts;
  const logger = opts.logger.child({ component: 'surfaces' });
  const pairing = new PairingStore(db, {
    ttlMinutes: config.COO_PAIRING_TTL_MINUTES,
    maxWrongPerChat: config.COO_PAIRING_MAX_WRONG_PER_CHAT,
    maxWrongGlobal: config.COO_PAIRING_MAX_WRONG_GLOBAL,
    windowMinutes: config.COO_PAIRING_WINDOW_MINUTES,
  });
  const store = new ChatStateStore(db);
  const hub = new SurfaceHub({
    operator,
    pairing,
    store,
    logger,
    queue: { perChatIntervalMs: config.COO_CHAT_PER_CHAT_INTERVAL_MS, globalPerSecond: config.COO_CHAT_GLOBAL_PER_SECOND },
  });
  const gateway = new ChatGateway({ operator, pairing, hub, logger });
  const presence = new SurfacePresence(db);
  if (opts.console) void hub.register(opts.console);
  const out: StartedSurfaces = {
    hub,
    gateway,
    pairing,
    get adapters() {
      return hub.adapters;
    },
    telegram: null,
    slack: null,
    startChats: async () => {
      if (chatsStarted) return;
      chatsStarted = true;
      const chats = chatAdapters(config, { gateway, store, logger });
      out.telegram = chats.telegram;
      out.slack = chats.slack;
      const started: SurfaceAdapter[] = [];
      try {
        for (const a of chats.list) {
          await a.start();
          started.push(a);
        }
      } catch (err) {
        for (const a of started) await a.stop().catch(() => {});
        throw err;
      }
      await Promise.all(chats.list.map((a) => hub.register(a)));
      const modes = new Map(describeSurfaces(config).map((s) => [s.surface as string, s.mode]));
      await presence
        .announce(chats.list.map((a) => ({ name: a.name, mode: modes.get(a.name) ?? null })))
        .catch((err) => logger.warn({ err: (err as Error).message }, 'could not record which chat surfaces run (coo doctor will not see them)'));
      for (const s of describeSurfaces(config)) {
        if (!s.configured) logger.info({ surface: s.surface, missing: s.missing }, 'chat surface not configured');
      }
    },
    stop: async () => {
      await presence.withdraw().catch((err) => logger.warn({ err: (err as Error).message }, 'could not clear the chat surface presence'));
      for (const a of hub.adapters) await a.stop().catch((err) => logger.warn({ surface: a.name, err: (err as Error).message }, 'adapter stop failed'));
      await hub.stop();
    },
  };
  let chatsStarted = false;
  try {
    await hub.start();
    if (opts.chats !== false) await out.startChats();
  } catch (err) {
    await out.stop();
    throw err;
  }
  return out;
}

function chatAdapters(config: BotConfig, deps: { gateway: ChatGateway; store: ChatStateStore; logger: Logger }) {
  const { gateway, store, logger } = deps;
  let telegram: TelegramAdapter | null = null;
  let slack: SlackAdapter | null = null;
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = new TelegramAdapter({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      webhook: config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
        ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET, port: config.TELEGRAM_WEBHOOK_PORT, host: config.COO_HTTP_HOST }
        : undefined,
      gateway,
      store,
      logger,
      dataDir: config.COO_DATA_DIR,
    });
  }
  if (config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)) {
    slack = new SlackAdapter({
      token: config.SLACK_BOT_TOKEN,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      port: config.SLACK_PORT,
      gateway,
      store,
      logger,
      dataDir: config.COO_DATA_DIR,
    });
  }
  return { telegram, slack, list: [telegram, slack].filter((a): a is TelegramAdapter | SlackAdapter => a !== null) };
}
