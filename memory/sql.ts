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

export function pgSql(pool: pg.Pool): SqlRunner {
  return {
    kind: 'pg',
    async query<T>(text: string, params: unknown[]) {
      return (await pool.query(text, params)).rows as T[];
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
