import type { Coordinator } from '../../coordinator/index.ts';
import { UserInputError } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from './connector.define.ts';
import { normalizeItem, startItemRun } from './record-items.ts';

type Item = { connector: string; account: string; externalId: string; kind: string; status: string; raw: string | null; error: string | null; incidentId: string | null };

async function quarantined(coordinator: Coordinator, incidentId: string): Promise<Item> {
  const item = await coordinator.db.connectorItem.findFirst({ where: { incidentId } });
  if (!item) throw new UserInputError('item_not_found', `No connector item belongs to incident "${incidentId}". /inbox lists open incidents.`);
  return item;
}

function parseRaw(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * [Retry]: reads the kept raw item again with the connector's current schema (a fixed adapter or a new
 * schema version). If it fits now, it is recorded and its run starts, in one transaction with the
 * incident's resolution; if not, the incident stays open with the new reason.
 */
export async function retryItem(coordinator: Coordinator, connectors: Map<string, ConnectorDefinition<any, any>>, incidentId: string): Promise<{ ok: true; runId: string } | { ok: false; error: string }> {
  const item = await quarantined(coordinator, incidentId);
  if (item.status !== 'quarantined') throw new UserInputError('item_not_quarantined', `That item is already ${item.status}.`);
  const connector = connectors.get(item.connector);
  if (!connector) throw new UserInputError('connector_unknown', `Connector ${item.connector} is not configured in this COO.`);
  const norm = normalizeItem(connector, { externalId: item.externalId, kind: item.kind, raw: parseRaw(item.raw) });
  if (!norm.ok) {
    await coordinator.db.connectorItem.updateMany({ where: { incidentId }, data: { error: norm.error, updatedAt: coordinator.clock.now() } });
    return { ok: false, error: norm.error };
  }
  const runId = await coordinator.runs.startWithin(async (tx, start) => {
    const n = await tx.$executeRaw`UPDATE connector_item SET status = 'recorded', payload = ${JSON.stringify(norm.value)}::jsonb, schema_version = ${norm.version}, error = NULL, updated_at = now()
      WHERE incident_id = ${incidentId} AND status = 'quarantined'`;
    if (n === 0) throw new UserInputError('item_not_quarantined', 'That item was settled meanwhile.');
    const id = await startItemRun(tx, start, item, norm);
    await tx.incident.updateMany({ where: { id: incidentId, status: 'open' }, data: { status: 'resolved', resolvedAt: coordinator.clock.now() } });
    return id;
  });
  return { ok: true, runId };
}

/** [Skip]: the operator has seen the item and wants nothing done; it stays recorded as skipped. */
export async function skipItem(coordinator: Coordinator, incidentId: string, by: string): Promise<void> {
  await quarantined(coordinator, incidentId);
  await coordinator.db.$transaction(async (tx) => {
    const n = await tx.$executeRaw`UPDATE connector_item SET status = 'skipped', error = COALESCE(error, '') || ${` (skipped by ${by})`}, updated_at = now() WHERE incident_id = ${incidentId} AND status = 'quarantined'`;
    if (n === 0) throw new UserInputError('item_not_quarantined', 'That item is not waiting for a decision.');
    await tx.incident.updateMany({ where: { id: incidentId, status: 'open' }, data: { status: 'resolved', resolvedAt: coordinator.clock.now() } });
  });
}

/** [Show raw]: the item exactly as the outside system delivered it, and why its schema refused it. */
export async function rawItem(coordinator: Coordinator, incidentId: string): Promise<{ connector: string; account: string; externalId: string; kind: string; status: string; error: string | null; raw: string | null }> {
  const { connector, account, externalId, kind, status, error, raw } = await quarantined(coordinator, incidentId);
  return { connector, account, externalId, kind, status, error, raw };
}
