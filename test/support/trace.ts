import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/**
 * Every (table, column) of the public schema where one of `patterns` (case-insensitive regular
 * expressions, POSIX and JavaScript alike) matches: text, varchar, json(b) and array columns in SQL,
 * and bytea columns in JavaScript, gunzipped first when they are gzip'd (run_archive). Generic on
 * purpose: a table added later is scanned without anyone remembering to list it.
 */
export async function findTracesAnywhere(t: TestDatabase, patterns: string[]): Promise<Array<{ table: string; column: string; count: number; sample: string }>> {
  const cols = await t.sql<{ table_name: string; column_name: string; data_type: string }>(`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea', 'USER-DEFINED')
      AND c.table_name NOT LIKE '\\_prisma%'`);
  const res = patterns.map((p) => new RegExp(p, 'i'));
  const out: Array<{ table: string; column: string; count: number; sample: string }> = [];
  for (const c of cols) {
    const rows = await t.sql<{ v: unknown }>(`SELECT "${c.column_name}" AS v FROM "${c.table_name}" WHERE "${c.column_name}" IS NOT NULL`);
    const hits = rows.map((r) => readable(r.v)).filter((s) => res.some((re) => re.test(s)));
    if (hits.length) out.push({ table: c.table_name, column: c.column_name, count: hits.length, sample: hits[0].slice(0, 200) });
  }
  return out;
}

function readable(v: unknown): string {
  if (Buffer.isBuffer(v)) {
    if (v[0] === 0x1f && v[1] === 0x8b) return gunzipSync(v).toString('utf8');
    return v.toString('latin1');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Files under `dir` whose path or bytes (latin1, and gunzipped when gzip'd) match one of `patterns`. */
export async function findFileTraces(dir: string, patterns: string[]): Promise<string[]> {
  const res = patterns.map((p) => new RegExp(p, 'i'));
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    const bytes = await readFile(full);
    if (res.some((re) => re.test(relative(dir, full)) || re.test(readable(bytes)))) out.push(relative(dir, full));
  }
  return out;
}
