import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, foldEvents, newStepJobId, type RunEventRecord, type StepJob, stepJobIdOf } from '../../coordinator/index.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { consistentLog, runEvents } from '../support/run-log.ts';

/**
 * The step hot path adds the next job to BullMQ while its transition commits (asynchronously), so a
 * job can reach a worker before the commit that scheduled it, or outlive a commit that never happened.
 * These pin down what the claim does with such jobs, and how a run recovers a lost transition.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env.cleanup());

const count = (events: RunEventRecord[], type: string, step: string) => events.filter((e) => e.type === type && e.step === step).length;

/**
 * What a PostgreSQL crash can leave after asynchronous commits: the log ends at `step`'s scheduling
 * event and the run row is back at the fold of that log (long enough ago for reconciliation to look).
 */
async function loseTransitionsAfterScheduling(c: Coordinator, runId: string, step: string): Promise<RunEventRecord> {
  const all = await runEvents(c, runId);
  const scheduled = all.find((e) => e.type === 'step.scheduled' && e.step === step)!;
  const v = foldEvents(all.filter((e) => e.seq <= scheduled.seq));
  await env.tdb.sql('DELETE FROM run_event WHERE run_id = $1 AND seq > $2', [runId, scheduled.seq]);
  await env.tdb.sql(
    `UPDATE run SET status = $2, current_step = $3, step_seq = $4, attempt = $5, seq = $6, error = $7, state = $8::jsonb, finished_at = NULL, updated_at = now() - interval '1 minute' WHERE id = $1`,
    [runId, v.status, v.currentStep, v.stepSeq, v.attempt, v.seq, v.error, JSON.stringify(v.state)],
  );
  return scheduled;
}

describe('step jobs that arrive out of step with their commit', () => {
  it('runs a job that reached its worker before the commit that scheduled it, once, after that commit', async () => {
    const c = await env.coordinator({ processes: [threeSteps] });
    // Hold back the commit of a's transition (a slow disk, a busy server) while its successor is enqueued.
    const pool = c.deps.asyncPool;
    const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<unknown>;
    let held = 0;
    (pool as unknown as { query: typeof query }).query = async (text, values) => {
      if (typeof text === 'string' && text.includes('INSERT INTO outbox') && held++ === 0) await new Promise((r) => setTimeout(r, 400));
      return query(text, values);
    };
    await c.start({ workers: true, background: true });
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 5 } });
    await waitFor('the run to complete', async () => (await c.runs.get(runId))?.status === 'completed');
    expect(held).toBeGreaterThanOrEqual(2);
    const events = await consistentLog(c, runId);
    for (const step of ['a', 'b', 'c']) expect(count(events, 'step.completed', step)).toBe(1);
    expect(count(events, 'step.started', 'b')).toBe(1);
    const bScheduled = events.find((e) => e.type === 'step.scheduled' && e.step === 'b')!;
    // b's job was tried before a's commit was visible, kept, and claimed on a later try.
    expect((await c.queues.queue('other').getJob(stepJobIdOf(runId, bScheduled.seq, bScheduled.data)))?.attemptsMade).toBeGreaterThanOrEqual(1);
    expect((await c.runs.get(runId))!.state).toMatchObject({ outputs: { a: { a: 5 }, b: { b: 6 }, c: { c: 7 } } });
  });

  it('never lets a stray job stand in for another step scheduled at the same seq', async () => {
    const c = await env.coordinator({ processes: [threeSteps] });
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 1 } });
    const seq = (await c.runs.get(runId))!.seq;
    // A transition that lost its commit could have planned step c at the seq where b will really be.
    const stray: StepJob = { runId, seq: seq + 3, step: 'c', attempt: 1 };
    const strayId = newStepJobId(runId, stray.seq);
    await c.queues.add([{ queue: 'core', jobId: strayId, payload: stray, availableAt: new Date() }]);
    await c.start({ workers: true, background: true });
    await waitFor('the run to complete', async () => (await c.runs.get(runId))?.status === 'completed');
    const events = await consistentLog(c, runId);
    for (const step of ['a', 'b', 'c']) {
      expect(count(events, 'step.started', step)).toBe(1);
      expect(count(events, 'step.completed', step)).toBe(1);
    }
    const cStarted = events.find((e) => e.type === 'step.started' && e.step === 'c')!;
    expect(cStarted.seq).toBeGreaterThan(events.find((e) => e.type === 'step.completed' && e.step === 'b')!.seq);
    await waitFor('the stray job to be dropped', async () => (await c.queues.queue('core').getJob(strayId))?.isCompleted());
  });

  it('recovers a run whose last transitions PostgreSQL lost (asynchronous commit) although their jobs already ran', async () => {
    const c = await env.coordinator({ processes: [threeSteps], roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 10 } });
    await waitFor('the run to complete', async () => (await c.runs.get(runId))?.status === 'completed');
    // The log ends at "b scheduled" while b's job is already finished in BullMQ.
    const bScheduled = await loseTransitionsAfterScheduling(c, runId, 'b');
    expect(await (await c.queues.queue('other').getJob(stepJobIdOf(runId, bScheduled.seq, bScheduled.data)))?.isCompleted()).toBe(true);
    expect(await c.tick.reconcile()).toBe(1);
    await waitFor('the run to complete again', async () => (await c.runs.get(runId))?.status === 'completed');
    const events = await consistentLog(c, runId);
    expect(count(events, 'step.completed', 'b')).toBe(1);
    expect(count(events, 'step.completed', 'c')).toBe(1);
    expect((await c.runs.get(runId))!.state).toMatchObject({ outputs: { b: { b: 11 }, c: { c: 12 } } });
  });

  it('reconciles at once when the database connection comes back, without waiting for the periodic pass', async () => {
    // The periodic pass an hour away (its first run is at start-up): only the reconnect's pass can move the run in time.
    const c = await env.coordinator({ processes: [threeSteps], config: { COO_RECONCILE_MS: 3_600_000 }, roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 20 } });
    await waitFor('the run to complete', async () => (await c.runs.get(runId))?.status === 'completed');
    await loseTransitionsAfterScheduling(c, runId, 'c');
    // What a PostgreSQL restart does to the coordinator's listening connection.
    const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'coo-listener' AND datname = current_database()");
    expect(n).toBeGreaterThanOrEqual(1);
    await waitFor('the run to complete after the reconnect, moved by the reconnect\'s reconciliation pass', async () => (await c.runs.get(runId))?.status === 'completed');
    const events = await consistentLog(c, runId);
    expect(count(events, 'step.completed', 'c')).toBe(1);
  });
});
