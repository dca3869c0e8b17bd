import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadBotConfig } from '../../bot/config.ts';
import { ConsoleAdapter, startSurfaces, type StartedSurfaces } from '../../bot/index.ts';
import { PairingStore } from '../../bot/core/pairing.ts';
import type { OperatorApi } from '../../coordinator/operator/api.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { PATIENCE_MS } from './patience.ts';
import { SlackApiServer } from './slack-api-server.ts';
import { TelegramTestServer } from './telegram-server.ts';

export const TG_TOKEN = '700000001:AAtest-token-never-logged-0123456789';
export const SLACK_TOKEN = 'xoxb-test-token-never-logged-0123';
export const SLACK_SECRET = 'slack-signing-secret-never-logged';
export const SLACK_APP_TOKEN = 'xapp-1-test-app-token-never-logged';
export const WEBHOOK_SECRET = 'telegram-webhook-secret-never-logged';
/** The operator's ids on both platforms, as the tests that bind them use them. */
export const TG_OP = 1001;
export const SLACK_OP = 'U0OPERATOR';
export const SLACK_DM = 'D0OPERATOR';

/** What a test needs from the coordinator under test. */
export interface CoordinatorUnderTest {
  operator: OperatorApi;
  /** Starts a run that asks the operator `question` and returns once its approval is pending. */
  escalate(question: string): Promise<{ approvalId: string; runId: string }>;
  runStatus(runId: string): Promise<string | null>;
  /** Starts a run of any registered process (coordinatorUnderTest's `processes` included). */
  start(process: string, input: unknown): Promise<string>;
  runResult(runId: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  telegram?: false | 'polling' | 'webhook';
  /** true or 'http': signed HTTP requests; 'socket': Socket Mode over the local server's WebSocket. */
  slack?: boolean | 'http' | 'socket';
  perChatIntervalMs?: number;
  /** Registers the web console's adapter with the same hub (h.console), as the app does. */
  console?: boolean;
  coordinator: (db: TestDatabase) => Promise<CoordinatorUnderTest>;
}

/**
 * Real adapters against local platform servers (telegram-test-api, our Slack Web API server), a fresh
 * database per harness, and log lines captured so tests can wait on them and check nothing secret leaks.
 */
export class ChatHarness {
  readonly logs: string[] = [];
  readonly logEvents = new EventEmitter();
  surfaces!: StartedSurfaces;
  pairing!: PairingStore;
  /** The console's adapter when `console: true`; a restart registers a new one, like a new process. */
  console: ConsoleAdapter | null = null;

  private constructor(
    readonly opts: HarnessOptions,
    readonly db: TestDatabase,
    readonly coordinator: CoordinatorUnderTest,
    readonly tg: TelegramTestServer | null,
    readonly slackApi: SlackApiServer | null,
    readonly dataDir: string,
  ) {}

  /** Telegram (polling) and Slack, with the operator's chat bound on both. */
  static async startPaired(coordinator: HarnessOptions['coordinator']): Promise<ChatHarness> {
    const h = await ChatHarness.start({ telegram: 'polling', slack: true, coordinator });
    await h.bind('telegram', String(TG_OP), String(TG_OP));
    await h.bind('slack', SLACK_DM, SLACK_OP);
    return h;
  }

  static async start(opts: HarnessOptions): Promise<ChatHarness> {
    const db = await createTestDatabase();
    const coordinator = await opts.coordinator(db);
    const tg = opts.telegram ? await TelegramTestServer.start() : null;
    const slackApi = opts.slack ? new SlackApiServer(SLACK_TOKEN, opts.slack === 'socket' ? SLACK_APP_TOKEN : undefined) : null;
    await slackApi?.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'coo-chat-'));
    const h = new ChatHarness(opts, db, coordinator, tg, slackApi, dataDir);
    h.pairing = new PairingStore(db.db, { ttlMinutes: 15 });
    await h.startSurfaces();
    return h;
  }

  get operator(): OperatorApi {
    return this.coordinator.operator;
  }

  get slackEndpoint(): string {
    return `http://127.0.0.1:${this.surfaces.slack!.port()}/slack/events`;
  }

  get telegramWebhook(): string {
    return `http://127.0.0.1:${this.surfaces.telegram!.webhookPort()}/telegram/webhook`;
  }

  async startSurfaces(): Promise<void> {
    const config = loadBotConfig({}, {
      ...(this.tg ? { TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: this.tg.apiRoot } : {}),
      ...(this.opts.telegram === 'webhook' ? { TELEGRAM_WEBHOOK_URL: 'https://coo.example.com/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_WEBHOOK_PORT: 0 } : {}),
      ...(this.slackApi
        ? this.opts.slack === 'socket'
          ? { SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_APP_TOKEN, SLACK_API_URL: this.slackApi.apiUrl }
          : { SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_API_URL: this.slackApi.apiUrl, SLACK_PORT: 0 }
        : {}),
      COO_DATA_DIR: this.dataDir,
      COO_CHAT_PER_CHAT_INTERVAL_MS: this.opts.perChatIntervalMs ?? 20,
    });
    const logger = pino({ level: 'debug' }, {
      write: (line: string) => {
        this.logs.push(line);
        this.logEvents.emit('line', line);
      },
    });
    this.console = this.opts.console ? new ConsoleAdapter() : null;
    this.surfaces = await startSurfaces({ operator: this.operator, config, logger, db: this.db.db, console: this.console ?? undefined });
  }

  /** Stops the adapters and the hub and starts new ones on the same database, as a process restart would. */
  async restart(): Promise<void> {
    await this.surfaces.stop();
    await this.startSurfaces();
  }

  async bind(surface: string, chatId: string, userId: string): Promise<void> {
    const { code } = await this.pairing.createPairingCode();
    const r = await this.pairing.redeem(code, { surface, chatId, userId });
    if (!r.ok) throw new Error(`pairing failed: ${r.reason}`);
  }

  /** Resolves with the first captured log line (past or future) containing `text`. */
  waitForLog(text: string, timeoutMs = PATIENCE_MS): Promise<string> {
    const hit = this.logs.find((l) => l.includes(text));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => (this.logEvents.off('line', on), reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for the log line "${text}"`))), timeoutMs);
      const on = (l: string) => {
        if (l.includes(text)) {
          clearTimeout(t);
          this.logEvents.off('line', on);
          resolve(l);
        }
      };
      this.logEvents.on('line', on);
    });
  }

  /** Inbound conversation messages the coordinator stored, oldest first. */
  async inbound() {
    return (await this.operator.listMessages({ limit: 1000 })).filter((m) => m.direction === 'in');
  }

  async close(): Promise<void> {
    await this.surfaces?.stop().catch(() => {});
    await this.tg?.stop().catch(() => {});
    await this.slackApi?.stop().catch(() => {});
    await this.coordinator.close().catch(() => {});
    await this.db.drop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
