import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Coordinator, type CoordinatorOptions, type Roles, createCoordinator, createLogger } from '../../coordinator/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { PATIENCE_MS } from './patience.ts';
import { testQueuePrefix } from './redis.ts';
import { TEST_REDIS_URL } from './services.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Settings that make recovery fast enough to test: short job locks, quick polling. */
export const FAST = {
  COO_POLL_MS: 100,
  COO_JOB_LOCK_MS: 1500,
  COO_STALLED_INTERVAL_MS: 500,
  COO_WORKER_CONCURRENCY: 3,
  COO_DB_POOL: 8,
  LOG_LEVEL: 'warn' as const,
};

export interface TestEnv {
  tdb: TestDatabase;
  prefix: string;
  /** Environment for child processes that join this test's database and queues. */
  env: Record<string, string>;
  coordinator(opts?: CoordinatorOptions & { roles?: Roles }): Promise<Coordinator>;
  cleanup(): Promise<void>;
}

/** A database and a queue prefix of this test's own, and coordinators bound to them. */
export async function createTestEnv(): Promise<TestEnv> {
  const tdb = await createTestDatabase();
  const q = testQueuePrefix();
  const made: Coordinator[] = [];
  const env = {
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    COO_QUEUE_PREFIX: q.prefix,
    COO_POLL_MS: String(FAST.COO_POLL_MS),
    COO_JOB_LOCK_MS: String(FAST.COO_JOB_LOCK_MS),
    COO_STALLED_INTERVAL_MS: String(FAST.COO_STALLED_INTERVAL_MS),
    COO_WORKER_CONCURRENCY: String(FAST.COO_WORKER_CONCURRENCY),
    COO_DB_POOL: String(FAST.COO_DB_POOL),
    LOG_LEVEL: 'warn',
  };
  return {
    tdb,
    prefix: q.prefix,
    env,
    async coordinator(opts = {}) {
      const c = await createCoordinator({
        ...opts,
        log: opts.log ?? createLogger({ level: 'warn' }),
        config: { DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, ...FAST, COO_HTTP_PORT: 0, ...opts.config },
      });
      made.push(c);
      if (opts.roles) await c.start(opts.roles);
      return c;
    },
    async cleanup() {
      for (const c of made) await c.stop().catch(() => {});
      await q.cleanup().catch(() => {});
      await tdb.drop();
    },
  };
}

/** Polls until `fn` returns a truthy value; fails with `what` after the deadline. No fixed sleeps. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = PATIENCE_MS, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

export interface CooChild {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `scripts/start.ts` as a real child process, so a test can SIGKILL it like a crash. */
export function spawnCoo(env: Record<string, string>, args: string[]): CooChild {
  return spawnScript('scripts/start.ts', env, args);
}

/** Runs a TypeScript file (relative to the repository root) as a real child process that a test can kill. */
export function spawnScript(script: string, env: Record<string, string>, args: string[]): CooChild {
  // node --import tsx keeps it one process: the tsx binary would fork a child that outlives a SIGKILL.
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return {
    proc,
    output: () => out,
    exited,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    async waitForOutput(re, timeoutMs = 2 * PATIENCE_MS) {
      await waitFor(`child output ${re}`, async () => re.test(out) || (proc.exitCode !== null ? Promise.reject(new Error(`child exited: ${out.slice(-2000)}`)) : false), timeoutMs);
    },
  };
}
