import { type Coordinator, crashPoint } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from './connector.define.ts';
import { type RecordedItem, recordItems } from './record-items.ts';

export interface PullOutcome {
  connector: string;
  account: string;
  items: RecordedItem[];
  /** False when the connector's pull (or recording) failed; the cursor stayed where it was. */
  ok: boolean;
  error?: string;
}

/**
 * One pull of one account: read the stored cursor, ask the connector for the next page, record the
 * page and move the cursor in one transaction. A failure anywhere leaves the cursor untouched and is
 * kept on the cursor row (the status shows it); the next pull starts from the same place.
 */
export async function pullOnce(coordinator: Coordinator, connector: ConnectorDefinition<any, any>, account: string, signal: AbortSignal = new AbortController().signal): Promise<PullOutcome> {
  if (!connector.pull) throw new Error(`Connector ${connector.name} is not polled (it has no pull).`);
  const name = connector.name;
  const db = coordinator.db;
  await db.$executeRaw`INSERT INTO connector_cursor (connector, account) VALUES (${name}, ${account}) ON CONFLICT DO NOTHING`;
  const row = await db.connectorCursor.findUnique({ where: { connector_account: { connector: name, account } } });
  const from = row?.cursor ?? null;
  try {
    await db.$executeRaw`UPDATE connector_cursor SET last_pull_at = now() WHERE connector = ${name} AND account = ${account}`;
    const page = await connector.pull(from, { account, signal });
    crashPoint('connector-after-pull');
    const items = await recordItems(coordinator, { connector, account, items: page.items, cursor: { from, to: page.nextCursor } });
    return { connector: name, account, items, ok: true };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    coordinator.log.warn({ connector: name, account, err: error }, 'connector pull failed; the cursor stays and the next pull retries');
    await db.$executeRaw`UPDATE connector_cursor SET last_error = ${error.slice(0, 500)}, last_error_at = now() WHERE connector = ${name} AND account = ${account}`.catch(() => {});
    return { connector: name, account, items: [], ok: false, error };
  }
}
