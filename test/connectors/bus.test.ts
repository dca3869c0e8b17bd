import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ConnectorBus, createConnectorLayer, defineConnector, type PulledItem } from '../../connectors/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

/** An outside system that delivers a list of items in pages of two; the cursor is the index reached. */
function feed(name: string, items: PulledItem[], opts: { crashOn?: Set<string>; expectItemEveryMs?: number } = {}) {
  const pulls: number[] = [];
  const def = defineConnector<number>({
    name,
    version: 1,
    expectItemEveryMs: opts.expectItemEveryMs,
    async pull(cursor) {
      const from = cursor ?? 0;
      pulls.push(from);
      return { items: items.slice(from, from + 2), nextCursor: Math.min(items.length, from + 2) };
    },
    normalize: {
      payment: {
        version: 1,
        process: 'inbound-item',
        // An adapter bug on a marked item: the recording transaction throws after the pull (a crash between pull and record).
        schema: z.object({ id: z.string(), amount: z.string().regex(/^-?\d+\.\d{2}$/), currency: z.string().length(3) }).transform((v) => {
          if (opts.crashOn?.has(v.id)) throw new Error(`adapter crashed on ${v.id}`);
          return v;
        }),
      },
    },
  });
  return { def, pulls };
}

const pay = (id: string, amount = '10.00'): PulledItem => ({ externalId: id, kind: 'payment', raw: { id, amount, currency: 'EUR' } });

let env: TestEnv;
let c: Coordinator;
let bus: ConnectorBus;
const crashOn = new Set<string>();
const shop = feed('shop', [pay('p1'), pay('p2'), pay('p3'), pay('p4'), pay('p5')]);
const twice = feed('twice', [pay('t1'), pay('t2'), pay('t3')]);
const flaky = feed('flaky', [pay('f1'), pay('f2'), pay('f3'), pay('f4')], { crashOn });
const messy = feed('messy', [pay('m1'), { externalId: 'm2', kind: 'payment', raw: { id: 'm2', amount: '12,5', currency: 'EURO' } }, pay('m3')]);
const silent = feed('silent', [], { expectItemEveryMs: 3_600_000 });
const polled = feed('polled', [pay('a1'), pay('a2'), pay('a3')]);
polled.def.pollEveryMs = 50;

const runsOf = (connector: string) => c.db.connectorItem.findMany({ where: { connector }, orderBy: { externalId: 'asc' } });
const runCount = async (connector: string) => {
  const items = await runsOf(connector);
  return c.db.run.count({ where: { id: { in: items.map((i) => i.runId).filter((x): x is string => Boolean(x)) } } });
};
const cursorOf = async (connector: string, account = 'default') => (await c.db.connectorCursor.findUnique({ where: { connector_account: { connector, account } } }))?.cursor;

beforeAll(async () => {
  env = await createTestEnv();
  const layer = createConnectorLayer([shop.def, twice.def, flaky.def, messy.def, silent.def, polled.def]);
  c = await env.coordinator({ processes: layer.processes, services: layer.services, roles: { workers: true, background: true } });
  bus = layer.attach(c);
});
afterAll(async () => env?.cleanup());

describe('the integration bus records each inbound item once', () => {
  it('starts one run per item when the same items arrive again (replay, reconnect from an old cursor)', async () => {
    const first = await bus.record({ connector: twice.def, account: 'acme', items: [pay('t1'), pay('t2')] });
    expect(first.map((r) => r.outcome)).toEqual(['recorded', 'recorded']);
    // A replay of the same delivery, and a batch that carries one item twice.
    const again = await bus.record({ connector: twice.def, account: 'acme', items: [pay('t2'), pay('t1'), pay('t1')] });
    expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    // A reconnect: the poller lost its place and pulls from the start.
    await bus.pull('twice', 'acme');
    await bus.pull('twice', 'acme');
    await c.db.connectorCursor.update({ where: { connector_account: { connector: 'twice', account: 'acme' } }, data: { cursor: 0 } });
    await bus.pull('twice', 'acme');
    await bus.pull('twice', 'acme');
    expect((await runsOf('twice')).map((i) => i.externalId)).toEqual(['t1', 't2', 't3']);
    expect(await runCount('twice')).toBe(3);
    expect(await c.db.run.count({ where: { process: 'inbound-item', input: { path: ['connector'], equals: 'twice' } } })).toBe(3);
    // The same external id under another account is another item.
    await bus.record({ connector: twice.def, account: 'other', items: [pay('t1')] });
    expect(await runCount('twice')).toBe(4);
  });

  it('starts one run per item when several pollers pull the same account at once, and the cursor ends at the end', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => bus.pull('shop')));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    for (let i = 0; i < 4; i++) await bus.pull('shop');
    expect((await runsOf('shop')).map((i) => i.externalId)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(await runCount('shop')).toBe(5);
    expect(await cursorOf('shop')).toBe(5);
    // Every recorded item's run runs to its end.
    await waitFor('the shop items\' runs to complete', async () => (await c.db.run.count({ where: { status: 'completed', input: { path: ['connector'], equals: 'shop' } } })) === 5);
  });

  it('leaves the cursor where it was when recording crashes after a pull, and the next pull records each item once', async () => {
    crashOn.add('f2');
    const crashed = await bus.pull('flaky');
    expect(crashed.ok).toBe(false);
    expect(crashed.error).toMatch(/adapter crashed on f2/);
    // f1 came in the same page: nothing of the page is recorded and the cursor did not move past it.
    expect(await runsOf('flaky')).toEqual([]);
    expect(await cursorOf('flaky')).toBeNull();
    expect((await bus.status()).find((s) => s.connector === 'flaky')!.lastError).toMatch(/adapter crashed/);
    expect((await bus.pull('flaky')).ok).toBe(false);
    expect(await cursorOf('flaky')).toBeNull();
    crashOn.clear();
    for (let i = 0; i < 3; i++) expect((await bus.pull('flaky')).ok).toBe(true);
    expect((await runsOf('flaky')).map((i) => [i.externalId, i.status])).toEqual([['f1', 'recorded'], ['f2', 'recorded'], ['f3', 'recorded'], ['f4', 'recorded']]);
    expect(await runCount('flaky')).toBe(4);
    expect(flaky.pulls.slice(0, 3)).toEqual([0, 0, 0]);
    expect((await bus.status()).find((s) => s.connector === 'flaky')!.lastError).toBeNull();
  });

  it('keeps an item that fails its schema raw, opens an incident with Retry/Skip/Show raw, and goes on with the next item', async () => {
    await bus.pull('messy');
    await bus.pull('messy');
    const items = await runsOf('messy');
    expect(items.map((i) => [i.externalId, i.status])).toEqual([['m1', 'recorded'], ['m2', 'quarantined'], ['m3', 'recorded']]);
    expect(await runCount('messy')).toBe(2);
    expect(await cursorOf('messy')).toBe(3);
    const bad = items[1];
    expect(bad.raw).toBe(JSON.stringify({ id: 'm2', amount: '12,5', currency: 'EURO' }));
    expect(bad.error).toMatch(/amount/);
    const incident = await c.db.incident.findUniqueOrThrow({ where: { id: bad.incidentId! } });
    expect(incident.status).toBe('open');
    expect(incident.code).toBe('connector_item_invalid');
    // In the operator's inbox, and as a notice with its three buttons.
    const inbox = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/inbox' });
    expect(JSON.stringify(inbox)).toContain(bad.incidentId!);
    const notice = await waitFor('the unreadable-item notice', () => c.db.operatorMessage.findFirst({ where: { body: { path: ['ref'], equals: `item-incident-${bad.incidentId}` } } }));
    const labels = (notice.body as { buttons: Array<Array<{ label: string; action: { text: string } }>> }).buttons.flat();
    expect(labels.map((b) => b.label)).toEqual(['Retry', 'Skip', 'Show raw']);
    // Show raw: the item as received. Retry: still refused, the incident stays open. Skip: closed, no run.
    const raw = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: labels[2].action.text });
    expect(JSON.stringify(raw)).toContain('12,5');
    const retry = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: labels[0].action.text });
    expect(JSON.stringify(retry)).toMatch(/still does not fit/);
    expect((await c.db.incident.findUniqueOrThrow({ where: { id: bad.incidentId! } })).status).toBe('open');
    await c.operator.handleMessage({ surface: 'console', actor: 'op', text: labels[1].action.text });
    expect((await c.db.incident.findUniqueOrThrow({ where: { id: bad.incidentId! } })).status).toBe('resolved');
    expect((await c.db.connectorItem.findFirstOrThrow({ where: { incidentId: bad.incidentId } })).status).toBe('skipped');
    expect(await runCount('messy')).toBe(2);
  });

  it('records a quarantined item once its adapter reads it ([Retry] after a fix)', async () => {
    crashOn.clear();
    const r = await bus.record({ connector: flaky.def, account: 'retry', items: [{ externalId: 'q1', kind: 'payment', raw: { id: 'q1', amount: '5', currency: 'EUR' } }] });
    expect(r[0].outcome).toBe('quarantined');
    const incidentId = (r[0] as { incidentId: string }).incidentId;
    await c.db.connectorItem.updateMany({ where: { incidentId }, data: { raw: JSON.stringify({ id: 'q1', amount: '5.00', currency: 'EUR' }) } });
    const reply = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: `/item retry ${incidentId}` });
    expect(JSON.stringify(reply)).toMatch(/recorded, and run run_\w+ started/);
    expect((await c.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).status).toBe('resolved');
    expect((await bus.record({ connector: flaky.def, account: 'retry', items: [pay('q1', '5.00')] }))[0].outcome).toBe('duplicate');
  });

  it('polls a connector at its pace, page after page, until its backlog is recorded', async () => {
    const stop = bus.startPolling(50);
    try {
      await waitFor('the polled backlog to be recorded', async () => (await runsOf('polled')).length === 3);
      await waitFor('the poller to pull again after the backlog', async () => polled.pulls.filter((p) => p === 3).length >= 2);
    } finally {
      await stop();
    }
    expect(await runCount('polled')).toBe(3);
    expect(await cursorOf('polled')).toBe(3);
  });

  it('reports last success, lag, items per day, error rate and "stopped delivering" per connector', async () => {
    const list = await bus.status();
    const messyS = list.find((s) => s.connector === 'messy')!;
    expect(messyS.items24h).toBe(3);
    expect(messyS.failed24h).toBe(1);
    expect(messyS.errorRate).toBeCloseTo(1 / 3);
    expect(messyS.lastSuccessAt).not.toBeNull();
    expect(messyS.stoppedDelivering).toBe(false);
    const silentS = list.find((s) => s.connector === 'silent')!;
    // Its pulls succeed (the poller ran them), yet nothing comes: that is what "stopped delivering" means.
    expect(silentS.stoppedDelivering).toBe(true);
    expect(silentS.lastSuccessAt).not.toBeNull();
    expect(silentS.lastItemAt).toBeNull();
    const status = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/status' });
    expect(JSON.stringify(status)).toMatch(/silent \(default\) stopped delivering: last item never/);
    const sections = (await (c.services.connectors as { statusSections(): Promise<Array<{ id: string; tables: Array<{ rows: unknown[][] }> }>> }).statusSections());
    expect(sections[0].tables[0].rows.some((r) => r[0] === 'messy' && r[4] === '33%')).toBe(true);
    const metrics = await (c.services.connectors as { metricsText(): Promise<string> }).metricsText();
    expect(metrics).toMatch(/^coo_connector_items_24h\{connector="messy",account="default"\} 3$/m);
    expect(metrics).toMatch(/^coo_connector_stopped\{connector="silent",account="default"\} 1$/m);
    expect(metrics).toMatch(/^coo_connector_error_rate\{connector="messy",account="default"\} 0\.333/m);
  });
});
