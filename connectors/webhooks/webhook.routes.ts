import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from '../bus/connector.define.ts';
import type { ConnectorBus } from '../bus/connector.layer.ts';
import { type SignatureMode, verifySignature } from './signature.ts';

/** One connector's webhook endpoint: how requests are signed and how an event is told apart. */
export interface WebhookEndpoint {
  connector: ConnectorDefinition<any, any>;
  mode: SignatureMode;
  secret: string;
  /** The item kind of a verified event; null for an event type this connector does not take. */
  kindOf(body: unknown): string | null;
}

export interface WebhookOptions {
  bus: ConnectorBus;
  endpoints: WebhookEndpoint[];
  maxBytes: number;
  toleranceS: number;
  now(): number;
  log: Logger;
}

/** Reads at most `max` bytes; null when the body is larger (refused before it is read whole). */
async function readCapped(req: Request, max: number): Promise<Buffer | null> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > max) return null;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * POST /hooks/<connector>. In this order: the endpoint exists (404), the body fits (413, before it is
 * read whole), the HMAC over timestamp and body matches (401) and the timestamp is within the window
 * (400, either direction); then the event is recorded through the bus's record transaction, which
 * starts its run, before the 2xx answer. The exact same request again is refused (400 replayed) and
 * starts nothing; a fresh, validly signed redelivery of an event already recorded (the provider did
 * not get our answer) gets 200 and starts nothing either.
 */
export function webhookRoutes(opts: WebhookOptions): Hono {
  const app = new Hono();
  const byName = new Map(opts.endpoints.map((e) => [e.connector.name, e]));
  app.post('/hooks/:connector', async (c) => {
    const ep = byName.get(c.req.param('connector'));
    if (!ep) return c.json({ error: { code: 'no_such_hook', message: 'No webhook is configured under this name.' } }, 404);
    const refuse = (status: 400 | 401 | 413, code: string, reason: string) => {
      opts.log.warn({ connector: ep.connector.name, code, reason, ip: c.req.header('x-forwarded-for') ?? null }, 'refused a webhook request');
      return c.json({ error: { code, message: reason } }, status);
    };
    const body = await readCapped(c.req.raw, opts.maxBytes);
    if (!body) return refuse(413, 'too_large', `the body is larger than ${opts.maxBytes} bytes`);
    const verdict = verifySignature({ mode: ep.mode, secret: ep.secret, body, header: (n) => c.req.header(n), nowMs: opts.now(), toleranceS: opts.toleranceS });
    if (!verdict.ok) return refuse(verdict.status, verdict.code, verdict.reason);
    const delivery = sha256(`${ep.mode}\u0000${ep.mode === 'stripe' ? c.req.header('stripe-signature') : `${c.req.header('x-coo-timestamp')}.${c.req.header('x-coo-signature')}`}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const id = (parsed as { id?: unknown } | undefined)?.id;
    // A signed body that is not JSON, or has no id, is genuine but unreadable: kept raw for the operator.
    const externalId = typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : `body-${sha256(body)}`;
    const kind = parsed === undefined ? (Object.keys(ep.connector.normalize)[0] as string) : ep.kindOf(parsed);
    if (kind === null) {
      opts.log.info({ connector: ep.connector.name, type: (parsed as { type?: unknown }).type }, 'webhook event of a type this connector does not take; answered 200 and ignored');
      return c.json({ ignored: true });
    }
    const [r] = await opts.bus.record({ connector: ep.connector, account: 'default', items: [{ externalId, kind, raw: parsed === undefined ? body.toString('utf8') : parsed }], delivery });
    if (r.outcome === 'duplicate') {
      const first = await opts.bus.deliveryOf(ep.connector.name, 'default', externalId);
      if (first === delivery) return refuse(400, 'replayed', 'this exact request was received before');
      return c.json({ duplicate: true, eventId: externalId });
    }
    return c.json(r.outcome === 'recorded' ? { recorded: true, eventId: externalId, runId: r.runId } : { recorded: false, quarantined: true, eventId: externalId });
  });
  return app;
}
