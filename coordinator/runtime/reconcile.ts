import { type EngineDeps, type OutboxJob, type StepJob, stepJobIdOf } from '../engine/deps.ts';
import type { QueueSet } from './queues.ts';

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Makes every run that should be moving move: a running run whose current step has neither an
 * undispatched outbox row nor a live BullMQ job (Redis lost it, a job finished without committing, or
 * PostgreSQL lost the transitions after it) gets its step re-enqueued through the outbox under the job
 * id its step.scheduled event recorded.
 */
export async function reconcileRuns(deps: EngineDeps, queues: QueueSet): Promise<number> {
  const runs = await deps.db.run.findMany({
    where: { status: 'running', stepSeq: { not: null }, updatedAt: { lt: new Date(deps.clock.now().getTime() - 2_000) } },
    select: { id: true, process: true, version: true, currentStep: true, stepSeq: true, attempt: true },
  });
  let requeued = 0;
  for (const run of runs) {
    const payload: StepJob = { runId: run.id, seq: run.stepSeq!, step: run.currentStep!, attempt: run.attempt };
    const scheduled = await deps.db.runEvent.findUnique({ where: { runId_seq: { runId: run.id, seq: run.stepSeq! } }, select: { data: true } });
    const jobId = stepJobIdOf(run.id, run.stepSeq!, scheduled?.data);
    const pending = await deps.db.outbox.count({ where: { jobId, dispatchedAt: null } });
    if (pending > 0) continue;
    const agent = deps.registry.get(run.process, run.version)?.steps[run.currentStep!]?.agent ?? 'core';
    const job = await queues.queue(agent).getJob(jobId);
    if (job && LIVE.has(await job.getState())) continue;
    if (job) await job.remove().catch(() => {});
    const row = await deps.db.outbox.create({ data: { queue: agent, jobId, runId: run.id, payload: payload as object } });
    const out: OutboxJob = { id: row.id, queue: agent, jobId, payload, availableAt: row.availableAt };
    await deps.dispatcher.dispatch([out]).catch(() => {});
    deps.log.warn({ runId: run.id, step: run.currentStep, jobId }, 'reconciled: re-enqueued a run that was not moving');
    requeued++;
  }
  return requeued;
}
