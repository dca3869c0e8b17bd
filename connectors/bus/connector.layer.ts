import type { Coordinator, ProcessDefinition } from '../../coordinator/index.ts';
import { inboundItem } from '../processes/inbound-item.process.ts';
import type { ConnectorDefinition, ConnectorHealth } from './connector.define.ts';
import { connectorMetrics, connectorSection, connectorStatus, type ConnectorStatus } from './connector-status.ts';
import { itemButtons, itemCommand } from './item.commands.ts';
import { startPolling } from './poller.ts';
import { type PullOutcome, pullOnce } from './pull.ts';
import { type RecordBatch, type RecordedItem, recordItems } from './record-items.ts';

/** The bus once attached to a coordinator: what webhooks, imports, pollers and `coo` commands use. */
export interface ConnectorBus {
  connectors: Map<string, ConnectorDefinition<any, any>>;
  get(name: string): ConnectorDefinition<any, any> | undefined;
  /** Records items outside a pull (a webhook delivery, an import): same transaction, same keys. */
  record(batch: RecordBatch): Promise<RecordedItem[]>;
  pull(name: string, account?: string): Promise<PullOutcome>;
  status(): Promise<ConnectorStatus[]>;
  /** Polls the connectors that have a pull, each at its pace (the background role runs it); returns stop. */
  startPolling(tickMs?: number): () => Promise<void>;
  /** The fingerprint of the webhook request that first delivered an item (a replay carries the same). */
  deliveryOf(connector: string, account: string, externalId: string): Promise<string | null>;
  health(): Promise<Array<{ connector: string } & ConnectorHealth>>;
}

export interface ConnectorLayer {
  processes: ProcessDefinition<any>[];
  /** Offered to the coordinator as a service: the status page section and the /metrics lines. */
  services: Record<string, unknown>;
  attach(coordinator: Coordinator): ConnectorBus;
}

/**
 * The integration bus as a layer of the product: its built-in process, its status contribution and,
 * once attached, the record path every inbound item takes. Unreadable items also get a notice with
 * [Retry] [Skip] [Show raw] (the incident itself is already in /inbox from the record transaction).
 */
export function createConnectorLayer(defs: ConnectorDefinition<any, any>[]): ConnectorLayer {
  const connectors = new Map(defs.map((d) => [d.name, d]));
  let coordinator: Coordinator | null = null;
  const need = (): Coordinator => {
    if (!coordinator) throw new Error('The connector layer is not attached to a coordinator yet.');
    return coordinator;
  };
  const announce = async (c: Coordinator, done: RecordedItem[], connector: string) => {
    for (const r of done) {
      if (r.outcome !== 'quarantined') continue;
      await c.operator
        .post({ kind: 'notice', ref: `item-incident-${r.incidentId}`, text: `⚠️ ${connector} delivered an item I could not read (${r.externalId.slice(0, 60)}): ${r.error.slice(0, 300)}. It is kept as received; the next items go on.`, buttons: itemButtons(r.incidentId) })
        .catch((err) => c.log.warn({ err: String(err), incident: r.incidentId }, 'could not post the unreadable-item notice; the incident is in /inbox'));
    }
  };
  const services = {
    connectors: {
      statusSections: async () => (coordinator ? [connectorSection(await connectorStatus(coordinator, connectors), coordinator.clock.now().toISOString())] : []),
      metricsText: async () => (coordinator ? connectorMetrics(await connectorStatus(coordinator, connectors)) : ''),
    },
  };
  return {
    processes: [inboundItem],
    services,
    attach(c) {
      coordinator = c;
      c.router.register(itemCommand(c, connectors));
      const bus: ConnectorBus = {
        connectors,
        get: (name) => connectors.get(name),
        startPolling: (tickMs) => startPolling(need(), connectors, (name, account) => bus.pull(name, account), tickMs),
        async record(batch) {
          const done = await recordItems(need(), batch);
          await announce(need(), done, batch.connector.name);
          return done;
        },
        async pull(name, account = 'default') {
          const def = connectors.get(name);
          if (!def) throw new Error(`No connector "${name}" is configured (known: ${[...connectors.keys()].join(', ') || 'none'}).`);
          const out = await pullOnce(need(), def, account);
          await announce(need(), out.items, name);
          return out;
        },
        status: () => connectorStatus(need(), connectors),
        deliveryOf: async (connector, account, externalId) =>
          (await need().db.connectorItem.findUnique({ where: { connector_account_externalId: { connector, account, externalId } }, select: { delivery: true } }))?.delivery ?? null,
        async health() {
          const out: Array<{ connector: string } & ConnectorHealth> = [];
          for (const d of connectors.values()) {
            const h = d.health ? await d.health().catch((err: unknown) => ({ ok: false, detail: `health check failed: ${err instanceof Error ? err.message : String(err)}` })) : { ok: true, detail: 'no health check (nothing to reach)' };
            out.push({ connector: d.name, ...h });
          }
          return out;
        },
      };
      return bus;
    },
  };
}

