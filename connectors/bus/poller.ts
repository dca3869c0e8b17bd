import type { Coordinator } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from './connector.define.ts';
import type { PullOutcome } from './pull.ts';

const DEFAULT_EVERY_MS = 60_000;
/** Pages pulled back to back while a connector keeps returning items (a backlog after downtime). */
const MAX_PAGES_PER_TURN = 20;

/**
 * Polls every connector that has a pull, each at its own pace (`pollEveryMs`), for each account it has
 * a cursor for (or "default"). Several COO processes may poll at once: the record transaction's cursor
 * lock and the item keys make that harmless. Returns the function that stops it.
 */
export function startPolling(coordinator: Coordinator, connectors: Map<string, ConnectorDefinition<any, any>>, pull: (name: string, account: string) => Promise<PullOutcome>, tickMs = 1_000): () => Promise<void> {
  const due = new Map<string, number>();
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      for (const d of connectors.values()) {
        if (!d.pull || (due.get(d.name) ?? 0) > Date.now()) continue;
        due.set(d.name, Date.now() + (d.pollEveryMs ?? DEFAULT_EVERY_MS));
        const rows = await coordinator.db.connectorCursor.findMany({ where: { connector: d.name }, select: { account: true } });
        const accounts = rows.length ? rows.map((r) => r.account) : ['default'];
        for (const account of accounts) {
          for (let page = 0; page < MAX_PAGES_PER_TURN && !stopped; page++) {
            const r = await pull(d.name, account);
            if (!r.ok || r.items.length === 0) break;
          }
        }
      }
    } catch (err) {
      coordinator.log.warn({ err: String(err) }, 'connector polling failed; the next tick retries');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), tickMs);
  void tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
  };
}
