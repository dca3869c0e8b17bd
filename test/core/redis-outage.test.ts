import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';

/**
 * While Redis is away, a committed transition answers at once and the outbox relay carries its job
 * when Redis returns: the operator's command or press is not held hostage by BullMQ, and the
 * background loops (timers) keep moving. Each test records the order in which things happened; none
 * measures a duration.
 */
let env: TestEnv;
let redis: PrivateRedis;
let c: Coordinator;

beforeAll(async () => {
  env = await createTestEnv();
  redis = await startPrivateRedis();
  c = await env.coordinator({ roles: { workers: true, background: true }, config: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  redis.resume();
  await env.cleanup();
  await redis.close();
});

/**
 * Starts `act` while Redis is away and gives it every chance (a generous deadline) to finish before
 * Redis is brought back; returns the order of the two and act's result.
 */
async function beforeRedisReturns<T>(what: string, act: () => Promise<T>, bringBack: () => Promise<void> | void): Promise<{ order: string[]; value: T }> {
  const order: string[] = [];
  const done = act().then((v) => (order.push(what), v));
  await waitFor(`${what} while Redis is away`, async () => order.includes(what), 45_000).catch(() => {});
  await bringBack();
  order.push('Redis is back');
  return { order, value: await done };
}

async function pendingApprovalOf(runId: string) {
  return waitFor(`the approval of run ${runId}`, async () => (await c.approvals.pending()).find((a) => a.runId === runId), 60_000);
}

async function completed(runId: string) {
  await waitFor(`run ${runId} to complete`, async () => (await c.runs.get(runId))?.status === 'completed', 60_000);
}

describe('Redis outage', () => {
  it('answers a /run while Redis is down, and the run moves once Redis is back', async () => {
    await redis.kill();
    const { order, value } = await beforeRedisReturns(
      'the /run answered',
      () => c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/run approval-roundtrip {"question":"while Redis is down?"}', dedupeKey: 'req-redis-down-1' }),
      () => redis.start(),
    );
    expect(order).toEqual(['the /run answered', 'Redis is back']);
    const runId = /run (run_\w+)/.exec(value.reply!.body.text)![1];
    // The relay carried the committed job once Redis returned: the first step ran and asked.
    await pendingApprovalOf(runId);
  }, 180_000);

  it('answers /status while Redis is down, saying the queues cannot be reached', async () => {
    await redis.kill();
    const { order, value } = await beforeRedisReturns(
      '/status answered',
      () => c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/status', dedupeKey: 'req-redis-down-status' }),
      () => redis.start(),
    );
    expect(order).toEqual(['/status answered', 'Redis is back']);
    expect(value.reply!.body.text).toMatch(/Queues — not reachable from here\./);
    expect(value.reply!.body.text).toMatch(/^Runs — running \d+/);
  }, 180_000);

  it('answers a press while Redis hangs, and the run continues once it answers again', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'while Redis hangs?' }, startedBy: 'test' });
    const approval = await pendingApprovalOf(runId);
    redis.pause();
    const { order, value } = await beforeRedisReturns(
      'the press answered',
      () => c.operator.handleAction({ surface: 'telegram', actor: '4242', payload: { type: 'decide', approvalId: approval.id, option: 'approve' }, dedupeKey: '7001:500001' }),
      () => redis.resume(),
    );
    expect(order).toEqual(['the press answered', 'Redis is back']);
    expect(value).toMatchObject({ duplicate: false, ok: true });
    await completed(runId);
  }, 180_000);

  it('keeps firing due timers while Redis hangs: every due approval times out, not just the first', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map((i) => c.runs.start({ process: 'approval-roundtrip', input: { question: `timer ${i}?`, timeoutMinutes: 60, onTimeout: 'approve' }, startedBy: 'test' })),
    );
    const approvals = await Promise.all(runs.map((r) => pendingApprovalOf(r.runId)));
    redis.pause();
    await env.tdb.sql('UPDATE timer SET due_at = now() - interval \'1 second\' WHERE approval_id = ANY($1) AND fired_at IS NULL', [approvals.map((a) => a.id)]);
    const { order } = await beforeRedisReturns(
      'all three approvals timed out',
      () => waitFor('all three approvals to be decided by their timers', async () => {
        const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM approval WHERE id = ANY($1) AND status = 'decided'", [approvals.map((a) => a.id)]);
        return n === 3;
      }, 60_000),
      () => redis.resume(),
    );
    expect(order).toEqual(['all three approvals timed out', 'Redis is back']);
    for (const r of runs) await completed(r.runId);
  }, 240_000);
});
