import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, foldEvents, type RunEventRecord, stepJobIdOf } from '../../coordinator/index.ts';
import { bigOutput, flaky, flakyFail, sleeper, slow, threeSteps, versionedV1, versionedV2, wrongTurn } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ processes: [threeSteps, flaky, flakyFail, sleeper, slow, wrongTurn, bigOutput, versionedV1], roles: { workers: true, background: true } });
});
afterAll(async () => env.cleanup());

async function finished(runId: string, status = 'completed') {
  return waitFor(`run ${runId} to be ${status}`, async () => {
    const r = await c.runs.get(runId);
    return r?.status === status ? r : null;
  });
}

async function waiting(runId: string) {
  return waitFor(`run ${runId} to wait`, async () => {
    const r = await c.runs.get(runId);
    return r?.status === 'waiting' ? r : null;
  });
}

describe('process engine', () => {
  it('runs a three-step process across two agent queues and records every transition', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 5 } });
    const run = await finished(runId);
    expect((run.state as { result: unknown }).result).toEqual({ c: 7 });
    const types = (await c.runs.events(runId)).map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`);
    expect(types).toEqual([
      'run.started', 'step.scheduled:a', 'step.started:a', 'step.completed:a', 'step.scheduled:b', 'step.started:b',
      'step.completed:b', 'step.scheduled:c', 'step.started:c', 'step.completed:c', 'run.completed',
    ]);
    const queues = await env.tdb.sql<{ queue: string }>('SELECT DISTINCT queue FROM outbox WHERE run_id = $1 ORDER BY queue', [runId]);
    expect(queues.map((q) => q.queue)).toEqual(['core', 'other']);
  });

  it('retries a failing step with backoff and succeeds on the third attempt', async () => {
    const { runId } = await c.runs.start({ process: 'flaky', input: { failTimes: 2, key: 'retry-ok' } });
    const run = await finished(runId);
    expect((run.state as { result: unknown }).result).toEqual({ succeededOnCall: 3 });
    const events = await c.runs.events(runId);
    expect(events.filter((e) => e.type === 'step.failed')).toHaveLength(2);
    const retried = events.filter((e) => e.type === 'step.retried');
    expect(retried.map((e) => (e.data as { attempt: number }).attempt)).toEqual([2, 3]);
    expect(retried.every((e) => (e.data as { delayMs: number }).delayMs > 0)).toBe(true);
  });

  it('escalates a final failure to the operator with the reproduction in the incident inbox, and resumes on Retry', async () => {
    const { runId } = await c.runs.start({ process: 'flaky', input: { failTimes: 3, key: 'escalate' } });
    const run = await waiting(runId);
    const incident = await env.tdb.db.incident.findFirstOrThrow({ where: { runId } });
    expect(incident.code).toBe('unexpected');
    expect(incident.message).toBe('planned failure 3');
    expect((incident.input as { runInput: unknown }).runInput).toEqual({ failTimes: 3, key: 'escalate', permanent: false, onFinalFailure: 'escalate' });
    const history = (incident.history as { attempts: Array<{ type: string }> }).attempts;
    expect(history.filter((h) => h.type === 'step.failed')).toHaveLength(3);
    const approvalId = (run.state as { wait: { approvalId: string } }).wait.approvalId;
    const msg = await env.tdb.db.operatorMessage.findFirstOrThrow({ where: { approvalId } });
    expect((msg.body as { buttons: Array<Array<{ label: string }>> }).buttons[0].map((b) => b.label)).toEqual(['Retry', 'Cancel run']);
    const r = await c.approvals.decide({ approvalId, option: 'retry', actor: 'tester', via: 'test' });
    expect(r.ok).toBe(true);
    const done = await finished(runId);
    expect((done.state as { result: unknown }).result).toEqual({ succeededOnCall: 4 });
  });

  it('fails the run when the policy says fail, and /retry runs the step again', async () => {
    const { runId } = await c.runs.start({ process: 'flaky-fail', input: { key: 'fail-policy' } });
    const failed = await finished(runId, 'failed');
    expect(failed.error).toBe('planned failure 2');
    expect(await env.tdb.db.incident.count({ where: { runId, status: 'open' } })).toBe(1);
    const reply = await c.operator.handleMessage({ surface: 'test', actor: 'tester', text: `/retry ${runId}` });
    expect(reply.reply?.body.text).toContain(`Retrying run ${runId}`);
    await finished(runId);
    expect(await env.tdb.db.incident.count({ where: { runId, status: 'open' } })).toBe(0);
  });

  it('times out a step that runs too long', async () => {
    const { runId } = await c.runs.start({ process: 'slow', input: {} });
    const failed = await finished(runId, 'failed');
    expect(failed.error).toMatch(/longer than its 100 ms timeout/);
  });

  it('refuses a transition to an undeclared step', async () => {
    const { runId } = await c.runs.start({ process: 'wrong-turn', input: {} });
    const failed = await finished(runId, 'failed');
    expect(failed.error).toMatch(/not in its declared next steps/);
    const inc = await env.tdb.db.incident.findFirstOrThrow({ where: { runId } });
    expect(inc.code).toBe('undeclared_transition');
  });

  it('sleeps durably until a time and wakes from a timer', async () => {
    const { runId } = await c.runs.start({ process: 'sleeper', input: { ms: 400 } });
    const w = await waiting(runId);
    expect((w.state as { wait: { kind: string } }).wait.kind).toBe('sleep');
    const done = await finished(runId);
    const out = (done.state as { outputs: { nap: { sleptAt: number } }; result: { wokeAt: number } });
    expect(out.result.wokeAt - out.outputs.nap.sleptAt).toBeGreaterThanOrEqual(380);
  });

  it('stores a large output out of line and hands it to the next step intact', async () => {
    const { runId } = await c.runs.start({ process: 'big-output', input: { kb: 64 } });
    const done = await finished(runId);
    expect((done.state as { result: unknown }).result).toEqual({ length: 65536 });
    expect(JSON.stringify(done.state).length).toBeLessThan(2000);
    const [event] = await env.tdb.sql<{ data: { output: { $blob: string } } }>("SELECT data FROM run_event WHERE run_id = $1 AND type = 'step.completed' AND step = 'make'", [runId]);
    expect(event.data.output.$blob).toMatch(/^[0-9a-f]{64}$/);
    expect(await env.tdb.db.blob.count({ where: { hash: event.data.output.$blob } })).toBe(1);
  });

  it('keeps a run on the process version it started with', async () => {
    const { runId, version } = await c.runs.start({ process: 'versioned', input: {} });
    expect(version).toBe(1);
    const w = await waiting(runId);
    c.registry.register(versionedV2);
    const { runId: newer, version: v2 } = await c.runs.start({ process: 'versioned', input: {} });
    expect(v2).toBe(2);
    const approvalId = (w.state as { wait: { approvalId: string } }).wait.approvalId;
    await c.approvals.decide({ approvalId, option: 'approve', actor: 't', via: 'test' });
    expect(((await finished(runId)).state as { result: unknown }).result).toEqual({ version: 1 });
    await waiting(newer);
  });

  it('cancels a waiting run and closes its approval everywhere', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Cancel me?' } });
    const w = await waiting(runId);
    const approvalId = (w.state as { wait: { approvalId: string } }).wait.approvalId;
    await c.runs.cancel(runId, 'tester');
    expect((await c.runs.get(runId))?.status).toBe('cancelled');
    const a = await env.tdb.db.approval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(a.status).toBe('cancelled');
    const msg = await env.tdb.db.operatorMessage.findFirstOrThrow({ where: { approvalId } });
    expect((msg.body as { buttons: unknown[]; resolution: string }).buttons).toEqual([]);
    expect((msg.body as { resolution: string }).resolution).toMatch(/Cancelled/);
    const late = await c.approvals.decide({ approvalId, option: 'approve', actor: 'late', via: 'test' });
    expect(late.ok).toBe(false);
  });

  it('decides an approval once when pressed concurrently from several surfaces', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Pay supplier?' } });
    const w = await waiting(runId);
    const approvalId = (w.state as { wait: { approvalId: string } }).wait.approvalId;
    const presses = await Promise.all(
      ['telegram', 'slack', 'console', 'telegram', 'slack', 'console'].map((via, i) =>
        c.operator.handleAction({ surface: via, actor: `op${i}`, payload: { type: 'decide', approvalId, option: i % 2 ? 'reject' : 'approve' } }),
      ),
    );
    expect(presses.filter((p) => p.ok)).toHaveLength(1);
    expect(presses.filter((p) => !p.ok).every((p) => /already decided/.test(p.reply.text))).toBe(true);
    await finished(runId);
    const decided = await env.tdb.sql("SELECT count(*)::int AS n FROM run_event WHERE run_id = $1 AND type = 'approval.decided'", [runId]);
    expect(decided[0].n).toBe(1);
    const confirmations = await env.tdb.sql("SELECT count(*)::int AS n FROM operator_message WHERE body->>'ref' = $1", [`${runId}-confirm`]);
    expect(confirmations[0].n).toBe(1);
  });

  it('decides an unanswered approval by its timeout default', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Auto?', timeoutMinutes: 0.01, onTimeout: 'reject' } });
    const done = await finished(runId);
    expect((done.state as { result: unknown }).result).toEqual({ decision: 'reject', decidedBy: 'timeout' });
  });

  it('re-posts a pending approval as a reminder with the same buttons, and settles every copy on decision', async () => {
    const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Renew the domain?', remindMinutes: 0.005 } });
    const w = await waiting(runId);
    const approvalId = (w.state as { wait: { approvalId: string } }).wait.approvalId;
    await waitFor('a reminder', async () => (await env.tdb.db.operatorMessage.count({ where: { approvalId } })) >= 2);
    const reminder = await env.tdb.db.operatorMessage.findFirstOrThrow({ where: { approvalId }, orderBy: { id: 'desc' } });
    expect((reminder.body as { text: string }).text).toMatch(/^Reminder: still waiting for you\. Renew the domain\?/);
    await c.approvals.decide({ approvalId, option: 'approve', actor: 'op', via: 'test' });
    await finished(runId);
    const copies = await env.tdb.db.operatorMessage.findMany({ where: { approvalId } });
    expect(copies.every((m) => (m.body as { buttons: unknown[] }).buttons.length === 0 && /Approve — by op/.test((m.body as { resolution: string }).resolution))).toBe(true);
    const pendingTimers = await env.tdb.db.timer.count({ where: { approvalId, firedAt: null, cancelledAt: null } });
    expect(pendingTimers).toBe(0);
  });

  it('reconciles a run whose job Redis lost: start-up re-enqueues it and it completes', async () => {
    // A database of its own, so the file's running coordinator cannot move this run first.
    const own = await createTestEnv();
    const lonely = await own.coordinator({ processes: [threeSteps] });
    const { runId } = await lonely.runs.start({ process: 'three-steps', input: { n: 1 } });
    const scheduled = (await lonely.runs.events(runId)).find((e) => e.type === 'step.scheduled')!;
    const jobId = stepJobIdOf(runId, scheduled.seq, scheduled.data);
    // Starting a run does not wait for BullMQ; its job follows at once.
    await waitFor('the first job to be on BullMQ', async () => lonely.queues.queue('core').getJob(jobId));
    // Dispatch marks its outbox rows in batches; an unmarked row is the relay's job, not reconciliation's.
    await waitFor('the outbox row to be marked dispatched', async () => (await own.tdb.db.outbox.count({ where: { jobId, dispatchedAt: null } })) === 0);
    await lonely.queues.queue('core').obliterate({ force: true });
    expect(await lonely.queues.queue('core').getJob(jobId)).toBeUndefined();
    await own.tdb.sql("UPDATE run SET updated_at = now() - interval '1 minute' WHERE id = $1", [runId]);
    expect(await lonely.tick.reconcile()).toBe(1);
    expect(await lonely.queues.queue('core').getJob(jobId)).toBeTruthy();
    await lonely.start({ workers: true });
    await waitFor('the reconciled run to complete', async () => (await lonely.runs.get(runId))?.status === 'completed');
    expect(await lonely.tick.reconcile()).toBe(0);
    await own.cleanup();
  });

  it('replays a finished run from a chosen step on its own version', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 1 } });
    await finished(runId);
    await c.runs.replay(runId, 'tester', 'b');
    await waitFor('replay to finish', async () => {
      const ev = await c.runs.events(runId);
      return ev.filter((e) => e.type === 'run.completed').length === 2;
    });
    const ev = await c.runs.events(runId);
    expect(ev.filter((e) => e.type === 'step.completed' && e.step === 'a')).toHaveLength(1);
    expect(ev.filter((e) => e.type === 'step.completed' && e.step === 'b')).toHaveLength(2);
    await expect(c.runs.replay(runId, 't', 'nope')).rejects.toThrow(/has no step "nope"/);
  });

  it('every run snapshot equals the fold of its events, and every log is gapless', async () => {
    const runs = await env.tdb.db.run.findMany();
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      const events = (await c.runs.events(run.id)).map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const folded = foldEvents(events);
      expect(folded).toEqual({ status: run.status, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq, error: run.error, state: run.state });
    }
  });

  it('refuses to change the event log', async () => {
    await expect(env.tdb.sql("UPDATE run_event SET type = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
  });
});
