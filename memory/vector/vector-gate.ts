import type { VectorStore } from './vector-store.port.ts';

/**
 * Wraps the vector store so that when it is down, memory keeps working on Postgres alone: a failure
 * marks it down for `retryMs`, during which callers skip it; `status()` feeds the digest and doctor.
 */
export interface VectorGate {
  store: VectorStore | null;
  /** Runs `fn` against the store, or returns `fallback` when it is missing or down. */
  use<T>(fn: (s: VectorStore) => Promise<T>, fallback: T): Promise<{ value: T; used: boolean }>;
  status(): { configured: boolean; up: boolean; lastError: string | null; since: string | null };
  check(): Promise<boolean>;
}

export function createVectorGate(store: VectorStore | null, opts: { retryMs?: number } = {}): VectorGate {
  let downUntil = 0;
  let lastError: string | null = null;
  let since: string | null = null;
  const retryMs = opts.retryMs ?? 5_000;
  return {
    store,
    async use(fn, fallback) {
      if (!store || Date.now() < downUntil) return { value: fallback, used: false };
      try {
        const value = await fn(store);
        if (lastError) {
          lastError = null;
          since = null;
        }
        return { value, used: true };
      } catch (err) {
        downUntil = Date.now() + retryMs;
        lastError = err instanceof Error ? err.message : String(err);
        since ??= new Date().toISOString();
        return { value: fallback, used: false };
      }
    },
    status: () => ({ configured: !!store, up: !!store && Date.now() >= downUntil && !lastError, lastError, since }),
    async check() {
      if (!store) return false;
      const ok = await store.healthy();
      if (ok) {
        downUntil = 0;
        lastError = null;
        since = null;
      } else {
        downUntil = Date.now() + retryMs;
        lastError ??= 'heartbeat failed';
        since ??= new Date().toISOString();
      }
      return ok;
    },
  };
}
