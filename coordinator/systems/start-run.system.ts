import type { z } from 'zod';
import type { EngineDeps, OutboxJob } from '../engine/deps.ts';
import { emptyView } from '../engine/events.ts';
import { RunTransaction, type Tx, commitRun, stashJobs, takePendingJobs } from '../engine/run-tx.ts';
import { UserInputError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ProcessDefinition } from '../process/define.ts';

export interface StartRunRequest {
  process: string;
  input: unknown;
  /** Makes starting idempotent: a second start with the same key returns the first run. */
  parentKey?: string;
  startedBy?: string;
  /** Lets a caller that must record the id first (a schedule firing) choose it. */
  runId?: string;
  /**
   * A parallel branch of another run (ctx.parallel). A branch that is a step of the parent's own
   * process names the parent's version, its first step and the outputs it starts with.
   */
  branchOf?: { runId: string; step: string; name: string; version?: number; startStep?: string; outputs?: Record<string, unknown> };
}

export interface StartedRun {
  runId: string;
  process: string;
  version: number;
  created: boolean;
}

/** Validates input against the process's schema and explains each problem in one line. */
export function parseProcessInput(deps: Pick<EngineDeps, 'registry'>, processName: string, input: unknown): { def: ProcessDefinition<any>; input: unknown } {
  const def = deps.registry.latest(processName);
  const parsed = def.input.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i: z.core.$ZodIssue) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new UserInputError('invalid_input', `Input for ${def.name} is not valid: ${issues}.`);
  }
  return { def, input: parsed.data };
}

/**
 * Starts a run on the latest version of a process: the run row, run.started, the first step.scheduled
 * and its outbox job commit together. With `tx`, joins the caller's transaction (schedule firings) and
 * leaves the jobs for the caller to dispatch after its commit (takePendingJobs).
 */
export async function startRun(deps: EngineDeps, req: StartRunRequest, tx?: Tx): Promise<StartedRun> {
  const branch = req.branchOf;
  const pinned = branch?.version !== undefined ? deps.registry.get(req.process, branch.version) : undefined;
  if (branch?.version !== undefined && !pinned) throw new UserInputError('process_version_missing', `This deployment has no ${req.process} v${branch.version} to branch into.`);
  // A branch of the parent's own process shares the parent's (already validated) input.
  const { def, input } = pinned ? { def: pinned, input: req.input } : parseProcessInput(deps, req.process, req.input);
  let jobs: OutboxJob[] = [];
  const work = async (t: Tx): Promise<StartedRun> => {
    if (req.parentKey) {
      const existing = await t.run.findUnique({ where: { parentKey: req.parentKey } });
      if (existing) return { runId: existing.id, process: existing.process, version: existing.version, created: false };
    }
    const id = req.runId ?? newId('run');
    const now = deps.clock.now();
    await t.run.create({
      data: { id, process: def.name, version: def.version, status: 'running', input: input as object, state: emptyView().state as object, parentKey: req.parentKey ?? null, parentRunId: branch?.runId ?? null, createdAt: now, updatedAt: now },
    });
    const rt = new RunTransaction(t, { id, process: def.name, version: def.version, input, createdAt: now }, emptyView(), deps);
    rt.append('run.started', null, {
      process: def.name,
      version: def.version,
      input,
      startedBy: req.startedBy ?? 'system',
      parentKey: req.parentKey ?? null,
      ...(branch ? { branchOf: { runId: branch.runId, step: branch.step, name: branch.name }, ...(branch.outputs ? { outputs: branch.outputs } : {}) } : {}),
    });
    rt.scheduleStep(branch?.startStep ?? def.start, 1);
    jobs = await commitRun(rt);
    return { runId: id, process: def.name, version: def.version, created: true };
  };
  if (tx) {
    const r = await work(tx);
    stashJobs(tx, jobs);
    return r;
  }
  const result = await deps.db.$transaction(work, { maxWait: 15_000, timeout: 30_000 });
  if (jobs.length) deps.dispatcher.dispatchLater(jobs);
  return result;
}

/**
 * One transaction in which the caller writes its own rows and starts runs that commit with them (the
 * integration bus records an inbound item, moves its cursor and starts the item's run together). The
 * runs' first jobs are dispatched after the commit; if the dispatch fails the relay sends them.
 */
export async function withRunStarts<T>(deps: EngineDeps, work: (tx: Tx, start: (req: StartRunRequest) => Promise<StartedRun>) => Promise<T>): Promise<T> {
  let jobs: OutboxJob[] = [];
  const result = await deps.db.$transaction(
    async (tx) => {
      const r = await work(tx, (req) => startRun(deps, req, tx));
      jobs = takePendingJobs(tx);
      return r;
    },
    { maxWait: 15_000, timeout: 30_000 },
  );
  if (jobs.length) await deps.dispatcher.dispatch(jobs).catch((err) => deps.log.warn({ err: String(err) }, 'inline dispatch failed; the relay will retry'));
  return result;
}
