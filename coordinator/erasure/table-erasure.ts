import type { Db } from '../db/client.ts';
import type { BlobMove, Redactor } from './redactor.ts';

/**
 * Tables that have an owner of their own in the erasure: the run stores (run-erasure.ts: the event log
 * and snapshot must change together), memory and the model call log (memory's forget deletes or
 * redacts them and re-embeds what it redacted), and the erasure record itself.
 */
const OWNED = /^(run|run_event|run_archive|blob|erasure|model_call|memory_.*|_prisma_.*)$/;

/** What the preview and the receipt call a table; a table not named here appears under its own name. */
const PLACE: Record<string, string> = {
  approval: 'approvals',
  write_ledger: 'write ledger',
  operator_message: 'chat messages',
  incident: 'incidents',
  outbox: 'queued jobs',
  schedule: 'schedules',
  chat_button: 'chat buttons',
  chat_binding: 'chat bindings',
  setting: 'settings',
  message_delivery: 'message deliveries',
  budget_reservation: 'budget reservations',
};

interface Column {
  table: string;
  column: string;
  /** The cast that writes the value back: text, jsonb, json or an array type. */
  cast: string;
}

/**
 * Every text, JSON and text-array column of every other table, read from the catalogue: a table that
 * another part of the product adds later is covered without anyone remembering to list it here.
 */
async function columns(db: Db): Promise<Map<string, Column[]>> {
  const rows = await db.$queryRawUnsafe<Array<{ table_name: string; column_name: string; data_type: string; udt_name: string }>>(`
    SELECT c.table_name, c.column_name, c.data_type, c.udt_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema()
      AND (c.data_type IN ('text', 'character varying', 'json', 'jsonb') OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
    ORDER BY c.table_name, c.ordinal_position`);
  const out = new Map<string, Column[]>();
  for (const r of rows) {
    if (OWNED.test(r.table_name)) continue;
    const cast = r.data_type === 'ARRAY' ? 'text[]' : r.data_type === 'jsonb' || r.data_type === 'json' ? r.data_type : 'text';
    out.set(r.table_name, [...(out.get(r.table_name) ?? []), { table: r.table_name, column: r.column_name, cast }]);
  }
  return out;
}

export const placeOf = (table: string) => PLACE[table] ?? table.replace(/_/g, ' ');

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

async function matchingRows(db: Db, cols: Column[], r: Redactor, hashes: string[], lock: boolean): Promise<Array<Record<string, unknown>>> {
  const where = cols.map((c) => `${q(c.column)}::text ~* ANY($1::text[])${hashes.length ? ` OR ${q(c.column)}::text LIKE ANY($2::text[])` : ''}`).join(' OR ');
  return db.$queryRawUnsafe<Array<Record<string, unknown>>>(
    `SELECT ctid::text AS "__ctid", ${cols.map((c) => q(c.column)).join(', ')} FROM ${q(cols[0].table)} WHERE ${where}${lock ? ' FOR UPDATE' : ''}`,
    ...[r.patterns, ...(hashes.length ? [hashes.map((h) => `%${h}%`)] : [])],
  );
}

/** Per place, how many rows hold the subject. */
export async function countTableTraces(db: Db, r: Redactor, seen: (v: unknown) => void = () => {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [table, cols] of await columns(db)) {
    const rows = await matchingRows(db, cols, r, [], false);
    const n = rows.filter((row) => {
      const hit = cols.filter((c) => r.json(row[c.column]).changed);
      hit.forEach((c) => seen(row[c.column]));
      return hit.length > 0;
    }).length;
    if (n) out[placeOf(table)] = (out[placeOf(table)] ?? 0) + n;
  }
  return out;
}

/**
 * Rewrites the subject out of every row of every such table (and points blob references at their
 * redacted copies), one table per transaction, rows addressed by ctid under their row locks.
 */
export async function redactTables(db: Db, r: Redactor, moves: ReadonlyMap<string, BlobMove>, seen: (v: unknown) => void): Promise<void> {
  const hashes = [...moves.keys()];
  for (const [, cols] of await columns(db)) {
    await db.$transaction(
      async (tx) => {
        const rows = await matchingRows(tx as Db, cols, r, hashes, true);
        for (const row of rows) {
          const sets: string[] = [];
          const values: unknown[] = [];
          for (const c of cols) {
            const { value, changed } = r.json(row[c.column], moves);
            if (!changed) continue;
            seen(row[c.column]);
            values.push(c.cast === 'json' || c.cast === 'jsonb' ? JSON.stringify(value) : value);
            sets.push(`${q(c.column)} = $${values.length}::${c.cast}`);
          }
          if (!sets.length) continue;
          values.push(row.__ctid);
          await tx.$executeRawUnsafe(`UPDATE ${q(cols[0].table)} SET ${sets.join(', ')} WHERE ctid = $${values.length}::tid`, ...values);
        }
      },
      { timeout: 60_000 },
    );
  }
}
