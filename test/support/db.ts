import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../coordinator/db/client.ts';
import { databaseUrl, TEST_PG_URL, templateDatabaseName } from './services.ts';

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  /** A plain pg pool on the same database (the AI layer's hot statements use one). */
  pool: pg.Pool;
  /** Raw SQL for assertions a skeptic can read. */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: one per test file (or per test that needs it). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `coo_t_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    for (let i = 0; ; i++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName()}"`);
        break;
      } catch (err) {
        // "source database is being accessed by other users": another file is cloning right now.
        if ((err as { code?: string }).code !== '55006' || i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const db = createDb(url, { poolSize: 3 });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {}); // DROP DATABASE … WITH (FORCE) ends idle connections
  return {
    name,
    url,
    db,
    pool,
    sql: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    drop: async () => {
      await db.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
      const a = new pg.Client({ connectionString: TEST_PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}
