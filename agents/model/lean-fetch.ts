import { Readable } from 'node:stream';
import { Agent, interceptors, request, type Dispatcher } from 'undici';

/** Statuses whose response may not carry a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` the openai SDK is given: undici's request API (Node's own HTTP client, from npm)
 * behind the fetch signature, with keep-alive sockets per endpoint.
 *
 * Why not the global fetch: its request objects are tied to the abort signal through WeakRefs and a
 * FinalizationRegistry, which V8's young-generation collector treats as strong. So every call's
 * request, body copy and stream tees (about 45 KB a call) survive to the old generation, and each
 * scavenge spends milliseconds copying them (measured in bench/agent-overhead.ts: scavenges of
 * 2–5 ms every ~30 agent calls, most of the tail of a call's overhead). Here a call's objects die
 * young.
 *
 * Bodies the SDK sends for chat and embeddings are strings; anything else (forms, streams) and
 * Request inputs go to the global fetch unchanged. Redirects are followed as fetch follows them (a
 * gateway that moves its endpoint). A non-streaming answer is read whole before the Response is
 * built; an event stream is passed through as a stream.
 */
export function createLeanFetch(opts: { dispatcher?: Dispatcher } = {}): typeof fetch {
  const dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 32 }).compose(interceptors.redirect({ maxRedirections: 5 }));
  return async function leanFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const body = init?.body ?? null;
    if (input instanceof Request || (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const res = await request(input, {
      method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body,
      signal: init?.signal ?? undefined,
      dispatcher,
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (Array.isArray(v)) for (const x of v) out.append(k, x);
      else if (v !== undefined) out.set(k, v);
    }
    const init2 = { status: res.statusCode, statusText: res.statusText ?? '', headers: out };
    if (NULL_BODY.has(res.statusCode) || init?.method === 'HEAD') {
      await res.body.dump();
      return new Response(null, init2);
    }
    if ((out.get('content-type') ?? '').includes('text/event-stream')) return new Response(Readable.toWeb(res.body) as ReadableStream, init2);
    return new Response(await res.body.arrayBuffer(), init2);
  };
}
