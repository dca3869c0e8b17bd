import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureMode = 'stripe' | 'generic';

export type Verdict = { ok: true; timestamp: number } | { ok: false; status: 400 | 401; code: 'unsigned' | 'forged' | 'stale' | 'future'; reason: string };

function hmacHex(secret: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The timestamp and candidate signatures a request carries, in either header convention. */
function readHeaders(mode: SignatureMode, header: (name: string) => string | undefined): { t: string; sigs: string[] } | null {
  if (mode === 'stripe') {
    const raw = header('stripe-signature');
    if (!raw) return null;
    const parts = raw.split(',').map((p) => p.trim().split('='));
    const t = parts.find(([k]) => k === 't')?.[1];
    const sigs = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v);
    return t && sigs.length ? { t, sigs } : null;
  }
  const t = header('x-coo-timestamp');
  const sig = header('x-coo-signature')?.replace(/^sha256=/, '');
  return t && sig ? { t, sigs: [sig] } : null;
}

/**
 * Verifies HMAC-SHA256 over `<timestamp>.<raw body>` (Stripe's scheme, which the generic mode copies
 * with its own headers) and that the timestamp is within `toleranceS` of now, either way: a captured
 * request cannot be replayed later, nor one signed ahead of time. Compared in constant time.
 */
export function verifySignature(opts: { mode: SignatureMode; secret: string; body: Buffer; header: (name: string) => string | undefined; nowMs: number; toleranceS: number }): Verdict {
  const h = readHeaders(opts.mode, opts.header);
  if (!h) return { ok: false, status: 401, code: 'unsigned', reason: opts.mode === 'stripe' ? 'no Stripe-Signature header with t= and v1=' : 'no X-Coo-Timestamp and X-Coo-Signature headers' };
  if (!/^\d{1,12}$/.test(h.t)) return { ok: false, status: 400, code: 'forged', reason: 'the timestamp is not a number of seconds' };
  const expected = hmacHex(opts.secret, h.t, opts.body);
  if (!h.sigs.some((s) => sameHex(s.toLowerCase(), expected))) return { ok: false, status: 401, code: 'forged', reason: 'the signature does not match the body' };
  const t = Number(h.t);
  const skew = Math.round(opts.nowMs / 1000) - t;
  if (skew > opts.toleranceS) return { ok: false, status: 400, code: 'stale', reason: `signed ${skew}s ago (more than ${opts.toleranceS}s)` };
  if (skew < -opts.toleranceS) return { ok: false, status: 400, code: 'future', reason: `signed ${-skew}s in the future (more than ${opts.toleranceS}s)` };
  return { ok: true, timestamp: t };
}

/** Signs a body the way `verifySignature` checks it (tests, and documentation examples). */
export function signBody(mode: SignatureMode, secret: string, body: string | Buffer, timestampS: number): Record<string, string> {
  const sig = hmacHex(secret, String(timestampS), Buffer.isBuffer(body) ? body : Buffer.from(body));
  return mode === 'stripe' ? { 'stripe-signature': `t=${timestampS},v1=${sig}` } : { 'x-coo-timestamp': String(timestampS), 'x-coo-signature': `sha256=${sig}` };
}
