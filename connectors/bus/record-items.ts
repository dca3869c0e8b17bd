import { createHash } from 'node:crypto';
import { type Coordinator, crashPoint, type StartRunRequest, type Tx } from '../../coordinator/index.ts';
import type { ConnectorDefinition, InboundItemInput, PulledItem } from './connector.define.ts';

/** What recording one item did: a new run, a quarantined item with its incident, or nothing (seen before). */
export type RecordedItem =
  | { externalId: string; outcome: 'recorded'; runId: string }
  | { externalId: string; outcome: 'quarantined'; incidentId: string; error: string }
  | { externalId: string; outcome: 'duplicate' };

export interface RecordBatch {
  connector: ConnectorDefinition<any, any>;
  account: string;
  items: PulledItem[];
  /** For a pull: the cursor it started from and the one it reached. The cursor moves only if it still is `from`. */
  cursor?: { from: unknown; to: unknown };
  /** A webhook delivery's fingerprint, kept with a new item (a replay of the same request is refused). */
  delivery?: string;
}

/** Parses a raw item with its kind's schema; a refusal is explained in one line per problem. */
export function normalizeItem(connector: ConnectorDefinition<any, any>, item: PulledItem): { ok: true; value: unknown; version: number; process: string } | { ok: false; error: string } {
  const kind = connector.normalize[item.kind];
  if (!kind) return { ok: false, error: `${connector.name} has no item kind "${item.kind}" (it knows ${Object.keys(connector.normalize).join(', ')}).` };
  const parsed = kind.schema.safeParse(item.raw);
  if (parsed.success) return { ok: true, value: parsed.data, version: kind.version, process: kind.process };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ') };
}

/** The run's parent key: one run per (connector, account, external id), whatever starts it. */
export function itemRunKey(connector: string, account: string, externalId: string): string {
  return `item-${createHash('sha256').update(`${connector}\u0000${account}\u0000${externalId}`).digest('hex').slice(0, 40)}`;
}

export function rawText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/** Starts the run a recorded item belongs to (idempotent on its parent key) and links it to the item. */
export async function startItemRun(tx: Tx, start: (req: StartRunRequest) => Promise<{ runId: string }>, ids: { connector: string; account: string; externalId: string; kind: string }, norm: { value: unknown; version: number; process: string }): Promise<string> {
  const input: InboundItemInput = { connector: ids.connector, account: ids.account, externalId: ids.externalId, kind: ids.kind, schemaVersion: norm.version, item: norm.value };
  const run = await start({ process: norm.process, input, parentKey: itemRunKey(ids.connector, ids.account, ids.externalId), startedBy: `connector ${ids.connector}` });
  await tx.$executeRaw`UPDATE connector_item SET run_id = ${run.runId}, updated_at = now() WHERE connector = ${ids.connector} AND account = ${ids.account} AND external_id = ${ids.externalId}`;
  return run.runId;
}

/**
 * The bus's one write path for inbound items: in a single transaction, each new item is recorded
 * (keyed by connector, account and external id; a second copy inserts nothing), its run starts (or,
 * when a run with its key exists, is found), an item its schema refuses is kept raw with an incident,
 * and the cursor moves to where the pull reached. A crash anywhere before the commit leaves the cursor
 * where it was, so the next pull delivers the same items and records each of them once.
 */
export async function recordItems(coordinator: Coordinator, batch: RecordBatch): Promise<RecordedItem[]> {
  const { connector, account } = batch;
  const name = connector.name;
  return coordinator.runs.startWithin(async (tx, start) => {
    await tx.$executeRaw`INSERT INTO connector_cursor (connector, account) VALUES (${name}, ${account}) ON CONFLICT DO NOTHING`;
    // The cursor row's lock serializes pullers of one account; a second one waits, then finds each item recorded.
    await tx.$queryRaw`SELECT 1 FROM connector_cursor WHERE connector = ${name} AND account = ${account} FOR UPDATE`;
    const out: RecordedItem[] = [];
    const seen = new Set<string>();
    for (const item of batch.items) {
      if (seen.has(item.externalId)) {
        out.push({ externalId: item.externalId, outcome: 'duplicate' });
        continue;
      }
      seen.add(item.externalId);
      const norm = normalizeItem(connector, item);
      const status = norm.ok ? 'recorded' : 'quarantined';
      const inserted = await tx.$executeRaw`
        INSERT INTO connector_item (connector, account, external_id, kind, schema_version, status, payload, raw, error, delivery)
        VALUES (${name}, ${account}, ${item.externalId}, ${item.kind}, ${norm.ok ? norm.version : null}, ${status},
                ${norm.ok ? JSON.stringify(norm.value) : null}::jsonb, ${norm.ok ? null : rawText(item.raw)}, ${norm.ok ? null : norm.error}, ${batch.delivery ?? null})
        ON CONFLICT DO NOTHING`;
      if (inserted === 0) {
        out.push({ externalId: item.externalId, outcome: 'duplicate' });
        continue;
      }
      if (norm.ok) {
        const runId = await startItemRun(tx, start, { connector: name, account, externalId: item.externalId, kind: item.kind }, norm);
        out.push({ externalId: item.externalId, outcome: 'recorded', runId });
      } else {
        const incidentId = await openItemIncident(tx, { connector: name, account, externalId: item.externalId, kind: item.kind, error: norm.error });
        out.push({ externalId: item.externalId, outcome: 'quarantined', incidentId, error: norm.error });
      }
    }
    const fresh = out.some((o) => o.outcome !== 'duplicate');
    if (batch.cursor) {
      // Compare-and-set: a puller that started from an older cursor records its items but never moves the cursor back.
      // A null cursor is SQL NULL (never the JSON value null), so "from the start" compares equal to a fresh row.
      const asJson = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
      await tx.$executeRaw`
        UPDATE connector_cursor SET cursor = ${asJson(batch.cursor.to)}::jsonb, updated_at = now()
        WHERE connector = ${name} AND account = ${account} AND cursor IS NOT DISTINCT FROM ${asJson(batch.cursor.from)}::jsonb`;
    }
    // The pull (or delivery) succeeded either way; the last item's time feeds "stopped delivering".
    await tx.$executeRaw`
      UPDATE connector_cursor SET last_success_at = now(), last_error = NULL, last_item_at = CASE WHEN ${fresh} THEN now() ELSE last_item_at END, updated_at = now()
      WHERE connector = ${name} AND account = ${account}`;
    crashPoint('connector-before-record-commit');
    return out;
  });
}

/** The incident an unreadable item opens: what failed, and the item's key for /item retry|skip|raw. */
async function openItemIncident(tx: Tx, i: { connector: string; account: string; externalId: string; kind: string; error: string }): Promise<string> {
  const id = `inc_${createHash('sha256').update(itemRunKey(i.connector, i.account, i.externalId)).digest('hex').slice(0, 20)}`;
  await tx.incident.create({
    data: {
      id,
      code: 'connector_item_invalid',
      message: `${i.connector} (${i.account}) delivered a ${i.kind} item ${i.externalId.slice(0, 60)} that does not fit its schema: ${i.error.slice(0, 300)}. /item raw ${id} shows it; /item retry ${id} or /item skip ${id}.`,
      input: { connector: i.connector, account: i.account, externalId: i.externalId, kind: i.kind },
      history: [{ at: new Date().toISOString(), error: i.error }],
    },
  });
  await tx.$executeRaw`UPDATE connector_item SET incident_id = ${id} WHERE connector = ${i.connector} AND account = ${i.account} AND external_id = ${i.externalId}`;
  return id;
}
