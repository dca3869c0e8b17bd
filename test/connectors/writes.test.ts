import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorWrites, defineConnector } from '../../connectors/index.ts';
import { type Coordinator, defineProcess } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

/** A payment provider's refund API that counts each call per idempotency key. */
const performed = new Map<string, number>();
const provider = defineConnector({
  name: 'provider',
  version: 1,
  normalize: {},
  writes: {
    refund: {
      intent: 'refund a payment',
      perform: async (req: { paymentId: string; amount: string }, key: string) => {
        performed.set(key, (performed.get(key) ?? 0) + 1);
        return { externalId: `re_${req.paymentId}`, result: { refundId: `re_${req.paymentId}`, amount: req.amount } };
      },
      reconcile: async (key: string) => (performed.has(key) ? { externalId: 're_found', result: { refundId: 're_found', amount: '?' } } : null),
    },
  },
});
const writes = connectorWrites(provider);

let attempts = 0;
// The step refunds, then fails on its first attempt: its retry must not refund again.
const refundProcess = defineProcess({
  name: 'refund-test',
  version: 1,
  description: 'refunds once',
  input: z.object({ paymentId: z.string() }),
  start: 'refund',
  steps: {
    refund: {
      retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 10, jitter: 0 },
      async run(ctx) {
        const services = ctx.services as unknown as { provider: typeof writes };
        const r = await services.provider.refund(ctx, 'refund', { paymentId: ctx.input.paymentId, amount: '5.00' });
        if (++attempts === 1) throw new Error('crashed after the refund');
        return ctx.complete(r);
      },
    },
  },
});

let env: TestEnv;
let c: Coordinator;

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ processes: [refundProcess], services: { provider: writes }, roles: { workers: true, background: true } });
});
afterAll(async () => env?.cleanup());

describe('a connector\'s typed writes', () => {
  it('go through ctx.effect: a step retried after its write does not write again', async () => {
    const { runId } = await c.runs.start({ process: 'refund-test', input: { paymentId: 'pi_1' } });
    const run = await waitFor('the refund run to complete', async () => {
      const r = await c.db.run.findUnique({ where: { id: runId } });
      return r?.status === 'completed' ? r : null;
    });
    expect(attempts).toBe(2);
    expect([...performed.values()]).toEqual([1]);
    const ledger = await c.db.writeLedger.findMany({ where: { runId } });
    expect(ledger.map((l) => [l.connector, l.intent, l.status, l.externalId])).toEqual([['provider', 'refund a payment', 'succeeded', 're_pi_1']]);
    expect(JSON.stringify(run.state)).toContain('re_pi_1');
  });
});
