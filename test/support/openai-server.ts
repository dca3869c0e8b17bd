import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PATIENCE_MS } from './patience.ts';

/** What the fake endpoint answers to one request. */
export type Scripted =
  | { content?: string | null; toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>; usage?: { in: number; out: number }; finishReason?: string; delayMs?: number }
  | { status: number; retryAfter?: string; body?: unknown; delayMs?: number }
  | { hang: true }
  | { malformed: true };

export interface RecordedRequest {
  path: string;
  model: string;
  body: Record<string, unknown>;
  at: number;
}

export type Responder = (req: RecordedRequest) => Scripted | undefined;

/**
 * A local OpenAI-compatible HTTP server for tests: chat completions (tool calls, structured output) and
 * embeddings from scripted fixtures. It records every request and can answer 429 with Retry-After, 5xx,
 * hang (client timeout) or malformed JSON. The real `openai` SDK talks to it.
 */
export interface FakeOpenAi {
  baseURL: string;
  requests: RecordedRequest[];
  /** Queues answers for a model (or for any model with '*'), consumed in order before the responder. */
  script(model: string, ...answers: Scripted[]): void;
  /** Fallback for requests with nothing queued; the default echoes the last user message. */
  respond(fn: Responder): void;
  /** How many prompt tokens an embeddings request reports (default: the input's characters); a misbehaving provider over-reports. */
  embeddingUsage(fn: ((input: string[]) => number) | null): void;
  /** Resolves once `n` requests (optionally matching) have arrived. */
  waitForRequests(n: number, match?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  const queues = new Map<string, Scripted[]>();
  const waiters: Array<() => void> = [];
  const hanging = new Set<ServerResponse>();
  const defaultResponder: Responder = (r) => {
    const msgs = (r.body.messages as Array<{ role: string; content: string }>) ?? [];
    const last = [...msgs].reverse().find((m) => m.role === 'user');
    return { content: `echo: ${last?.content ?? ''}`.slice(0, 200) };
  };
  let responder: Responder = defaultResponder;
  let embedTokens: ((input: string[]) => number) | null = null;

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      res.writeHead(400).end('{"error":{"message":"bad json"}}');
      return;
    }
    const path = (req.url ?? '').replace(/\?.*$/, '');
    const rec: RecordedRequest = { path, model: String(body.model ?? ''), body, at: Date.now() };
    requests.push(rec);
    for (const w of waiters.splice(0)) w();

    if (path.endsWith('/embeddings')) {
      const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: hashVector(t, 16) }));
      const tokens = embedTokens ? embedTokens(input) : input.join(' ').length;
      json(res, 200, { object: 'list', data, model: rec.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
      return;
    }
    if (!path.endsWith('/chat/completions')) return json(res, 404, { error: { message: 'not found' } });

    const q = queues.get(rec.model)?.length ? queues.get(rec.model)! : queues.get('*');
    const answer = q?.shift() ?? responder(rec) ?? defaultResponder(rec)!;
    if ('delayMs' in answer && answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if ('hang' in answer) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('malformed' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ {"message": ');
      return;
    }
    if ('status' in answer) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      res.writeHead(answer.status, headers).end(JSON.stringify(answer.body ?? { error: { message: `scripted ${answer.status}`, type: 'scripted' } }));
      return;
    }
    const toolCalls = (answer.toolCalls ?? []).map((t, i) => ({
      id: t.id ?? `call_${requests.length}_${i}`,
      type: 'function',
      function: { name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments) },
    }));
    const usage = answer.usage ?? { in: 100, out: 20 };
    json(res, 200, {
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: rec.model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: answer.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop') }],
      usage: { prompt_tokens: usage.in, completion_tokens: usage.out, total_tokens: usage.in + usage.out },
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script(model, ...answers) {
      const q = queues.get(model) ?? [];
      q.push(...answers);
      queues.set(model, q);
    },
    respond(fn) {
      responder = fn;
    },
    embeddingUsage(fn) {
      embedTokens = fn;
    },
    async waitForRequests(n, match = () => true, timeoutMs = PATIENCE_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = requests.filter(match);
        if (got.length >= n) return got;
        if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${n} requests to the fake model server (have ${got.length})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    reset() {
      requests.length = 0;
      queues.clear();
      responder = defaultResponder;
      embedTokens = null;
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Deterministic unit vector from text, so embedding tests can compare results. */
export function hashVector(text: string, dims: number): number[] {
  const h = createHash('sha256').update(text).digest();
  const v = Array.from({ length: dims }, (_, i) => (h[i % h.length] - 127.5) / 127.5);
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}
