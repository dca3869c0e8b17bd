import type { StepJob } from './deps.ts';
import type { RunView } from './events.ts';
import type { LockedRun } from './run-tx.ts';

export interface CachedRun {
  run: LockedRun;
  /** The run's view as this process's last transition left it (its commit may still be in flight). */
  view: RunView;
  /** Whether the transition that produced the view committed; a plan built on it commits after it. */
  committed: Promise<boolean>;
}

/**
 * The view each run was left in by this process's last fast-path transition, so the worker that picks
 * up the run's next job can start the handler without reading the run first (step.system.ts,
 * speculative steps). Only a hint: the commit that uses it is guarded by the whole view (see
 * commitPlan's expectState), so a stale or wrong entry costs a fallback, never a wrong transition.
 * Bounded: the oldest entries go first.
 */
export class RunCache {
  private readonly entries = new Map<string, CachedRun>();

  constructor(private readonly max = 10_000) {}

  set(entry: CachedRun): void {
    this.entries.delete(entry.run.id);
    this.entries.set(entry.run.id, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(runId: string): void {
    this.entries.delete(runId);
  }

  /** The entry, removed, if it expects exactly this job (running, at its seq, step and attempt); a stray job leaves it. */
  take(job: StepJob): CachedRun | null {
    const e = this.entries.get(job.runId);
    const v = e?.view;
    if (!e || !v || v.status !== 'running' || v.stepSeq !== job.seq || v.currentStep !== job.step || v.attempt !== job.attempt) return null;
    this.entries.delete(job.runId);
    return e;
  }

  get size(): number {
    return this.entries.size;
  }
}
