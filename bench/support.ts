import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../coordinator/index.ts';
import { join } from 'node:path';
import { deleteKeysWithPrefix } from '../test/support/redis.ts';

/** Benchmarks run against a scratch database and queue prefix of their own, removed afterwards. */
export async function scratch(): Promise<{ url: string; prefix: string; redisUrl: string; drop(): Promise<void> }> {
  const base = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const name = `coo_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString(), join(import.meta.dirname, '..', 'prisma', 'migrations'));
  const prefix = `cooB${randomBytes(4).toString('hex')}`;
  return {
    url: url.toString(),
    prefix,
    redisUrl,
    async drop() {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      await deleteKeysWithPrefix(redisUrl, prefix);
    },
  };
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function fmt(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}
