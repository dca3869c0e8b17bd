import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, stepJobIdOf } from '../../coordinator/index.ts';
import { type ReconcileCandidate, reconcileRun } from '../../coordinator/runtime/reconcile.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

/**
 * Reconciliation acts on a list of runs it read a moment earlier. A run that moved in between (its
 * worker was only slow) must be left alone, without the "re-enqueued a run that was not moving"
 * warning; a run that really stands still must still be re-enqueued, with it.
 */
let env: TestEnv;
let c: Coordinator;
const warnings: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  // No roles: nothing moves a run unless the test does.
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
  c = await env.coordinator({ processes: [threeSteps], log });
});
afterAll(async () => env.cleanup());

/** Lists a run as the reconciliation pass does; `loseJob` then makes Redis lose the listed step's job. */
async function listed(runId: string, opts: { loseJob: boolean }): Promise<ReconcileCandidate> {
  const run = (await c.runs.get(runId))!;
  const scheduled = (await c.runs.events(runId)).find((e) => e.seq === run.stepSeq)!;
  const jobId = stepJobIdOf(runId, scheduled.seq, scheduled.data);
  const job = await waitFor(`the job of run ${runId} to be on BullMQ`, async () => c.queues.queue('core').getJob(jobId));
  await waitFor('its outbox row to be marked dispatched', async () => (await env.tdb.db.outbox.count({ where: { jobId, dispatchedAt: null } })) === 0);
  if (opts.loseJob) await job.remove();
  return { id: run.id, process: run.process, version: run.version, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq };
}

async function outboxRowsOf(runId: string): Promise<number> {
  return env.tdb.db.outbox.count({ where: { runId } });
}

describe('reconciliation acts only on runs that are still as it listed them', () => {
  it('leaves alone a run that was cancelled after it was listed', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 1 } });
    const candidate = await listed(runId, { loseJob: true });
    await c.runs.cancel(runId, 'op');
    const before = await outboxRowsOf(runId);
    warnings.length = 0;
    expect(await reconcileRun(c.deps, c.queues, candidate)).toBe(false);
    expect(await outboxRowsOf(runId)).toBe(before);
    expect(warnings).not.toContain('reconciled: re-enqueued a run that was not moving');
  });

  it('leaves alone a run whose step moved on after it was listed', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 1 } });
    const candidate = await listed(runId, { loseJob: false });
    // What a slow worker does meanwhile: the listed step runs and the run goes on to its next step
    // (b runs on another agent's queue, which nobody serves here, so the run stays there, running).
    const w = await env.coordinator({ processes: [threeSteps], roles: { workers: ['core'] } });
    await waitFor(`run ${runId} to leave step a`, async () => (await c.runs.get(runId))?.currentStep !== 'a');
    await w.stop();
    const before = await outboxRowsOf(runId);
    warnings.length = 0;
    expect(await reconcileRun(c.deps, c.queues, candidate)).toBe(false);
    expect(await outboxRowsOf(runId)).toBe(before);
    expect(warnings).not.toContain('reconciled: re-enqueued a run that was not moving');
  });

  it('re-enqueues a run that really stands still, and says so', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 1 } });
    const candidate = await listed(runId, { loseJob: true });
    warnings.length = 0;
    expect(await reconcileRun(c.deps, c.queues, candidate)).toBe(true);
    expect(warnings).toContain('reconciled: re-enqueued a run that was not moving');
  });
});
