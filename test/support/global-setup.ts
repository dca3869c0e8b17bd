import pg from 'pg';
import { applyMigrations } from '../../coordinator/db/migrate.ts';
import { databaseUrl, MIGRATIONS_DIR, TEST_PG_URL, templateDatabaseName } from './services.ts';

/**
 * Builds, once per migration set, a template database from the migrations alone; every test file then
 * clones it (CREATE DATABASE … TEMPLATE), which takes a fraction of a second and isolates files fully.
 */
export default async function globalSetup(): Promise<void> {
  const name = templateDatabaseName();
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(727002)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_build`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await applyMigrations(databaseUrl(building), MIGRATIONS_DIR);
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    }
    // Drop clones left by killed runs (older than an hour) so the server does not fill up.
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'coo_t_%' AND split_part(datname, '_', 3)::bigint < $1`,
      [Date.now() - 3_600_000],
    );
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(727002)').catch(() => {});
    await admin.end();
  }
}
