import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ConversationMessage } from '../../coordinator/index.ts';
import type { ChatGateway } from '../core/gateway.ts';
import type { ChatStateStore } from '../core/store.ts';
import type { Delivery, SurfaceAdapter } from '../core/surface.ts';
import { createSlackApp } from './app.ts';
import { renderSlack } from './render.ts';

export interface SlackAdapterOptions {
  token: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  /** HTTP mode: where Bolt listens for /slack/events (events, interactivity and /coo all post there). */
  port: number;
  gateway: ChatGateway;
  store: ChatStateStore;
  logger: Logger;
  dataDir: string;
}

/** Slack as a surface: Bolt in HTTP mode (signed requests) or Socket Mode. */
export class SlackAdapter implements SurfaceAdapter {
  readonly name = 'slack';
  readonly app: App;
  private server: Server | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: SlackAdapterOptions) {
    this.log = opts.logger.child({ surface: 'slack' });
    this.app = createSlackApp(
      { token: opts.token, signingSecret: opts.signingSecret, appToken: opts.appToken, apiUrl: opts.apiUrl },
      { gateway: opts.gateway, store: opts.store, logger: this.log, dataDir: opts.dataDir, token: opts.token },
    );
  }

  get mode(): 'socket' | 'http' {
    return this.opts.appToken ? 'socket' : 'http';
  }

  async start(): Promise<void> {
    const started = await this.app.start(this.opts.port);
    if (this.mode === 'http') this.server = started as Server;
    this.log.info({ mode: this.mode, port: this.port() }, 'slack started');
  }

  /** The HTTP listener's port (when configured as 0). */
  port(): number | null {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  async stop(): Promise<void> {
    await this.app.stop().catch((err) => this.log.warn({ err: (err as Error).message }, 'slack stop failed'));
    this.server = null;
  }

  async deliver(message: ConversationMessage, chatId: string): Promise<{ externalId: string }> {
    const r = await renderSlack(message, this.opts.store);
    const res = await this.app.client.chat.postMessage({ channel: chatId, text: r.text, blocks: r.blocks as never });
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    return { externalId: res.ts };
  }

  async edit(message: ConversationMessage, delivery: Delivery): Promise<void> {
    if (!delivery.externalId) return;
    const r = await renderSlack(message, this.opts.store);
    await this.app.client.chat.update({ channel: delivery.chatId, ts: delivery.externalId, text: r.text, blocks: r.blocks as never });
  }

  classifyError(err: unknown): { retryAfterMs?: number; retryable: boolean } {
    const e = err as { code?: string; retryAfter?: number; statusCode?: number };
    switch (e?.code) {
      case 'slack_webapi_rate_limited_error':
        return { retryAfterMs: (e.retryAfter ?? 1) * 1000, retryable: true };
      case 'slack_webapi_request_error':
        return { retryable: true };
      case 'slack_webapi_http_error':
        return { retryable: (e.statusCode ?? 500) >= 500 };
      case 'slack_webapi_platform_error':
        return { retryable: false };
      default:
        return { retryable: false };
    }
  }
}
