import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ConversationMessage } from '../../coordinator/index.ts';
import type { ChatGateway } from '../core/gateway.ts';
import type { ChatStateStore } from '../core/store.ts';
import { ChatError } from '../core/errors.ts';
import { DeliveryProgress } from '../core/progress.ts';
import { decodeParts, type DeliveredPart, encodeParts, partHash } from '../core/split.ts';
import type { DeliverContext, Delivery, SurfaceAdapter } from '../core/adapter.ts';
import { safeErr } from '../core/redact.ts';
import { createSlackApp } from './app.ts';
import { DELIVERY_EVENT, findDelivery } from './history.ts';
import { uploadSlackFiles } from './outbound-files.ts';
import { type Block, renderSlack, type SlackMessagePart, type SlackRender } from './render.ts';

const CONTINUED: SlackMessagePart = { text: '⋯', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '⋯' } }] };

function foldParts(parts: SlackMessagePart[]): SlackMessagePart {
  const blocks: Block[] = parts.flatMap((p) => p.blocks).slice(-50);
  return { text: parts[parts.length - 1].text, blocks };
}

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
  private readonly progress = new DeliveryProgress();

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

  /**
   * Posts one message per part, each tagged with metadata naming the delivery and the part, so that
   * `recover` can find them after a crash; then uploads the files (files.getUploadURLExternal, the
   * upload, files.completeUploadExternal: the Web API client's files.uploadV2). A retry after a failure
   * part-way continues where it stopped.
   */
  async deliver(message: ConversationMessage, chatId: string, ctx: DeliverContext): Promise<{ externalId: string }> {
    const r = await renderSlack(message, this.opts.store);
    return this.post(r, chatId, ctx.deliveryId);
  }

  /**
   * After a crash or an unanswered call, looks for this delivery's parts in the channel's recent history
   * (by their metadata) before anything is posted again, and posts only what is missing: parts not
   * found, and files not seen in the channel after the last part.
   */
  async recover(message: ConversationMessage, chatId: string, ctx: DeliverContext): Promise<{ externalId: string } | null> {
    let found: Awaited<ReturnType<typeof findDelivery>>;
    try {
      found = await findDelivery(this.app.client, chatId, ctx.deliveryId, Date.parse(message.createdAt));
    } catch (err) {
      // Without a history scope (e.g. channels:history for a paired channel) the lookup is refused: post
      // as before rather than not at all, and say which scope would close the duplicate window.
      if ((err as { code?: string }).code !== 'slack_webapi_platform_error') throw err;
      this.log.warn({ chatId, err: safeErr(err) }, 'could not check conversations.history before re-posting (add the history scopes from docs/slack-app-manifest.yml); posting anyway');
      return null;
    }
    if (found.parts.size === 0) return null;
    const r = await renderSlack(message, this.opts.store);
    const done = this.progress.of(ctx.deliveryId);
    for (const [i, ts] of found.parts) if (i < r.parts.length) done.parts[i] = { id: ts, hash: partHash(JSON.stringify(r.parts[i].blocks)) };
    const lastTs = found.parts.get(r.parts.length - 1);
    if (lastTs !== undefined) {
      // Files go out in order after the last part: those already in the channel are skipped.
      const seen = found.filesAfter(lastTs);
      while (done.files < r.uploads.length && seen.has(r.uploads[done.files].name)) done.files++;
    }
    this.log.info({ chatId, deliveryId: ctx.deliveryId, found: found.parts.size, parts: r.parts.length }, 'found an interrupted delivery in the channel; posting only what is missing');
    return this.post(r, chatId, ctx.deliveryId);
  }

  private async post(r: SlackRender, chatId: string, deliveryId: string): Promise<{ externalId: string }> {
    const done = this.progress.of(deliveryId);
    for (let i = 0; i < r.parts.length; i++) {
      if (done.parts[i]) continue;
      const p = r.parts[i];
      const res = await this.app.client.chat.postMessage({
        channel: chatId,
        text: p.text,
        blocks: p.blocks as never,
        metadata: { event_type: DELIVERY_EVENT, event_payload: { delivery_id: deliveryId, part: i, parts: r.parts.length } },
      });
      if (!res.ts) throw new ChatError('chat_send_failed', 'Slack accepted chat.postMessage but returned no ts', { retryable: true });
      done.parts[i] = { id: res.ts, hash: partHash(JSON.stringify(p.blocks)) };
    }
    await uploadSlackFiles(this.app.client, chatId, r.uploads, done);
    this.progress.done(deliveryId);
    return { externalId: encodeParts(done.parts as DeliveredPart[]) };
  }

  /** Updates the parts whose blocks changed, and always the last (it carries or loses the buttons). */
  async edit(message: ConversationMessage, delivery: Delivery): Promise<{ externalId: string } | void> {
    if (!delivery.externalId) return;
    const r = await renderSlack(message, this.opts.store);
    const old = decodeParts(delivery.externalId);
    const now: DeliveredPart[] = [];
    for (let i = 0; i < old.length; i++) {
      const last = i === old.length - 1;
      // More parts than were delivered: the surplus sections join the last message (up to Slack's 50 blocks).
      const p = last ? (r.parts.length > old.length ? foldParts(r.parts.slice(i)) : r.parts[r.parts.length - 1]) : i < r.parts.length - 1 ? r.parts[i] : CONTINUED;
      const hash = partHash(JSON.stringify(p.blocks));
      now.push({ id: old[i].id, hash });
      if (!last && hash === old[i].hash) continue;
      await this.app.client.chat.update({ channel: delivery.chatId, ts: old[i].id, text: p.text, blocks: p.blocks as never });
    }
    return { externalId: encodeParts(now) };
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
