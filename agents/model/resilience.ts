/**
 * Circuit breaker per provider: after `failures` consecutive infrastructure failures the provider is
 * skipped for `cooldownMs` (calls go straight to the next model in the chain), then one probe is let
 * through; its success closes the circuit, its failure opens it again.
 */
export interface CircuitBreaker {
  /** True when a call may go to this provider now (closed, or half-open and no probe in flight). */
  allow(provider: string): boolean;
  success(provider: string): void;
  failure(provider: string): void;
  state(provider: string): 'closed' | 'open' | 'half_open';
}

export function createCircuitBreaker(opts: { failures: number; cooldownMs: number; now?: () => number }): CircuitBreaker {
  const now = opts.now ?? Date.now;
  const s = new Map<string, { fails: number; openedAt: number | null; probing: boolean }>();
  const get = (p: string) => {
    let v = s.get(p);
    if (!v) s.set(p, (v = { fails: 0, openedAt: null, probing: false }));
    return v;
  };
  const stateOf = (p: string): 'closed' | 'open' | 'half_open' => {
    const v = get(p);
    if (v.openedAt === null) return 'closed';
    return now() - v.openedAt >= opts.cooldownMs ? 'half_open' : 'open';
  };
  return {
    allow(p) {
      const st = stateOf(p);
      if (st === 'closed') return true;
      if (st === 'open') return false;
      const v = get(p);
      if (v.probing) return false;
      v.probing = true;
      return true;
    },
    success(p) {
      s.set(p, { fails: 0, openedAt: null, probing: false });
    },
    failure(p) {
      const v = get(p);
      v.fails += 1;
      v.probing = false;
      if (v.openedAt !== null || v.fails >= opts.failures) v.openedAt = now();
    },
    state: stateOf,
  };
}

/** Exponential backoff with jitter, but never sooner than the server's Retry-After. */
export function backoffDelay(attempt: number, opts: { baseMs: number; maxMs: number; retryAfterMs: number | null; random?: () => number }): number {
  const rnd = opts.random ?? Math.random;
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  const jittered = exp * (0.75 + rnd() * 0.5);
  return Math.max(opts.retryAfterMs ?? 0, Math.min(opts.maxMs, jittered));
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('aborted'));
    }, { once: true });
  });
