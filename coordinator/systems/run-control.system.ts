import type { EngineDeps } from '../engine/deps.ts';
import { type RunTransaction, withRun } from '../engine/run-tx.ts';
import { UserInputError } from '../errors.ts';
import { insertMessage } from '../operator/conversation.ts';
import { cancelPendingApprovals, decideApproval } from './approval.system.ts';
import { recordedUnder } from './request-key.ts';
import { unfinishedBranchesOf } from './branches.system.ts';
import { cancelTimers } from './timer.system.ts';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Cancels a run that is still moving: pending approvals and timers go with it; stale jobs are dropped on claim. */
export async function cancelRun(deps: EngineDeps, runId: string, by: string, reason?: string, requestKey?: string): Promise<void> {
  await withRun(deps, runId, async (rt) => {
    if (TERMINAL.has(rt.view.status)) {
      if (rt.view.status === 'cancelled' && (await recordedUnder(rt.tx, runId, requestKey))) return;
      throw new UserInputError('run_finished', `Run ${runId} is already ${rt.view.status}; nothing to cancel.`);
    }
    await cancelInTransition(rt, by, reason ?? null, requestKey);
  });
}

async function cancelInTransition(rt: RunTransaction, by: string, reason: string | null, requestKey?: string): Promise<void> {
  rt.append('run.cancelled', null, { by, reason, ...(requestKey ? { requestKey } : {}) });
  await cancelPendingApprovals(rt, by);
  await cancelTimers(rt);
  await rt.tx.incident.updateMany({ where: { runId: rt.run.id, status: 'open' }, data: { status: 'resolved', resolvedAt: rt.deps.clock.now() } });
  // Parallel branches go with their parent, parent before child (the order every lock is taken in).
  for (const child of await unfinishedBranchesOf(rt)) {
    await withRun(rt.deps, child, (crt) => cancelInTransition(crt, by, `its parent run ${rt.run.id} was cancelled`), rt.tx);
  }
}

/**
 * Retries a failed run's failed step, or answers "retry" to a run waiting on an escalation. The
 * ledger keeps writes that already succeeded from happening again.
 */
export async function retryRun(deps: EngineDeps, runId: string, by: string, via = 'cli', requestKey?: string): Promise<{ step: string }> {
  const run = await deps.db.run.findUnique({ where: { id: runId } });
  if (!run) throw new UserInputError('run_not_found', `There is no run "${runId}". /runs lists recent runs.`);
  const wait = (run.state as { wait?: { kind: string; approvalId: string; step: string } }).wait;
  if (run.status === 'waiting' && wait?.kind === 'escalation') {
    await decideApproval(deps, { approvalId: wait.approvalId, option: 'retry', actor: by, via, requestKey });
    return { step: wait.step };
  }
  return withRun(deps, runId, async (rt) => {
    const done = await recordedUnder(rt.tx, runId, requestKey);
    if (done?.step) return { step: done.step };
    if (rt.view.status === 'failed' && !rt.view.currentStep) {
      // It ended with an answer (a step chose to fail it: a file that cannot be read), not a fault: the same input gives the same answer.
      throw new UserInputError('not_retryable', `Run ${runId} (${rt.run.process}) ended with an answer, not a fault: ${rt.view.error ?? 'it failed'}. Retrying would give the same answer; nothing to retry.`);
    }
    if (rt.view.status !== 'failed' || !rt.view.currentStep) {
      throw new UserInputError('not_retryable', `Run ${runId} is ${rt.view.status}; only failed runs (or runs waiting after a failure) can be retried.`);
    }
    const step = rt.view.currentStep;
    rt.scheduleStep(step, 1, { reason: `retry by ${by}`, requestKey });
    await rt.tx.incident.updateMany({ where: { runId, status: 'open' }, data: { status: 'resolved', resolvedAt: deps.clock.now() } });
    return { step };
  });
}

/**
 * Re-runs a finished run from a step (default: the step it failed at, else its first step), on the
 * version it started with. Writes already recorded in the ledger return their recorded results.
 */
export async function replayRun(deps: EngineDeps, runId: string, by: string, from?: string): Promise<{ step: string }> {
  return withRun(deps, runId, async (rt) => {
    if (!TERMINAL.has(rt.view.status)) {
      throw new UserInputError('run_active', `Run ${runId} is ${rt.view.status}; replay works on finished runs. /cancel ${runId} first if you want to start it over.`);
    }
    const def = deps.registry.get(rt.run.process, rt.run.version);
    if (!def) throw new UserInputError('process_version_missing', `${rt.run.process} v${rt.run.version} is not deployed here, so run ${runId} cannot be replayed.`);
    const step = from ?? rt.view.currentStep ?? def.start;
    if (!def.steps[step]) {
      throw new UserInputError('unknown_step', `${rt.run.process} v${rt.run.version} has no step "${step}"; its steps are: ${Object.keys(def.steps).join(', ')}.`);
    }
    rt.append('run.replayed', step, { from: step, by });
    rt.scheduleStep(step, 1, { reason: `replay by ${by}` });
    await insertMessage(rt.tx, { direction: 'out', surface: 'coo', body: { kind: 'notice', text: `Replaying run ${runId} (${rt.run.process} v${rt.run.version}) from step "${step}".` } });
    return { step };
  });
}
