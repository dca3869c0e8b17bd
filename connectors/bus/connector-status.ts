import type { Coordinator, StatusSectionInput } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from './connector.define.ts';

export interface ConnectorStatus {
  connector: string;
  account: string;
  lastSuccessAt: string | null;
  /** When the last new item came (null: never). */
  lastItemAt: string | null;
  /** Seconds since the last successful pull or delivery (null: never). */
  lagSeconds: number | null;
  /** Items received in the last 24 hours, and how many of them did not fit their schema. */
  items24h: number;
  failed24h: number;
  /** failed24h / items24h (0 with no items). */
  errorRate: number;
  lastError: string | null;
  /** True when the connector expects items this often and none came for longer. */
  stoppedDelivering: boolean;
}

/** One read of every connector account's health figures, for /status, the status page and /metrics. */
export async function connectorStatus(coordinator: Coordinator, connectors: Map<string, ConnectorDefinition<any, any>>): Promise<ConnectorStatus[]> {
  const now = coordinator.clock.now();
  const since = new Date(now.getTime() - 86_400_000);
  const [cursors, counts] = await Promise.all([
    coordinator.db.connectorCursor.findMany({ orderBy: [{ connector: 'asc' }, { account: 'asc' }] }),
    coordinator.db.connectorItem.groupBy({ by: ['connector', 'account', 'status'], where: { receivedAt: { gte: since } }, _count: { _all: true } }),
  ]);
  const rows = new Map(cursors.map((c) => [`${c.connector}\u0000${c.account}`, c]));
  // A configured connector that never delivered is listed too: "never" is what the operator must see.
  for (const name of connectors.keys()) if (![...rows.values()].some((r) => r.connector === name)) rows.set(`${name}\u0000default`, { connector: name, account: 'default', cursor: null, lastPullAt: null, lastSuccessAt: null, lastItemAt: null, lastError: null, lastErrorAt: null, updatedAt: now });
  return [...rows.values()].map((c) => {
    const mine = counts.filter((k) => k.connector === c.connector && k.account === c.account);
    const items = mine.reduce((n, k) => n + k._count._all, 0);
    const failed = mine.filter((k) => k.status !== 'recorded').reduce((n, k) => n + k._count._all, 0);
    const expect = connectors.get(c.connector)?.expectItemEveryMs;
    const lastItem = c.lastItemAt ?? null;
    return {
      connector: c.connector,
      account: c.account,
      lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
      lastItemAt: lastItem?.toISOString() ?? null,
      lagSeconds: c.lastSuccessAt ? Math.max(0, Math.round((now.getTime() - c.lastSuccessAt.getTime()) / 1000)) : null,
      items24h: items,
      failed24h: failed,
      errorRate: items ? failed / items : 0,
      lastError: c.lastError,
      stoppedDelivering: expect !== undefined && (!lastItem || now.getTime() - lastItem.getTime() > expect),
    };
  });
}

const ago = (s: number | null) => (s === null ? 'never' : s < 90 ? `${s}s ago` : s < 5400 ? `${Math.round(s / 60)}m ago` : s < 172800 ? `${Math.round(s / 3600)}h ago` : `${Math.round(s / 86400)}d ago`);

/** The connectors' block on the status page and in /status. */
export function connectorSection(list: ConnectorStatus[], at: string): StatusSectionInput {
  const stopped = list.filter((s) => s.stoppedDelivering);
  return {
    id: 'connectors',
    title: 'Connectors',
    lines: stopped.map((s) => `${s.connector} (${s.account}) stopped delivering: last item ${s.lastItemAt ? ago(Math.round((Date.parse(at) - Date.parse(s.lastItemAt)) / 1000)) : 'never'}.`),
    tables: [{
      columns: ['connector', 'account', 'last success', 'items 24h', 'error rate', 'state'],
      rows: list.map((s) => [s.connector, s.account, ago(s.lagSeconds), s.items24h, `${Math.round(s.errorRate * 100)}%`, s.stoppedDelivering ? 'stopped delivering' : s.lastError ? `error: ${s.lastError.slice(0, 80)}` : 'ok']),
    }],
  };
}

const label = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

/** Prometheus lines for the same figures (appended to GET /metrics). */
export function connectorMetrics(list: ConnectorStatus[]): string {
  const out = [
    '# HELP coo_connector_items_24h Items a connector delivered in the last 24h', '# TYPE coo_connector_items_24h gauge',
    ...list.map((s) => `coo_connector_items_24h{connector="${label(s.connector)}",account="${label(s.account)}"} ${s.items24h}`),
    '# HELP coo_connector_error_rate Share of the last 24h items that did not fit their schema', '# TYPE coo_connector_error_rate gauge',
    ...list.map((s) => `coo_connector_error_rate{connector="${label(s.connector)}",account="${label(s.account)}"} ${s.errorRate}`),
    '# HELP coo_connector_lag_seconds Seconds since the last successful pull or delivery (-1: never)', '# TYPE coo_connector_lag_seconds gauge',
    ...list.map((s) => `coo_connector_lag_seconds{connector="${label(s.connector)}",account="${label(s.account)}"} ${s.lagSeconds ?? -1}`),
    '# HELP coo_connector_stopped 1 when a connector stopped delivering', '# TYPE coo_connector_stopped gauge',
    ...list.map((s) => `coo_connector_stopped{connector="${label(s.connector)}",account="${label(s.account)}"} ${s.stoppedDelivering ? 1 : 0}`),
  ];
  return out.join('\n') + '\n';
}
