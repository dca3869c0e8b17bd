import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, type ConversationHandlers } from '../../coordinator/index.ts';
import { cancelRun, retryRun } from '../../coordinator/systems/run-control.system.ts';
import { flakyFail } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, spawnScript, type TestEnv, waitFor } from '../support/harness.ts';

/**
 * "An inbound message or press is never lost": a delivery whose work was cut short (SIGKILL between the
 * receipt and the work, or between the work and the receipt's settling; a fault inside the work) is done
 * by its redelivery, and done once. Keys are shaped like each surface's own (console request ids, Slack
 * event and action ids, Telegram update ids).
 */
let env: TestEnv;
let c: Coordinator;
let failNextFreeText = 0;
const freeTextCalls: string[] = [];

const handlers: ConversationHandlers = {
  async freeText({ text }) {
    freeTextCalls.push(text);
    if (failNextFreeText > 0) {
      failNextFreeText--;
      // What a PostgreSQL restart or a lock timeout looks like from inside the work: not the operator's fault.
      throw new Error('Connection terminated unexpectedly');
    }
    return { text: `noted: ${text}` };
  },
};

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ processes: [flakyFail], roles: { workers: true, background: true }, handlers });
});
afterAll(async () => env.cleanup());

type Delivery = { kind: 'message'; body: { surface: string; actor: string; text: string; dedupeKey: string } } | { kind: 'action'; body: { surface: string; actor: string; payload: { type: 'decide'; approvalId: string; option: string } | { type: 'command'; text: string }; dedupeKey: string } };

/** Delivers in a child process armed to SIGKILL itself at `point`; resolves once it died there. */
async function deliverAndCrash(d: Delivery, point: 'after-inbound-receipt' | 'after-inbound-work'): Promise<void> {
  const child = spawnScript('test/fixtures/deliver-inbound.child.ts', { ...env.env, COO_CRASH_POINTS: point }, [JSON.stringify(d)]);
  const { signal } = await child.exited;
  expect(child.output()).toContain(`crash point ${point}`);
  expect(signal).toBe('SIGKILL');
}

/** Delivers again, in this process; answers with the reply's text whichever kind it was. */
async function redeliver(d: Delivery): Promise<{ duplicate: boolean; ok?: boolean; text: string | null }> {
  if (d.kind === 'message') {
    const r = await c.operator.handleMessage(d.body);
    return { duplicate: r.duplicate, text: r.reply?.body.text ?? null };
  }
  const r = await c.operator.handleAction(d.body);
  return { duplicate: r.duplicate, ok: r.ok, text: r.reply.text };
}

async function runsStartedBy(requestKey: string): Promise<string[]> {
  const rows = await env.tdb.sql<{ id: string }>('SELECT id FROM run WHERE parent_key = $1', [`request:${requestKey}`]);
  return rows.map((r) => r.id);
}

async function messages(direction: 'in' | 'out', text: string): Promise<number> {
  const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM operator_message WHERE direction = $1 AND body->>'text' LIKE $2", [direction, text]);
  return n;
}

async function pendingApproval(question: string): Promise<{ id: string; runId: string }> {
  const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question }, startedBy: 'test' });
  return waitFor(`the approval of run ${runId}`, async () => (await c.approvals.pending()).find((a) => a.runId === runId), 60_000);
}

async function decisionsOf(approvalId: string): Promise<number> {
  const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE type = 'approval.decided' AND data->>'approvalId' = $1", [approvalId]);
  return n;
}

describe('inbound delivery after a crash', () => {
  it('a console /run killed between its receipt and its work is done by the redelivery, once', async () => {
    const d: Delivery = { kind: 'message', body: { surface: 'console', actor: 'op', text: '/run approval-roundtrip {"question":"crash A?"}', dedupeKey: 'req-0b6f2c1e-a' } };
    await deliverAndCrash(d, 'after-inbound-receipt');
    expect(await runsStartedBy('console:req-0b6f2c1e-a')).toEqual([]);

    const again = await redeliver(d);
    expect(again.duplicate).toBe(false);
    const runs = await runsStartedBy('console:req-0b6f2c1e-a');
    expect(runs).toHaveLength(1);
    expect(again.text).toContain(runs[0]);
    // The operator's message shows once, though two deliveries recorded it.
    expect(await messages('in', '/run approval-roundtrip {"question":"crash A?"}')).toBe(1);

    expect((await redeliver(d)).duplicate).toBe(true);
    expect(await runsStartedBy('console:req-0b6f2c1e-a')).toHaveLength(1);
  });

  it('a Slack message killed after its run started but before its receipt settled starts no second run', async () => {
    const d: Delivery = { kind: 'message', body: { surface: 'slack', actor: 'U123', text: '/run approval-roundtrip {"question":"crash B?"}', dedupeKey: 'Ev08ABCD1234' } };
    await deliverAndCrash(d, 'after-inbound-work');
    const first = await runsStartedBy('slack:Ev08ABCD1234');
    expect(first).toHaveLength(1);

    const again = await redeliver(d);
    expect(again.duplicate).toBe(false);
    expect(await runsStartedBy('slack:Ev08ABCD1234')).toEqual(first);
    expect(await messages('in', '/run approval-roundtrip {"question":"crash B?"}')).toBe(1);
    expect(await messages('out', `Started approval-roundtrip%run ${first[0]}.`)).toBe(1);
    expect((await redeliver(d)).duplicate).toBe(true);
  });

  it('a Telegram press killed between its receipt and its decision decides on redelivery, and the run continues', async () => {
    const a = await pendingApproval('crash C?');
    const d: Delivery = { kind: 'action', body: { surface: 'telegram', actor: '4242', payload: { type: 'decide', approvalId: a.id, option: 'approve' }, dedupeKey: '7001:912345' } };
    await deliverAndCrash(d, 'after-inbound-receipt');
    expect(await decisionsOf(a.id)).toBe(0);

    const again = await redeliver(d);
    expect(again).toMatchObject({ duplicate: false, ok: true });
    expect(await decisionsOf(a.id)).toBe(1);
    await waitFor(`run ${a.runId} to complete after the approval`, async () => (await c.runs.get(a.runId))?.status === 'completed', 60_000);
    expect(await redeliver(d)).toMatchObject({ duplicate: true });
  });

  it('a Slack press killed after its decision committed answers as decided on redelivery and decides nothing twice', async () => {
    const a = await pendingApproval('crash D?');
    const d: Delivery = { kind: 'action', body: { surface: 'slack', actor: 'U123', payload: { type: 'decide', approvalId: a.id, option: 'reject' }, dedupeKey: 'action:1733400000.000100:1733400001.123456' } };
    await deliverAndCrash(d, 'after-inbound-work');
    expect(await decisionsOf(a.id)).toBe(1);

    const again = await redeliver(d);
    // The same request did it: "recorded", not "already decided by someone".
    expect(again).toMatchObject({ duplicate: false, ok: true });
    expect(again.text).toMatch(/^Reject — recorded/);
    expect(await decisionsOf(a.id)).toBe(1);
    expect(await redeliver(d)).toMatchObject({ duplicate: true });
  });

  it('a Telegram command button killed between its receipt and its work runs the command on redelivery, once', async () => {
    const d: Delivery = { kind: 'action', body: { surface: 'telegram', actor: '4242', payload: { type: 'command', text: '/run approval-roundtrip {"question":"crash F?"}' }, dedupeKey: '7001:912777' } };
    await deliverAndCrash(d, 'after-inbound-receipt');
    expect(await runsStartedBy('telegram:7001:912777')).toEqual([]);
    const again = await redeliver(d);
    expect(again).toMatchObject({ duplicate: false, ok: true });
    const runs = await runsStartedBy('telegram:7001:912777');
    expect(runs).toHaveLength(1);
    expect(again.text).toContain(runs[0]);
    expect(await redeliver(d)).toMatchObject({ duplicate: true });
    expect(await runsStartedBy('telegram:7001:912777')).toHaveLength(1);
  });
});

describe('inbound delivery when the work fails or races', () => {
  it('a fault inside the work leaves the message open, and its redelivery does the work', async () => {
    failNextFreeText = 1;
    const msg = { surface: 'telegram', actor: '4242', text: 'remember the blue folder', dedupeKey: '7001:912400' };
    const first = await c.operator.handleMessage(msg);
    expect(first.reply?.body.kind).toBe('error');
    const again = await c.operator.handleMessage(msg);
    expect(again.duplicate).toBe(false);
    expect(again.reply?.body.text).toBe('noted: remember the blue folder');
    expect(freeTextCalls.filter((t) => t === 'remember the blue folder')).toHaveLength(2);
    expect((await c.operator.handleMessage(msg)).duplicate).toBe(true);
    expect(await messages('in', 'remember the blue folder')).toBe(1);
  });

  it('a redelivery whose first message was deleted meanwhile records it again and answers', async () => {
    failNextFreeText = 1;
    const msg = { surface: 'console', actor: 'op', text: 'note the green folder', dedupeKey: 'req-gone-1' };
    await c.operator.handleMessage(msg);
    await env.tdb.sql("DELETE FROM operator_message WHERE body->>'text' = 'note the green folder' OR reply_to IN (SELECT id FROM operator_message WHERE body->>'text' = 'note the green folder')");
    const again = await c.operator.handleMessage(msg);
    expect(again).toMatchObject({ duplicate: false, reply: { body: { text: 'noted: note the green folder' } } });
    expect(again.inbound?.id).toBe(again.reply?.replyTo);
    expect(await messages('in', 'note the green folder')).toBe(1);
  });

  it("the operator's own mistake is an answer: its redelivery is a duplicate", async () => {
    const msg = { surface: 'console', actor: 'op', text: '/approve apv_nosuch', dedupeKey: 'req-mistake-1' };
    expect((await c.operator.handleMessage(msg)).reply?.body.text).toMatch(/There is no approval "apv_nosuch"/);
    expect((await c.operator.handleMessage(msg)).duplicate).toBe(true);
  });

  it('a press whose decision fails on our side is decided by its redelivery', async () => {
    const a = await pendingApproval('fault E?');
    const press = { surface: 'console', actor: 'op', payload: { type: 'decide' as const, approvalId: a.id, option: 'approve' }, dedupeKey: 'req-fault-e' };
    // The decision's transaction fails as it would while PostgreSQL restarts (admin_shutdown).
    await env.tdb.sql(`CREATE FUNCTION coo_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01'; END; $$ LANGUAGE plpgsql`);
    await env.tdb.sql('CREATE TRIGGER coo_test_fail BEFORE UPDATE ON approval FOR EACH ROW EXECUTE FUNCTION coo_test_fail()');
    let failed: Awaited<ReturnType<Coordinator['operator']['handleAction']>>;
    try {
      failed = await c.operator.handleAction(press);
    } finally {
      await env.tdb.sql('DROP TRIGGER coo_test_fail ON approval');
      await env.tdb.sql('DROP FUNCTION coo_test_fail()');
    }
    expect(failed).toMatchObject({ duplicate: false, ok: false });
    expect(failed.reply.text).toMatch(/Something went wrong on my side/);
    expect(await decisionsOf(a.id)).toBe(0);

    expect(await c.operator.handleAction(press)).toMatchObject({ duplicate: false, ok: true });
    expect(await decisionsOf(a.id)).toBe(1);
    expect(await c.operator.handleAction(press)).toMatchObject({ duplicate: true });
  });

  it('two live deliveries of one message at once do the work once and answer once', async () => {
    const msg = { surface: 'slack', actor: 'U123', text: '/run approval-roundtrip {"question":"twice at once?"}', dedupeKey: 'Ev08TWICE' };
    const results = await Promise.all([c.operator.handleMessage(msg), c.operator.handleMessage(msg), c.operator.handleMessage(msg)]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await runsStartedBy('slack:Ev08TWICE')).toHaveLength(1);
    expect(await messages('out', 'Started approval-roundtrip%')).toBeGreaterThan(0);
    expect(await messages('in', '/run approval-roundtrip {"question":"twice at once?"}')).toBe(1);
  });

  it('a Slack file claimed by a delivery that crashed is taken again by its redelivery, and by no other event', async () => {
    expect(await c.operator.claimInbound('slack', 'file:F0CRASH', 'Ev-message-1')).toBe(true);
    // The message event's work died; file_shared for the same file arrives: the file is not handed over twice.
    expect(await c.operator.claimInbound('slack', 'file:F0CRASH', 'Ev-file-shared-2')).toBe(false);
    // The message event is redelivered: it gets its file back.
    expect(await c.operator.claimInbound('slack', 'file:F0CRASH', 'Ev-message-1')).toBe(true);
  });
});

async function eventsWithKey(runId: string, type: string, requestKey: string): Promise<number> {
  const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = $1 AND type = $2 AND data->>'requestKey' = $3", [runId, type, requestKey]);
  return n;
}

describe('a redelivery whose effect already committed (the delivery died before its receipt settled)', () => {
  // What the dead delivery left: its effect, recorded under the delivery's key, and no settled receipt.
  it('/cancel answers "Cancelled" again and cancels nothing twice', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'cancel me?' }, startedBy: 'test' });
    await cancelRun(c.deps, runId, 'op', undefined, 'console:req-cancel-1');
    const again = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: `/cancel ${runId}`, dedupeKey: 'req-cancel-1' });
    expect(again.reply?.body.text).toBe(`Cancelled run ${runId}.`);
    expect(await eventsWithKey(runId, 'run.cancelled', 'console:req-cancel-1')).toBe(1);
    // Another request to cancel it is told the truth.
    const other = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: `/cancel ${runId}`, dedupeKey: 'req-cancel-2' });
    expect(other.reply?.body.text).toMatch(/already cancelled; nothing to cancel/);
  });

  it('/retry answers "Retrying" again and retries the step once', async () => {
    const { runId } = await c.runs.start({ process: 'flaky-fail', input: { key: `retry-${Date.now()}` } });
    await waitFor(`run ${runId} to fail`, async () => (await c.runs.get(runId))?.status === 'failed');
    await retryRun(c.deps, runId, 'op', 'slack', 'slack:Ev08RETRY');
    const again = await c.operator.handleMessage({ surface: 'slack', actor: 'op', text: `/retry ${runId}`, dedupeKey: 'Ev08RETRY' });
    expect(again.reply?.body.text).toBe(`Retrying run ${runId} at step "work".`);
    await waitFor(`run ${runId} to complete after the retry`, async () => (await c.runs.get(runId))?.status === 'completed');
    const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = $1 AND type = 'step.retried'", [runId]);
    expect(n).toBe(1);
  });
});
