import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectorBus, createConnectorLayer, formsConnector, loadWebhookConfig, mountWebhooks, paymentsConnector, signBody } from '../../connectors/index.ts';
import { type Coordinator, createConsoleAuth, createHttpApp } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

const PAY_SECRET = 'whsec_test_0123456789abcdef';
const FORM_SECRET = 'forms-secret-0123456789';
const MAX = 4096;

let env: TestEnv;
let c: Coordinator;
let bus: ConnectorBus;
let app: Hono;
const now = () => Math.floor(Date.now() / 1000);

const stripeEvent = (id: string, type = 'payment_intent.succeeded', object: Record<string, unknown> = {}) =>
  JSON.stringify({ id, type, created: 1764000000, data: { object: { id: `pi_${id}`, amount: 12345, currency: 'eur', receipt_email: 'anna@example.com', description: 'Order 17', ...object } } });

const post = (path: string, body: string | ReadableStream, headers: Record<string, string>) =>
  app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit);

const runs = () => c.db.run.count({ where: { process: 'inbound-item' } });
const items = () => c.db.connectorItem.count();

beforeAll(async () => {
  env = await createTestEnv();
  const layer = createConnectorLayer([paymentsConnector, formsConnector]);
  c = await env.coordinator({ processes: layer.processes, services: layer.services, roles: { workers: true, background: true } });
  bus = layer.attach(c);
  app = createHttpApp({ coordinator: c, auth: createConsoleAuth(c.db) });
  const config = loadWebhookConfig({}, { COO_PAYMENTS_WEBHOOK_SECRET: PAY_SECRET, COO_FORMS_WEBHOOK_SECRET: FORM_SECRET, COO_WEBHOOK_MAX_BYTES: MAX });
  mountWebhooks(app, { bus, config, log: c.log });
});
afterAll(async () => env?.cleanup());

describe('POST /hooks/<connector>', () => {
  it('refuses forged, unsigned, tampered, stale and future requests, and starts nothing', async () => {
    const body = stripeEvent('evt_forged');
    const cases: Array<[string, Record<string, string>, string, number]> = [
      ['wrong secret', signBody('stripe', 'whsec_someone_else_000000', body, now()), body, 401],
      ['no signature', {}, body, 401],
      ['signature of another body', signBody('stripe', PAY_SECRET, stripeEvent('evt_other'), now()), body, 401],
      ['tampered amount', signBody('stripe', PAY_SECRET, body, now()), body.replace('12345', '99999'), 401],
      ['generic headers on the stripe endpoint', signBody('generic', PAY_SECRET, body, now()), body, 401],
      ['stale: 6 minutes old', signBody('stripe', PAY_SECRET, body, now() - 360), body, 400],
      ['future: 6 minutes ahead', signBody('stripe', PAY_SECRET, body, now() + 360), body, 400],
      ['timestamp not a number', { 'stripe-signature': `t=abc,v1=${'0'.repeat(64)}` }, body, 400],
    ];
    for (const [what, headers, b, status] of cases) {
      const r = await post('/hooks/payments', b, headers);
      expect(r.status, what).toBe(status);
    }
    const forms = stripeEvent('sub_forged');
    expect((await post('/hooks/forms', forms, signBody('generic', 'not-the-forms-secret-000', forms, now()))).status).toBe(401);
    expect((await post('/hooks/forms', forms, signBody('stripe', FORM_SECRET, forms, now()))).status).toBe(401);
    expect((await post('/hooks/nothing-here', body, signBody('stripe', PAY_SECRET, body, now()))).status).toBe(404);
    expect(await items()).toBe(0);
    expect(await runs()).toBe(0);
  });

  it('refuses a body over the limit with 413 before reading it whole, declared or streamed', async () => {
    const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(MAX) });
    expect((await post('/hooks/payments', big, signBody('stripe', PAY_SECRET, big, now()))).status).toBe(413);
    // Chunked, with no Content-Length: the reader stops at the limit, and never pulls the rest.
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled++;
        if (pulled > 1000) return ctrl.close();
        ctrl.enqueue(new TextEncoder().encode('x'.repeat(1024)));
      },
    });
    const r = await post('/hooks/payments', stream, signBody('stripe', PAY_SECRET, 'x', now()));
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(20);
    expect(await items()).toBe(0);
  });

  it('records a valid payment event once, before answering, and starts its run; the replayed request is refused', async () => {
    const body = stripeEvent('evt_paid_1');
    const headers = signBody('stripe', PAY_SECRET, body, now());
    const r = await post('/hooks/payments', body, headers);
    expect(r.status).toBe(200);
    const answer = (await r.json()) as { recorded: boolean; runId: string };
    expect(answer.recorded).toBe(true);
    // Recorded durably before the answer: the row and the run exist the moment the 200 is read.
    const item = await c.db.connectorItem.findUniqueOrThrow({ where: { connector_account_externalId: { connector: 'payments', account: 'default', externalId: 'evt_paid_1' } } });
    expect(item.runId).toBe(answer.runId);
    expect(item.payload).toMatchObject({ event: 'payment.succeeded', amount: '123.45', currency: 'EUR', customerEmail: 'anna@example.com', paymentId: 'pi_evt_paid_1' });
    const run = await waitFor('the payment run to complete', async () => {
      const x = await c.db.run.findUnique({ where: { id: answer.runId } });
      return x?.status === 'completed' ? x : null;
    });
    expect(JSON.stringify(run.state)).toContain('payment.succeeded · 123.45 EUR');
    // The same request again (an attacker's replay inside the window): refused, nothing new.
    const replay = await post('/hooks/payments', body, headers);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('replayed');
    // The provider's own redelivery (fresh signature) is acknowledged and starts nothing.
    const redelivered = await post('/hooks/payments', body, signBody('stripe', PAY_SECRET, body, now() + 1));
    expect(redelivered.status).toBe(200);
    expect(await redelivered.json()).toMatchObject({ duplicate: true });
    // Concurrent copies of one new event: one run.
    const twin = stripeEvent('evt_paid_2');
    const results = await Promise.all([0, 1, 2].map((i) => post('/hooks/payments', twin, signBody('stripe', PAY_SECRET, twin, now() + i))));
    expect(results.map((x) => x.status)).toEqual([200, 200, 200]);
    expect(await runs()).toBe(2);
  });

  it('normalizes failed and refunded payments, Stripe zero-decimal currencies and the generic payment shape', async () => {
    const failed = stripeEvent('evt_fail', 'payment_intent.payment_failed', { amount: 5000, last_payment_error: { message: 'card declined' } });
    const refunded = stripeEvent('evt_refund', 'charge.refunded', { amount: 12345, amount_refunded: 2500 });
    const yen = stripeEvent('evt_yen', 'charge.succeeded', { amount: 500, currency: 'jpy' });
    const generic = JSON.stringify({ id: 'gen_1', type: 'payment.succeeded', created: '2026-12-01T10:00:00+01:00', payment: { id: 'pay_9', amount: '19.90', currency: 'chf', email: 'c@example.com' } });
    for (const b of [failed, refunded, yen, generic]) expect((await post('/hooks/payments', b, signBody('stripe', PAY_SECRET, b, now()))).status).toBe(200);
    const payload = async (id: string) => (await c.db.connectorItem.findFirstOrThrow({ where: { externalId: id } })).payload;
    expect(await payload('evt_fail')).toMatchObject({ event: 'payment.failed', amount: '50.00', reason: 'card declined' });
    expect(await payload('evt_refund')).toMatchObject({ event: 'payment.refunded', amount: '25.00' });
    expect(await payload('evt_yen')).toMatchObject({ event: 'payment.succeeded', amount: '500', currency: 'JPY' });
    expect(await payload('gen_1')).toMatchObject({ event: 'payment.succeeded', provider: 'generic', amount: '19.90', currency: 'CHF', occurredAt: '2026-12-01T09:00:00.000Z' });
    // An event type that is not a payment is acknowledged, not recorded.
    const other = stripeEvent('evt_customer', 'customer.created');
    const r = await post('/hooks/payments', other, signBody('stripe', PAY_SECRET, other, now()));
    expect(await r.json()).toEqual({ ignored: true });
    expect(await c.db.connectorItem.count({ where: { externalId: 'evt_customer' } })).toBe(0);
  });

  it('records a signed form submission (generic signing) and starts its run; its replay is refused', async () => {
    const body = JSON.stringify({ id: 'sub_1', form: 'contact', email: 'ben@example.com', fields: { name: 'Ben', message: 'Quote for 20 chairs?', chairs: 20 } });
    const headers = signBody('generic', FORM_SECRET, body, now());
    const r = await post('/hooks/forms', body, headers);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ recorded: true });
    expect((await c.db.connectorItem.findFirstOrThrow({ where: { externalId: 'sub_1' } })).payload).toMatchObject({ form: 'contact', fields: { chairs: '20' } });
    expect((await post('/hooks/forms', body, headers)).status).toBe(400);
    expect(await c.db.connectorItem.count({ where: { connector: 'forms' } })).toBe(1);
  });

  it('shows each connector\'s figures on the status page (/api/status) and in GET /metrics', async () => {
    const token = await createConsoleAuth(c.db).token();
    const headers = { authorization: `Bearer ${token}` };
    const status = (await (await app.request('/api/status', { headers })).json()) as { sections: Array<{ id: string; tables: Array<{ columns: string[]; rows: unknown[][] }> }> };
    const section = status.sections.find((x) => x.id === 'connectors')!;
    expect(section.tables[0].columns).toEqual(['connector', 'account', 'last success', 'items 24h', 'error rate', 'state']);
    expect(section.tables[0].rows.find((r) => r[0] === 'payments')).toEqual(['payments', 'default', expect.stringMatching(/s ago$/), 6, '0%', 'ok']);
    const metrics = await (await app.request('/metrics', { headers })).text();
    expect(metrics).toMatch(/^coo_runs\{status="running"\} \d+$/m);
    expect(metrics).toMatch(/^coo_connector_items_24h\{connector="payments",account="default"\} 6$/m);
    expect(metrics).toMatch(/^coo_connector_lag_seconds\{connector="payments",account="default"\} \d+$/m);
    expect(metrics).toMatch(/^coo_connector_items_24h\{connector="forms",account="default"\} 1$/m);
  });

  it('keeps a genuine but unreadable event raw with an incident, answering 200 so the provider does not retry forever', async () => {
    const body = JSON.stringify({ id: 'sub_bad', form: 'contact', fields: 'not an object' });
    const r = await post('/hooks/forms', body, signBody('generic', FORM_SECRET, body, now()));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ quarantined: true });
    const item = await c.db.connectorItem.findFirstOrThrow({ where: { externalId: 'sub_bad' } });
    expect(item.status).toBe('quarantined');
    expect(item.raw).toBe(body);
    expect((await c.db.incident.findUniqueOrThrow({ where: { id: item.incidentId! } })).status).toBe('open');
    // A signed body that is not JSON at all: kept as text under its hash, the same body again adds nothing.
    const text = 'name=Ben&message=hello';
    const first = await post('/hooks/forms', text, signBody('generic', FORM_SECRET, text, now()));
    expect(await first.json()).toMatchObject({ quarantined: true });
    expect((await c.db.connectorItem.findFirstOrThrow({ where: { connector: 'forms', raw: text } })).status).toBe('quarantined');
    expect(await (await post('/hooks/forms', text, signBody('generic', FORM_SECRET, text, now() + 1))).json()).toMatchObject({ duplicate: true });
    expect(await c.db.connectorItem.count({ where: { connector: 'forms', status: 'quarantined' } })).toBe(2);
  });
});
