import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../coordinator/db/client.ts';

/**
 * One parameterised SQL statement, one round trip. Hot statements (retrieval, budget reserve, call
 * record + settle) are written once as SQL text and run through a plain `pg` pool in production
 * (a Prisma raw round trip costs about twice a pg one here); without a pool they fall back to Prisma,
 * so callers that have only a `Db` keep working. Statements must cast numerics to float8 in SQL:
 * the two drivers return numeric differently.
 */
export interface SqlRunner {
  readonly kind: 'pg' | 'prisma';
  query<T>(text: string, params: unknown[]): Promise<T[]>;
}

/**
 * Statements run as named prepared statements (node-pg prepares each once per connection): the hot
 * ones are long CTEs whose parse and analysis otherwise cost the server a share of every round trip.
 * The texts are a small fixed set (filters are spliced from a few shapes), so the cache stays small.
 */
export function pgSql(pool: pg.Pool): SqlRunner {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let n = names.get(text);
    if (!n) {
      n = `coo_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      if (names.size < 1_000) names.set(text, n);
    }
    return n;
  };
  return {
    kind: 'pg',
    async query<T>(text: string, params: unknown[]) {
      return (await pool.query({ name: nameOf(text), text, values: params })).rows as T[];
    },
  };
}

export function prismaSql(db: Db): SqlRunner {
  return {
    kind: 'prisma',
    query: <T>(text: string, params: unknown[]) => db.$queryRawUnsafe<T[]>(text, ...params),
  };
}

/** The pool if there is one, else the Prisma client. */
export const sqlRunner = (db: Db, pool?: pg.Pool | null): SqlRunner => (pool ? pgSql(pool) : prismaSql(db));
