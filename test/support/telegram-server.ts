import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import emulator from 'telegram-test-api';
import { parseMultipart } from './multipart.ts';
import { PATIENCE_MS } from './patience.ts';
import type { TelegramServer as Emulator } from 'telegram-test-api/lib/telegramServer.js';

// The package is CommonJS with `module.exports = TelegramServer`: under ESM the default import is the class.
const TelegramServer = emulator as unknown as typeof Emulator;

export interface TelegramCall {
  method: string;
  body: Record<string, unknown>;
  /** performance.now() and Date.now() when the request arrived. */
  at: number;
  wall: number;
  /** Files of a multipart call (sendDocument, sendPhoto), with the bytes as they arrived. */
  files?: TelegramUpload[];
}

export interface TelegramUpload {
  /** The form field the file came in (grammY sends attach:// references to it). */
  field: string;
  name: string;
  bytes: Buffer;
}

/** Telegram's upload limits for bots: 50 MB per document, 10 MB per photo. */
const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * telegram-test-api (the Bot API emulator) with the parts it lacks added in front of its routes: long
 * polling (getUpdates holds the request until an update arrives, as Telegram does, instead of answering
 * at once), getFile and /file/bot<token>/<path> downloads, setMyCommands, injected 429s with retry_after,
 * the webhook state as the Bot API keeps it (setWebhook/deleteWebhook in the emulator, getWebhookInfo here,
 * and getUpdates answered 409 Conflict while a webhook is set), and a record of every Bot API call for
 * assertions and the latency benchmark.
 */
export class TelegramTestServer extends EventEmitter {
  readonly server: Emulator;
  readonly calls: TelegramCall[] = [];
  readonly commandsSet: unknown[] = [];
  private readonly files = new Map<string, { path: string; bytes: Buffer; uniqueId: string }>();
  private readonly failures = new Map<string, Array<{ retryAfter: number }>>();
  private readonly waiting = new Set<() => void>();
  private uploadMessageId = 1_000_000;

  private constructor(server: Emulator) {
    super();
    this.server = server;
  }

  static async start(): Promise<TelegramTestServer> {
    const port = await freePort();
    const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
    const t = new TelegramTestServer(server);
    t.install();
    await server.start();
    return t;
  }

  get apiRoot(): string {
    return this.server.config.apiURL;
  }

  async stop(): Promise<void> {
    for (const w of this.waiting) w();
    await this.server.stop();
  }

  /** Registers bytes that getFile/file download will serve; returns the file_id to put in a message. */
  addFile(bytes: Buffer, ext: string): { file_id: string; file_unique_id: string; file_size: number } {
    const fileId = `FILE${randomBytes(6).toString('hex')}`;
    const uniqueId = randomBytes(4).toString('hex');
    this.files.set(fileId, { path: `documents/${uniqueId}.${ext}`, bytes, uniqueId });
    return { file_id: fileId, file_unique_id: uniqueId, file_size: bytes.length };
  }

  /** The next `count` calls of `method` fail with 429 and parameters.retry_after. */
  failNext(method: string, count: number, retryAfter: number): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push({ retryAfter });
    this.failures.set(method, list);
  }

  callsOf(method: string): TelegramCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  waitForCall(pred: (c: TelegramCall) => boolean, timeoutMs = PATIENCE_MS): Promise<TelegramCall> {
    const hit = this.calls.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => (this.off('call', on), reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for a Telegram API call the test expected; calls so far: ${this.calls.map((c) => c.method).slice(-20).join(', ') || 'none'}`))), timeoutMs);
      const on = (c: TelegramCall) => {
        if (pred(c)) {
          clearTimeout(t);
          this.off('call', on);
          resolve(c);
        }
      };
      this.on('call', on);
    });
  }

  /** The webhook Telegram would post to for this bot (set by setWebhook, cleared by deleteWebhook), or null. */
  webhookOf(token: string): { url: string; secret_token?: string; allowed_updates?: unknown } | null {
    return (this.server as unknown as { webhooks: Record<string, { url: string }> }).webhooks[token] ?? null;
  }

  /** A bot message as the emulator stores it now (after edits). */
  botMessage(messageId: number): Record<string, unknown> | undefined {
    return this.server.storage.botMessages.find((m: { messageId: number }) => m.messageId === messageId)?.message as Record<string, unknown> | undefined;
  }

  private install(): void {
    // The emulator's express app is private; we add one middleware and move it in front of its routes,
    // right after its body parsers.
    const app = (this.server as unknown as { webServer: { use(fn: unknown): void; _router: { stack: Array<{ name: string }> } } }).webServer;
    app.use((req: Request, res: Response, next: NextFunction) => void this.middleware(req, res, next));
    const stack = app._router.stack;
    const mine = stack.pop()!;
    const at = stack.findIndex((l) => l.name === 'requestLogger');
    stack.splice(at + 1, 0, mine);
  }

  private async middleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    const file = /^\/file\/bot[^/]+\/(.+)$/.exec(req.path);
    if (file) {
      const f = [...this.files.values()].find((x) => x.path === file[1]);
      if (!f) return void res.status(404).json({ ok: false, error_code: 404, description: 'Not Found' });
      res.setHeader('content-type', 'application/octet-stream');
      return void res.end(f.bytes);
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!m) return next();
    const [, token, method] = m;
    const body = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
    let files: TelegramUpload[] | null;
    try {
      files = await multipart(req, body);
    } catch {
      return void res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: unreadable multipart body' });
    }
    if (method === 'getUpdates' && this.webhookOf(token)) {
      // The real Bot API refuses polling while a webhook is set, for as long as it stays set.
      const call: TelegramCall = { method: 'getUpdates#409', body, at: performance.now(), wall: Date.now() };
      this.calls.push(call);
      res.once('finish', () => this.emit('call', call));
      return void res.status(409).json({ ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
    }
    if (method !== 'getUpdates') {
      const call: TelegramCall = { method, body, at: performance.now(), wall: Date.now(), ...(files ? { files } : {}) };
      const failure = this.failures.get(method)?.shift();
      if (failure) {
        this.calls.push({ ...call, method: `${method}#429` });
        return void res.status(429).json({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${failure.retryAfter}`, parameters: { retry_after: failure.retryAfter } });
      }
      this.calls.push(call);
      // Emit after the emulator answered, so a waiter sees the message in storage.
      res.once('finish', () => this.emit('call', call));
    }
    switch (method) {
      case 'getUpdates':
        return this.longPoll(token, Number(body.timeout ?? 0), res, next);
      case 'getFile': {
        const f = this.files.get(String(body.file_id));
        if (!f) return void res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return void res.json({ ok: true, result: { file_id: body.file_id, file_unique_id: f.uniqueId, file_size: f.bytes.length, file_path: f.path } });
      }
      case 'sendDocument':
      case 'sendPhoto':
        return void this.answerUpload(method, body, files ?? [], res);
      case 'setWebhook':
        // Telegram ends a held getUpdates when a webhook is set ("terminated by setWebhook request").
        res.once('finish', () => this.emit('webhook-set', token));
        return next();
      case 'getWebhookInfo': {
        const hook = this.webhookOf(token);
        const pending = this.server.storage.userMessages.filter((u: { botToken: string; isRead: boolean }) => u.botToken === token && !u.isRead).length;
        const allowed = typeof hook?.allowed_updates === 'string' ? JSON.parse(hook.allowed_updates) : hook?.allowed_updates;
        return void res.json({ ok: true, result: { url: hook?.url ?? '', has_custom_certificate: false, pending_update_count: pending, ...(allowed ? { allowed_updates: allowed } : {}) } });
      }
      case 'setMyCommands':
        this.commandsSet.push(typeof body.commands === 'string' ? JSON.parse(body.commands) : body.commands);
        return void res.json({ ok: true, result: true });
      default:
        return next();
    }
  }

  /** The emulator has no uploads: answer sendDocument/sendPhoto as Telegram does, with its limits. */
  private answerUpload(method: string, body: Record<string, unknown>, files: TelegramUpload[], res: Response): void {
    const field = method === 'sendPhoto' ? 'photo' : 'document';
    const ref = String(body[field] ?? '');
    const file = files.find((f) => ref === `attach://${f.field}` || f.field === field);
    if (!file) return void res.status(400).json({ ok: false, error_code: 400, description: `Bad Request: there is no ${field} in the request` });
    const max = method === 'sendPhoto' ? MAX_PHOTO_BYTES : MAX_DOCUMENT_BYTES;
    if (file.bytes.length > max) return void res.status(413).json({ ok: false, error_code: 413, description: 'Request Entity Too Large' });
    const fileId = `UP${randomBytes(6).toString('hex')}`;
    const meta = { file_id: fileId, file_unique_id: randomBytes(4).toString('hex'), file_size: file.bytes.length };
    res.json({
      ok: true,
      result: {
        message_id: ++this.uploadMessageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(body.chat_id), type: 'private' },
        ...(method === 'sendPhoto' ? { photo: [{ ...meta, width: 1, height: 1 }] } : { document: { ...meta, file_name: file.name } }),
      },
    });
  }

  private async longPoll(token: string, timeoutS: number, res: Response, next: NextFunction): Promise<void> {
    const pending = () => this.server.storage.userMessages.some((u: { botToken: string; isRead: boolean }) => u.botToken === token && !u.isRead);
    if (!pending() && timeoutS > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.server.off('AddedUserMessage', done);
          this.server.off('AddedUserCommand', done);
          this.server.off('AddedUserCallbackQuery', done);
          res.off('close', done);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutS * 1000);
        const onWebhook = (t: string) => t === token && done();
        this.on('webhook-set', onWebhook);
        res.once('close', () => this.off('webhook-set', onWebhook));
        this.server.on('AddedUserMessage', done);
        this.server.on('AddedUserCommand', done);
        this.server.on('AddedUserCallbackQuery', done);
        res.on('close', done);
        this.waiting.add(done);
      });
    }
    if (this.webhookOf(token) && !res.headersSent) {
      const call: TelegramCall = { method: 'getUpdates#409', body: {}, at: performance.now(), wall: Date.now() };
      this.calls.push(call);
      res.once('finish', () => this.emit('call', call));
      return void res.status(409).json({ ok: false, error_code: 409, description: 'Conflict: terminated by setWebhook request' });
    }
    next();
  }
}

/** Reads a multipart body (the emulator parses only JSON and forms): its fields go into `body`. */
async function multipart(req: Request, body: Record<string, unknown>): Promise<TelegramUpload[] | null> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return null;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const files: TelegramUpload[] = [];
  for (const p of parseMultipart(Buffer.concat(chunks), type)) {
    if (p.filename === null) body[p.name] = p.data.toString('utf8');
    else files.push({ field: p.name, name: p.filename, bytes: p.data });
  }
  return files;
}
