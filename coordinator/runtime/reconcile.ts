import { type EngineDeps, type OutboxJob, type StepJob, stepJobIdOf } from '../engine/deps.ts';
import type { QueueSet } from './queues.ts';

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** A run as the reconciliation pass listed it: what it expected to find still true when it acts. */
export interface ReconcileCandidate {
  id: string;
  process: string;
  version: number;
  currentStep: string | null;
  stepSeq: number | null;
  attempt: number;
  seq: number;
}

/**
 * Makes every run that should be moving move: a running run whose current step has neither an
 * undispatched outbox row nor a live BullMQ job (Redis lost it, a job finished without committing, or
 * PostgreSQL lost the transitions after it) gets its step re-enqueued through the outbox under the job
 * id its step.scheduled event recorded.
 */
export async function reconcileRuns(deps: EngineDeps, queues: QueueSet): Promise<number> {
  const runs = await deps.db.run.findMany({
    where: { status: 'running', stepSeq: { not: null }, updatedAt: { lt: new Date(deps.clock.now().getTime() - 2_000) } },
    select: { id: true, process: true, version: true, currentStep: true, stepSeq: true, attempt: true, seq: true },
  });
  let requeued = 0;
  for (const run of runs) if (await reconcileRun(deps, queues, run)) requeued++;
  return requeued;
}

/**
 * Re-enqueues one listed run if it is still exactly as listed. The list is a snapshot: by the time a
 * run's turn comes, its step may have moved (a worker was just slow), so the outbox row is inserted only
 * if the run is still running at the same step and sequence, in the same statement that checks it.
 * A run that moved is left alone, and no "not moving" warning is logged for it.
 */
export async function reconcileRun(deps: EngineDeps, queues: QueueSet, run: ReconcileCandidate): Promise<boolean> {
  if (run.stepSeq === null || run.currentStep === null) return false;
  const payload: StepJob = { runId: run.id, seq: run.stepSeq, step: run.currentStep, attempt: run.attempt };
  const scheduled = await deps.db.runEvent.findUnique({ where: { runId_seq: { runId: run.id, seq: run.stepSeq } }, select: { data: true } });
  const jobId = stepJobIdOf(run.id, run.stepSeq, scheduled?.data);
  const pending = await deps.db.outbox.count({ where: { jobId, dispatchedAt: null } });
  if (pending > 0) return false;
  const agent = deps.registry.get(run.process, run.version)?.steps[run.currentStep]?.agent ?? 'core';
  const job = await queues.queue(agent).getJob(jobId);
  if (job && LIVE.has(await job.getState())) return false;
  const rows = await deps.db.$queryRaw<Array<{ id: bigint; available_at: Date }>>`
    INSERT INTO outbox (queue, job_id, run_id, payload)
    SELECT ${agent}, ${jobId}, id, ${JSON.stringify(payload)}::jsonb FROM run
    WHERE id = ${run.id} AND status = 'running' AND step_seq = ${run.stepSeq} AND seq = ${run.seq}
    RETURNING id, available_at`;
  if (rows.length === 0) {
    deps.log.debug({ runId: run.id, step: run.currentStep }, 'reconciliation: the run moved since it was listed; left alone');
    return false;
  }
  // The finished job of the step's earlier attempt would shadow the re-add under the same id.
  if (job) await job.remove().catch(() => {});
  const out: OutboxJob = { id: rows[0].id, queue: agent, jobId, payload, availableAt: rows[0].available_at };
  await deps.dispatcher.dispatch([out]).catch(() => {});
  deps.log.warn({ runId: run.id, step: run.currentStep, jobId }, 'reconciled: re-enqueued a run that was not moving');
  return true;
}
