import { Prisma } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { crashPoint } from '../runtime/crash-points.ts';
import { externalize } from './blobs.ts';
import { type EngineDeps, type OutboxJob, type StepJob, newStepJobId } from './deps.ts';
import { applyEvent, type EventType, type RunEventRecord, type RunStatus, type RunView } from './events.ts';

export type Tx = Prisma.TransactionClient;

export interface LockedRun {
  id: string;
  process: string;
  version: number;
  input: unknown;
  createdAt: Date;
}

export class RunNotFoundError extends AppError {
  constructor(runId: string) {
    super('run_not_found', `There is no run "${runId}". /runs lists recent runs.`);
  }
}

/**
 * A transition being planned: events appended here are folded into the view at once; jobs are the
 * outbox rows that will commit with them. Pure: no I/O.
 */
export class RunPlan {
  readonly events: RunEventRecord[] = [];
  readonly jobs: Array<{ queue: string; jobId: string; payload: StepJob; availableAt: Date }> = [];

  constructor(
    readonly run: LockedRun,
    public view: RunView,
    readonly deps: EngineDeps,
  ) {}

  append(type: EventType, step: string | null, data: Record<string, unknown>): RunEventRecord {
    const e: RunEventRecord = { seq: this.view.seq + 1, type, step, data };
    this.view = applyEvent(this.view, e);
    this.events.push(e);
    return e;
  }

  /** Schedules a step: the event and its job commit together, the job's id recorded in both (newStepJobId). */
  scheduleStep(step: string, attempt: number, opts: { delayMs?: number; retry?: boolean; reason?: string; requestKey?: string } = {}): void {
    const def = this.deps.registry.get(this.run.process, this.run.version);
    const agent = def?.steps[step]?.agent ?? 'core';
    const availableAt = new Date(this.deps.clock.now().getTime() + (opts.delayMs ?? 0));
    const jobId = newStepJobId(this.run.id, this.view.seq + 1);
    const e = this.append(opts.retry ? 'step.retried' : 'step.scheduled', step, {
      attempt,
      jobId,
      agent,
      ...(opts.delayMs ? { delayMs: opts.delayMs, availableAt: availableAt.toISOString() } : {}),
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.requestKey ? { requestKey: opts.requestKey } : {}),
    });
    const payload: StepJob = { runId: this.run.id, seq: e.seq, step, attempt };
    this.jobs.push({ queue: agent, jobId, payload, availableAt });
  }

  get status(): RunStatus {
    return this.view.status;
  }
}

/** A transition inside the transaction that holds the run's row lock (see withRun). */
export class RunTransaction extends RunPlan {
  constructor(
    readonly tx: Tx,
    run: LockedRun,
    view: RunView,
    deps: EngineDeps,
  ) {
    super(run, view, deps);
  }

  async externalize(value: unknown): Promise<unknown> {
    return externalize(this.tx, value, this.deps.blobThreshold);
  }
}

interface RawRun {
  id: string;
  process: string;
  version: number;
  status: RunStatus;
  input: unknown;
  state: RunView['state'];
  current_step: string | null;
  step_seq: number | null;
  attempt: number;
  seq: number;
  error: string | null;
  created_at: Date;
}

export function viewOfRow(r: { status: string; currentStep: string | null; stepSeq: number | null; attempt: number; seq: number; error: string | null; state: unknown }): RunView {
  return {
    status: r.status as RunStatus,
    currentStep: r.currentStep,
    stepSeq: r.stepSeq,
    attempt: r.attempt,
    seq: r.seq,
    error: r.error,
    state: r.state as RunView['state'],
  };
}

/**
 * The only way run state changes: lock the run row, let `fn` append events, then write events,
 * snapshot and outbox in the same transaction. After commit, hand the new jobs to the dispatcher
 * without waiting for Redis (the relay is the safety net).
 * Returns fn's result; fn may throw to roll everything back.
 */
export async function withRun<T>(deps: EngineDeps, runId: string, fn: (rt: RunTransaction) => Promise<T>, existingTx?: Tx): Promise<T> {
  let jobs: OutboxJob[] = [];
  const body = async (tx: Tx): Promise<T> => {
    const rows = await tx.$queryRaw<RawRun[]>`SELECT id, process, version, status, input, state, current_step, step_seq, attempt, seq, error, created_at FROM run WHERE id = ${runId} FOR UPDATE`;
    const r = rows[0];
    if (!r) throw new RunNotFoundError(runId);
    const view = viewOfRow({ status: r.status, currentStep: r.current_step, stepSeq: r.step_seq, attempt: r.attempt, seq: r.seq, error: r.error, state: r.state });
    const rt = new RunTransaction(tx, { id: r.id, process: r.process, version: r.version, input: r.input, createdAt: r.created_at }, view, deps);
    const result = await fn(rt);
    // Runs started inside this transition (parallel branches) left their first jobs on the transaction.
    jobs = [...(await commitRun(rt)), ...(existingTx ? [] : takePendingJobs(tx))];
    return result;
  };
  const result = existingTx ? await body(existingTx) : await deps.db.$transaction(body, { maxWait: 15_000, timeout: 30_000 });
  if (!existingTx && jobs.length) {
    crashPoint('after-commit-before-enqueue');
    deps.dispatcher.dispatchLater(jobs);
  }
  if (existingTx) stashJobs(existingTx, jobs);
  return result;
}

export function stashJobs(tx: Tx, jobs: OutboxJob[]): void {
  if (jobs.length) pendingJobs.set(tx, [...(pendingJobs.get(tx) ?? []), ...jobs]);
}

/** Jobs committed by transitions that ran inside a caller's transaction; the caller dispatches them after its commit. */
const pendingJobs = new WeakMap<Tx, OutboxJob[]>();
export function takePendingJobs(tx: Tx): OutboxJob[] {
  const jobs = pendingJobs.get(tx) ?? [];
  pendingJobs.delete(tx);
  return jobs;
}

export async function commitRun(rt: RunTransaction): Promise<OutboxJob[]> {
  if (rt.events.length === 0) return [];
  const { tx, view } = rt;
  const now = rt.deps.clock.now();
  await tx.runEvent.createMany({
    data: rt.events.map((e) => ({ runId: rt.run.id, seq: e.seq, type: e.type, step: e.step, data: e.data as object, at: now })),
  });
  const terminal = view.status === 'completed' || view.status === 'failed' || view.status === 'cancelled';
  await tx.run.update({
    where: { id: rt.run.id },
    data: {
      status: view.status,
      currentStep: view.currentStep,
      stepSeq: view.stepSeq,
      attempt: view.attempt,
      seq: view.seq,
      error: view.error,
      state: view.state as object,
      updatedAt: now,
      finishedAt: terminal ? now : null,
    },
  });
  if (rt.jobs.length === 0) return [];
  const created = await tx.outbox.createManyAndReturn({
    data: rt.jobs.map((j) => ({ queue: j.queue, jobId: j.jobId, runId: rt.run.id, payload: j.payload as object, availableAt: j.availableAt })),
    select: { id: true, queue: true, jobId: true, payload: true, availableAt: true },
  });
  return created.map((c) => ({ id: c.id, queue: c.queue, jobId: c.jobId, payload: c.payload as unknown as StepJob, availableAt: c.availableAt }));
}
