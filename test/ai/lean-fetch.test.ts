import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createLeanFetch } from '../../agents/model/lean-fetch.ts';

// A plain node:http server: what the fetch sends and gets is checked on the wire, not through the SDK.
let srv: http.Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/moved') return res.writeHead(307, { location: '/echo' }).end();
      if (req.url?.startsWith('/cookies')) {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        return res.writeHead(429, 'Too Many', { 'retry-after': '3', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
      }
      if (req.url === '/stall') return void setTimeout(() => res.end('late'), 5_000).unref();
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        // The second event only after the client has read the first: proves it is streamed, not buffered.
        return void setTimeout(() => res.end('data: two\n\n'), 150);
      }
      if (req.url?.endsWith('/chat/completions')) {
        const model = JSON.parse(body).model;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'héllo ✓' } }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`got ${body.length} chars`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
});
afterAll(async () => {
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
});

describe('lean fetch (the openai SDK transport)', () => {
  const f = createLeanFetch();

  it('sends method, headers and a string body as given and returns status, headers and body', async () => {
    const body = JSON.stringify({ text: 'Grüße, 😀'.repeat(100) });
    const res = await f(`${base}/echo`, { method: 'POST', body, headers: new Headers({ 'content-type': 'application/json', 'x-trace': 't1' }) });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(`got ${body.length} chars`);
    const got = seen.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/echo', body });
    expect(got.headers['x-trace']).toBe('t1');
  });

  it('follows a redirect with the same method and body, as fetch does', async () => {
    const res = await f(`${base}/moved`, { method: 'POST', body: 'hello' });
    expect(await res.text()).toBe('got 5 chars');
    expect(seen.slice(-2).map((x) => [x.method, x.url, x.body])).toEqual([['POST', '/moved', 'hello'], ['POST', '/echo', 'hello']]);
  });

  it('keeps repeated headers and the status text of an error, and answers a 204 with no body', async () => {
    const res = await f(`${base}/cookies`);
    expect(res.status).toBe(429);
    expect(res.statusText).toBe('Too Many');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ error: { message: 'slow down' } });
    const empty = await f(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('rejects with an AbortError when the signal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    // /stall never answers: only the abort can end this request.
    const err = await f(`${base}/stall`, { signal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('passes an event stream through as it arrives', async () => {
    const res = await f(`${base}/events`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('data: one\n\n');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('hands inputs it does not handle (a Request, a form body) to the platform fetch', async () => {
    const viaRequest = await f(new Request(`${base}/echo`, { method: 'POST', body: 'abc' }));
    expect(await viaRequest.text()).toBe('got 3 chars');
    const form = new FormData();
    form.set('k', 'v');
    const viaForm = await f(`${base}/echo`, { method: 'POST', body: form });
    expect(viaForm.status).toBe(200);
    expect(seen.at(-1)!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('is what the openai SDK needs: a chat completion round-trips through it', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0, fetch: f });
    const res = await client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0].message.content).toBe('héllo ✓');
    expect(res.usage?.total_tokens).toBe(5);
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer k');
    // A 429 becomes the SDK's typed error with its headers, as the retry policy reads them.
    const limited = new OpenAI({ baseURL: `${base}/cookies`, apiKey: 'k', maxRetries: 0, fetch: f });
    const err = await limited.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');
  });
});
