import type { TestDatabase } from './db.ts';

/**
 * Every (table, column) in the public schema whose text contains `needle`, case-insensitively: text,
 * varchar, json(b) and text[] columns are all searched. Used to prove /forget leaves no trace.
 */
export async function findTraces(t: TestDatabase, needle: string): Promise<Array<{ table: string; column: string; count: number }>> {
  const cols = await t.sql<{ table_name: string; column_name: string }>(`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
      AND table_name NOT LIKE '\\_prisma%'`);
  const out: Array<{ table: string; column: string; count: number }> = [];
  for (const c of cols) {
    const [{ n }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`, [`%${needle}%`]);
    if (Number(n) > 0) out.push({ table: c.table_name, column: c.column_name, count: Number(n) });
  }
  return out;
}
