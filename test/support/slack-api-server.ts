import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from './multipart.ts';
import { PATIENCE_MS } from './patience.ts';
import { SlackSocketServer } from './slack-socket-server.ts';

export interface SlackApiCall {
  method: string;
  args: Record<string, unknown>;
  auth: string | null;
  /** performance.now() and Date.now() when the request arrived. */
  at: number;
  wall: number;
}

export interface StoredSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  edits: number;
  /** chat.postMessage's `metadata` (event_type, event_payload), returned by conversations.history. */
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  /** Files shared into the channel by files.completeUploadExternal. */
  files?: Array<{ id: string; name: string }>;
}

/** A file uploaded through the external upload flow, with the bytes as they arrived. */
export interface SlackUpload {
  id: string;
  filename: string;
  /** The length announced in files.getUploadURLExternal. */
  length: number;
  bytes: Buffer | null;
  channel: string | null;
  title: string | null;
}

/**
 * A local server speaking enough of Slack's Web API for Bolt and our adapter: auth.test, chat.postMessage,
 * chat.update, chat.postEphemeral, files.info and private file downloads (bearer token required, like
 * Slack; a request without it gets the HTML login page). Every call is recorded; 429s can be injected.
 */
export class SlackApiServer extends EventEmitter {
  readonly calls: SlackApiCall[] = [];
  readonly messages = new Map<string, StoredSlackMessage>(); // key channel:ts
  private readonly files = new Map<string, { id: string; name: string; mimetype: string; bytes: Buffer }>();
  private readonly failures = new Map<string, Array<{ status: number; retryAfter?: number }>>();
  readonly uploads = new Map<string, SlackUpload>();
  private readonly refusals = new Map<string, string[]>();
  private readonly holds: Array<{ method: string; pred: (args: Record<string, unknown>) => boolean }> = [];
  private server: Server | null = null;
  private tsCounter = 0;
  url = '';

  /** Socket Mode: apps.connections.open (with the app token) hands out a WebSocket URL served here. */
  readonly socket = new SlackSocketServer();

  constructor(readonly botToken: string, readonly appToken?: string) {
    super();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket) => this.socket.handleUpgrade(req, socket));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Bolt's clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    this.socket.close();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  addFile(name: string, mimetype: string, bytes: Buffer): { id: string; name: string; mimetype: string; size: number; url_private_download: string; url_private: string } {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    this.files.set(id, { id, name, mimetype, bytes });
    return this.fileObject(id)!;
  }

  /** The next `count` calls of `method` answer with `status` (429 with Retry-After seconds). */
  failNext(method: string, count: number, status = 429, retryAfter?: number): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push({ status, retryAfter });
    this.failures.set(method, list);
  }

  /** The next call of `method` answers HTTP 200 with { ok: false, error } (how Slack refuses, e.g. missing_scope). */
  refuseNext(method: string, error: string): void {
    this.refusals.set(method, [...(this.refusals.get(method) ?? []), error]);
  }

  /**
   * The next call of `method` matching `pred` is carried out (a posted message is stored) but never
   * answered: as if the process that made it died before hearing back. Emits 'held' with the call.
   */
  holdNext(method: string, pred: (args: Record<string, unknown>) => boolean = () => true): void {
    this.holds.push({ method, pred });
  }

  /** Messages of a channel in posting order (what conversations.history pages through, newest first). */
  channelMessages(channel: string): StoredSlackMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel).sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first recorded call (past or future) that matches. */
  waitForCall(pred: (c: SlackApiCall) => boolean, timeoutMs = PATIENCE_MS): Promise<SlackApiCall> {
    const hit = this.calls.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => (this.off('call', on), reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for a Slack API call the test expected; calls so far: ${this.calls.map((c) => c.method).slice(-20).join(', ') || 'none'}`))), timeoutMs);
      const on = (c: SlackApiCall) => {
        if (pred(c)) {
          clearTimeout(t);
          this.off('call', on);
          resolve(c);
        }
      };
      this.on('call', on);
    });
  }

  /** Newest first, from `oldest`, `limit` per page with an offset cursor; metadata only when asked for. */
  private history(args: Record<string, unknown>): Record<string, unknown> {
    const oldest = Number(args.oldest ?? 0);
    const limit = Math.min(Number(args.limit ?? 100), 999);
    const offset = Number(String(args.cursor ?? '').replace(/^off_/, '') || 0);
    const withMeta = String(args.include_all_metadata) === 'true';
    const all = this.channelMessages(String(args.channel)).filter((m) => Number(m.ts) >= oldest).reverse();
    const page = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    return {
      ok: true,
      messages: page.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.files ? { files: m.files } : {}), ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) })),
      has_more: more,
      response_metadata: { next_cursor: more ? `off_${offset + limit}` : '' },
    };
  }

  private fileObject(id: string) {
    const f = this.files.get(id);
    if (!f) return null;
    return {
      id,
      name: f.name,
      mimetype: f.mimetype,
      size: f.bytes.length,
      url_private: `${this.url}/files-pri/${id}/${encodeURIComponent(f.name)}`,
      url_private_download: `${this.url}/files-pri/${id}/download/${encodeURIComponent(f.name)}`,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      const id = url.pathname.split('/')[2];
      const f = this.files.get(id);
      if (req.headers.authorization !== `Bearer ${this.botToken}` || !f) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in to Slack</html>');
        return;
      }
      res.writeHead(200, { 'content-type': f.mimetype, 'content-length': f.bytes.length }).end(f.bytes);
      return;
    }
    if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
      const up = this.uploads.get(url.pathname.split('/')[2]);
      if (!up) return void res.writeHead(404).end('unknown upload');
      up.bytes = uploadedBytes(Buffer.concat(chunks), req.headers['content-type'] ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${up.bytes.length}`);
      this.emit('upload', up);
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const call: SlackApiCall = { method, args, auth: req.headers.authorization ?? null, at: performance.now(), wall: Date.now() };
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      this.calls.push({ ...call, method: `${method}#failed` });
      res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const token = (call.auth ?? '').replace(/^Bearer /, '') || (args.token as string | undefined);
    let body: Record<string, unknown>;
    if (method === 'apps.connections.open') {
      body = this.appToken && token === this.appToken ? { ok: true, url: `${this.url.replace('http', 'ws')}/link` } : { ok: false, error: 'invalid_auth' };
    } else if (token !== this.botToken && method !== 'api.test') body = { ok: false, error: 'invalid_auth' };
    else {
      const refusal = this.refusals.get(method)?.shift();
      body = refusal ? { ok: false, error: refusal } : this.answer(method, args);
    }
    const hold = this.holds.findIndex((h) => h.method === method && h.pred(args));
    if (hold >= 0 && body.ok) {
      this.holds.splice(hold, 1);
      this.calls.push(call);
      this.emit('held', call);
      return;
    }
    this.calls.push(call);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    this.emit('call', call);
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://solo.slack.com/', team: 'Solo', user: 'coo', team_id: 'T0SOLO', user_id: 'UCOOBOT', bot_id: 'BCOOBOT' };
      case 'chat.postMessage': {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.tsCounter).padStart(6, '0')}`;
        const m: StoredSlackMessage = { channel: String(args.channel), ts, text: String(args.text ?? ''), blocks: (args.blocks as StoredSlackMessage['blocks']) ?? [], edits: 0 };
        if (args.metadata) m.metadata = (typeof args.metadata === 'string' ? JSON.parse(args.metadata) : args.metadata) as StoredSlackMessage['metadata'];
        this.messages.set(`${m.channel}:${ts}`, m);
        return { ok: true, channel: m.channel, ts, message: { text: m.text, ts } };
      }
      case 'chat.update': {
        const m = this.messages.get(`${args.channel}:${args.ts}`);
        if (!m) return { ok: false, error: 'message_not_found' };
        m.text = String(args.text ?? '');
        m.blocks = (args.blocks as StoredSlackMessage['blocks']) ?? [];
        m.edits++;
        return { ok: true, channel: m.channel, ts: m.ts };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Date.now() / 1000}` };
      case 'conversations.history':
        return this.history(args);
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (!args.filename || !Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
        this.uploads.set(id, { id, filename: String(args.filename), length, bytes: null, channel: null, title: null });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as Array<{ id: string; title?: string }>;
        const ups = files.map((f) => this.uploads.get(f.id));
        if (ups.some((u) => !u || !u.bytes)) return { ok: false, error: 'file_not_found' };
        if (ups.some((u) => u!.bytes!.length !== u!.length)) return { ok: false, error: 'file_upload_size_mismatch' };
        const channel = args.channel_id ? String(args.channel_id) : null;
        for (const [i, u] of ups.entries()) Object.assign(u!, { channel, title: files[i].title ?? null });
        if (channel) {
          const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.tsCounter).padStart(6, '0')}`;
          this.messages.set(`${channel}:${ts}`, { channel, ts, text: String(args.initial_comment ?? ''), blocks: [], edits: 0, files: ups.map((u) => ({ id: u!.id, name: u!.filename })) });
        }
        return { ok: true, files: ups.map((u) => ({ id: u!.id, title: u!.title ?? u!.filename, name: u!.filename, size: u!.length })) };
      }
      case 'files.info': {
        const f = this.fileObject(String(args.file));
        return f ? { ok: true, file: f } : { ok: false, error: 'file_not_found' };
      }
      default:
        return { ok: true };
    }
  }
}


/** The upload POST's bytes: raw, or the one file of a multipart body (the Web API client sends `body`). */
function uploadedBytes(raw: Buffer, contentType: string): Buffer {
  if (!contentType.startsWith('multipart/form-data')) return raw;
  return parseMultipart(raw, contentType).find((p) => p.filename !== null)?.data ?? Buffer.alloc(0);
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if ((k === 'blocks' || k === 'attachments') && v.startsWith('[')) out[k] = JSON.parse(v);
    else out[k] = v;
  }
  return out;
}

/** Signs a request body as Slack does: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts to our Slack endpoint the way Slack does (signed, with optional retry headers). */
export async function postToSlackEndpoint(
  endpoint: string,
  opts: { secret: string; body: string; contentType: 'application/json' | 'application/x-www-form-urlencoded'; timestamp?: number; signature?: string; headers?: Record<string, string> },
): Promise<Response> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? slackSignature(opts.secret, ts, opts.body),
      ...opts.headers,
    },
    body: opts.body,
  });
}

/** An Events API envelope. */
export function eventEnvelope(event: Record<string, unknown>, eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`): { body: string; eventId: string } {
  return {
    eventId,
    body: JSON.stringify({ token: 'legacy', team_id: 'T0SOLO', api_app_id: 'A0COO', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event }),
  };
}

export function slashCommandBody(fields: { text: string; user_id: string; channel_id: string; channel_name?: string }): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T0SOLO',
    team_domain: 'solo',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'directmessage',
    user_id: fields.user_id,
    user_name: 'operator',
    command: '/coo',
    text: fields.text,
    api_app_id: 'A0COO',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: `trig.${randomBytes(5).toString('hex')}`,
  }).toString();
}

export function blockActionBody(fields: { user_id: string; channel_id: string; message_ts: string; action_id: string; value: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0SOLO', domain: 'solo' },
    user: { id: fields.user_id, username: 'operator', team_id: 'T0SOLO' },
    api_app_id: 'A0COO',
    token: 'legacy',
    container: { type: 'message', message_ts: fields.message_ts, channel_id: fields.channel_id, is_ephemeral: false },
    trigger_id: `trig.${randomBytes(5).toString('hex')}`,
    channel: { id: fields.channel_id, name: 'directmessage' },
    message: { ts: fields.message_ts, type: 'message' },
    response_url: 'http://127.0.0.1:9/unused',
    actions: [{ type: 'button', action_id: fields.action_id, block_id: 'coo_actions_0', value: fields.value, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
