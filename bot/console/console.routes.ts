import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { type ConversationEvent, type ConversationMessage, type OperatorApi, stillAuthorized } from '../../coordinator/index.ts';
import type { ConsoleAdapter } from './console.adapter.ts';
import { chatPage } from './chat-page.ts';

export interface ConsoleOptions {
  operator: OperatorApi;
  /** The console's surface adapter, registered with the surface hub: the live stream comes from it. */
  surface: ConsoleAdapter;
  /** Where uploaded files are kept for processing. */
  filesDir: string;
  /** The only folder message files are served from (default: filesDir's parent, the data dir). */
  dataDir?: string;
  maxUploadBytes?: number;
  actor?: string;
}

const SURFACE = 'console';
const LIMIT = z.coerce.number().int().min(1).max(1000).catch(100);
const SendSchema = z.object({ text: z.string().max(20_000), requestId: z.string().max(100).optional() });
const ActionSchema = z.object({ approvalId: z.string().min(1), option: z.string().min(1), reason: z.string().max(2000).optional(), requestId: z.string().max(100).optional() });

/**
 * The web console: the page and its JSON/SSE API, behind the coordinator's login (mounted after the auth
 * middleware). The live stream is what the surface hub delivers to the console adapter; the history is
 * filtered to the same messages. Request ids from the page make a resent POST harmless.
 */
export function mountConsole(app: Hono, opts: ConsoleOptions): void {
  const { operator } = opts;
  const actor = opts.actor ?? 'operator';
  const maxUpload = opts.maxUploadBytes ?? 20 * 1024 * 1024;

  app.get('/', (c) => c.html(chatPage()));

  app.get('/api/messages', async (c) => {
    const after = c.req.query('after');
    if (after !== undefined && !/^\d+$/.test(after)) return c.json({ error: { code: 'invalid_cursor', message: '"after" must be a message id.' } }, 400);
    const page = await operator.listMessages({ after, limit: LIMIT.parse(c.req.query('limit') ?? 100) });
    return c.json(await shownInConsole(operator, page));
  });

  // A message's files, for the page's download links: only files under the data dir, named by a message.
  const root = resolve(opts.dataDir ?? dirname(opts.filesDir)) + sep;
  app.get('/api/messages/:id/files/:n', async (c) => {
    const n = Number(c.req.param('n'));
    const m = /^\d+$/.test(c.req.param('id')) && Number.isInteger(n) && n >= 0 ? await operator.getMessage(c.req.param('id')) : null;
    const f = m?.body.files[n];
    const path = f?.path ? resolve(f.path) : null;
    const info = path?.startsWith(root) ? await stat(path).catch(() => null) : null;
    if (!f || !path || !info?.isFile()) return c.json({ error: { code: 'file_not_found', message: 'That file is not (or no longer) kept by the COO.' } }, 404);
    return new Response(new Uint8Array(await readFile(path)), {
      headers: {
        'content-type': f.mimeType || 'application/octet-stream',
        'content-length': String(info.size),
        'content-disposition': `attachment; filename="${f.name.replace(/[^\w.\- ]+/g, '_')}"`,
        'x-content-type-options': 'nosniff',
      },
    });
  });

  app.post('/api/messages', async (c) => {
    const body = SendSchema.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: { code: 'invalid_request', message: 'Send JSON like {"text": "/status"}.' } }, 400);
    const r = await operator.handleMessage({ surface: SURFACE, actor, text: body.data.text, dedupeKey: body.data.requestId });
    return c.json(r);
  });

  app.post('/api/actions', async (c) => {
    const body = ActionSchema.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: { code: 'invalid_request', message: 'Send JSON like {"approvalId": "apv_…", "option": "approve"}.' } }, 400);
    const { approvalId, option, reason, requestId } = body.data;
    return c.json(await operator.handleAction({ surface: SURFACE, actor, payload: { type: 'decide', approvalId, option }, reason, dedupeKey: requestId }));
  });

  app.post('/api/files', async (c) => {
    const form = await c.req.parseBody().catch(() => null);
    const file = form?.file;
    if (!(file instanceof File)) return c.json({ error: { code: 'invalid_request', message: 'Upload one file in the "file" field.' } }, 400);
    if (file.size > maxUpload) return c.json({ error: { code: 'too_large', message: `That file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${(maxUpload / 1048576).toFixed(0)} MB.` } }, 413);
    await mkdir(opts.filesDir, { recursive: true });
    const safe = basename(file.name).replace(/[^\w.\-]+/g, '_').slice(-100) || 'upload';
    const path = join(opts.filesDir, `${Date.now()}-${randomBytes(4).toString('hex')}-${safe}`);
    await writeFile(path, Buffer.from(await file.arrayBuffer()));
    const text = typeof form?.text === 'string' ? form.text : '';
    const requestId = typeof form?.requestId === 'string' ? form.requestId : undefined;
    const r = await operator.handleMessage({ surface: SURFACE, actor, text, files: [{ name: safe, mimeType: file.type || 'application/octet-stream', size: file.size, path }], dedupeKey: requestId });
    return c.json(r);
  });

  app.get('/api/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: ConversationEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = opts.surface.subscribe((e) => {
        queue.push(e);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted) {
        // Checked before every write: a session revoked by `coo login --rotate` gets nothing more.
        if (!(await stillAuthorized(c))) {
          await stream.writeSSE({ event: 'logout', data: '{}' });
          break;
        }
        if (queue.length === 0) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 15_000);
          });
          wake = null;
          if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
          continue;
        }
        const e = queue.shift()!;
        await stream.writeSSE({ event: e.kind, data: JSON.stringify(e.message), id: e.message.id });
      }
      unsubscribe();
    }),
  );
}

/**
 * The history the console shows: its own questions, and what the hub would route to it (everything
 * from the COO except replies to questions asked on Telegram or Slack, which went back there).
 */
async function shownInConsole(operator: OperatorApi, page: ConversationMessage[]): Promise<ConversationMessage[]> {
  const surfaceOf = new Map(page.map((m) => [m.id, m.surface]));
  const out: ConversationMessage[] = [];
  for (const m of page) {
    if (m.direction === 'in') {
      if (m.surface === SURFACE) out.push(m);
      continue;
    }
    if (!m.replyTo) {
      out.push(m);
      continue;
    }
    if (!surfaceOf.has(m.replyTo)) surfaceOf.set(m.replyTo, (await operator.getMessage(m.replyTo))?.surface ?? '');
    if (surfaceOf.get(m.replyTo) === SURFACE) out.push(m);
  }
  return out;
}
