import { serve, type ServerType } from '@hono/node-server';
import { type Bot, GrammyError, HttpError } from 'grammy';
import type { Logger } from 'pino';
import type { ConversationMessage } from '../../coordinator/index.ts';
import { COMMANDS } from '../core/commands.ts';
import type { ChatGateway } from '../core/gateway.ts';
import type { ChatStateStore } from '../core/store.ts';
import { DeliveryProgress } from '../core/progress.ts';
import type { DeliverContext, Delivery, SurfaceAdapter } from '../core/adapter.ts';
import { safeErr } from '../core/redact.ts';
import { createTelegramBot } from './bot.ts';
import type { BotContext } from './context.ts';
import { TelegramPoller } from './polling.ts';
import { assignParts, decodeParts, type DeliveredPart, encodeParts, partHash } from '../core/split.ts';
import { sendTelegramFiles } from './outbound-files.ts';
import { MAX_TEXT, renderTelegram } from './render.ts';
import { TELEGRAM_WEBHOOK_PATH, telegramWebhookRoutes } from './webhook.ts';

export interface TelegramAdapterOptions {
  token: string;
  apiRoot?: string;
  /** Webhook mode when set (with secret); long polling otherwise. */
  webhook?: { url: string; secret: string; port: number; host: string };
  gateway: ChatGateway;
  store: ChatStateStore;
  logger: Logger;
  dataDir: string;
  pollTimeoutSeconds?: number;
}

/** Telegram as a surface: grammY over long polling or a secret-checked webhook. */
export class TelegramAdapter implements SurfaceAdapter {
  readonly name = 'telegram';
  readonly bot: Bot<BotContext>;
  private poller: TelegramPoller | null = null;
  private server: ServerType | null = null;
  private readonly log: Logger;
  private readonly progress = new DeliveryProgress();

  constructor(private readonly opts: TelegramAdapterOptions) {
    this.log = opts.logger.child({ surface: 'telegram' });
    this.bot = createTelegramBot({
      gateway: opts.gateway,
      store: opts.store,
      logger: this.log,
      dataDir: opts.dataDir,
      apiRoot: opts.apiRoot ?? 'https://api.telegram.org',
      token: opts.token,
    });
  }

  /** The webhook routes, for mounting into another Hono app instead of the adapter's own listener. */
  webhookApp() {
    if (!this.opts.webhook) throw new Error('Telegram webhook mode is not configured');
    return telegramWebhookRoutes(this.bot, { secret: this.opts.webhook.secret, logger: this.log });
  }

  async start(): Promise<void> {
    await this.bot.init();
    try {
      await this.bot.api.setMyCommands(COMMANDS.map((c) => ({ command: c.name, description: c.description })));
    } catch (err) {
      this.log.warn({ err: safeErr(err) }, 'could not set the command menu');
    }
    const wh = this.opts.webhook;
    if (wh) {
      const app = this.webhookApp();
      this.server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: app.fetch, port: wh.port, hostname: wh.host }, () => resolve(s));
      });
      await this.bot.api.setWebhook(wh.url, { secret_token: wh.secret, allowed_updates: ['message', 'callback_query'] });
      this.log.info({ mode: 'webhook', path: TELEGRAM_WEBHOOK_PATH, port: this.webhookPort() }, 'telegram started');
    } else {
      // Telegram keeps a webhook after webhook mode is switched off and refuses getUpdates while it is set.
      const info = await this.bot.api.getWebhookInfo().catch(() => null);
      await this.bot.api.deleteWebhook();
      if (info?.url) this.log.warn({ mode: 'polling' }, 'removed the webhook left from webhook mode, so that long polling gets updates');
      this.poller = new TelegramPoller(this.bot, { logger: this.log, timeoutSeconds: this.opts.pollTimeoutSeconds });
      this.poller.start();
      this.log.info({ mode: 'polling', bot: this.bot.botInfo.username }, 'telegram started');
    }
  }

  /** The webhook listener's actual port (useful when configured as 0). */
  webhookPort(): number | null {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  async stop(): Promise<void> {
    await this.poller?.stop();
    this.poller = null;
    if (this.server) {
      const s = this.server;
      this.server = null;
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  /**
   * Sends the text as one message per part (the keyboard on the last), then each file as a photo or
   * document. A retry after a failure part-way continues where it stopped; after a crash it starts over,
   * since Telegram cannot look messages up (docs/chat-setup.md: the one-duplicate window this leaves).
   */
  async deliver(message: ConversationMessage, chatId: string, ctx: DeliverContext): Promise<{ externalId: string }> {
    const r = await renderTelegram(message, this.opts.store);
    const done = this.progress.of(ctx.deliveryId);
    for (let i = 0; i < r.parts.length; i++) {
      if (done.parts[i]) continue;
      const last = i === r.parts.length - 1;
      const sent = await this.bot.api.sendMessage(chatId, r.parts[i], last && r.reply_markup.inline_keyboard.length ? { reply_markup: r.reply_markup } : {});
      done.parts[i] = { id: String(sent.message_id), hash: partHash(r.parts[i]) };
    }
    await sendTelegramFiles(this.bot.api, chatId, r.uploads, done);
    this.progress.done(ctx.deliveryId);
    return { externalId: encodeParts(done.parts as DeliveredPart[]) };
  }

  /** Edits only the parts whose text changed, and always the last (it carries or loses the keyboard). */
  async edit(message: ConversationMessage, delivery: Delivery): Promise<{ externalId: string } | void> {
    if (!delivery.externalId) return;
    const r = await renderTelegram(message, this.opts.store);
    const old = decodeParts(delivery.externalId);
    const texts = assignParts(r.parts, old.length, MAX_TEXT);
    const now: DeliveredPart[] = [];
    for (let i = 0; i < old.length; i++) {
      const last = i === old.length - 1;
      const hash = partHash(texts[i]);
      now.push({ id: old[i].id, hash });
      if (!last && hash === old[i].hash) continue;
      try {
        await this.bot.api.editMessageText(delivery.chatId, Number(old[i].id), texts[i], last ? { reply_markup: r.reply_markup } : {});
      } catch (err) {
        if (!(err instanceof GrammyError && /message is not modified/i.test(err.description))) throw err;
      }
    }
    return { externalId: encodeParts(now) };
  }

  classifyError(err: unknown): { retryAfterMs?: number; retryable: boolean } {
    if (err instanceof GrammyError) {
      if (err.error_code === 429) return { retryAfterMs: (err.parameters.retry_after ?? 1) * 1000, retryable: true };
      return { retryable: err.error_code >= 500 };
    }
    if (err instanceof HttpError) return { retryable: true };
    return { retryable: false };
  }
}
