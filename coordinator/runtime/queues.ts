import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type pg from 'pg';
import type { Dispatcher, OutboxJob } from '../engine/deps.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { crashPoint } from './crash-points.ts';

export function queueName(agent: string): string {
  return `steps-${agent}`;
}

/** BullMQ keeps a bounded tail of finished jobs: enough to debug, never unbounded growth in Redis. */
export const JOB_OPTIONS = {
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
  // Only infrastructure errors (database unreachable) fail a job; handler errors are recorded as events.
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 500 },
};

/** One BullMQ queue per agent type, and the dispatcher that moves committed outbox jobs onto them. */
export class QueueSet implements Dispatcher {
  private readonly queues = new Map<string, Queue>();
  private toMark: bigint[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  /** Dispatches nobody waits for (dispatchLater), settled before close. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly opts: { log?: Logger; addTimeoutMs?: number } = {},
  ) {}

  queue(agent: string): Queue {
    let q = this.queues.get(agent);
    if (!q) {
      q = new Queue(queueName(agent), { connection: this.connection, prefix: this.prefix });
      this.queues.set(agent, q);
    }
    return q;
  }

  /** Adds jobs under their deterministic ids (a second add of a live job is a no-op in BullMQ). */
  async add(jobs: Array<Omit<OutboxJob, 'id'>>): Promise<void> {
    const byQueue = new Map<string, Array<Omit<OutboxJob, 'id'>>>();
    for (const j of jobs) byQueue.set(j.queue, [...(byQueue.get(j.queue) ?? []), j]);
    const now = this.clock.now().getTime();
    const toBullmq = (j: Omit<OutboxJob, 'id'>) => ({ name: j.payload.step, data: j.payload, opts: { ...JOB_OPTIONS, jobId: j.jobId, delay: Math.max(0, j.availableAt.getTime() - now) } });
    // A single job skips addBulk's MULTI/EXEC wrapper: the common case of one step scheduling the next.
    const adding = Promise.all(
      [...byQueue].map(([agent, list]) => {
        if (list.length === 1) {
          const j = toBullmq(list[0]);
          return this.queue(agent).add(j.name, j.data, j.opts);
        }
        return this.queue(agent).addBulk(list.map(toBullmq));
      }),
    );
    await withDeadline(adding, this.opts.addTimeoutMs ?? 5_000);
  }

  /**
   * Adds jobs, then marks their outbox rows dispatched in batches (one UPDATE for many steps). A crash
   * before the mark leaves rows the relay re-adds: harmless, since BullMQ ignores a live duplicate id
   * and the step claim drops a finished one.
   */
  async dispatch(jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.add(jobs);
    crashPoint('after-enqueue-before-mark');
    this.markDispatched(jobs.map((j) => j.id));
  }

  dispatchLater(jobs: OutboxJob[]): void {
    if (jobs.length === 0) return;
    const p: Promise<void> = this.dispatch(jobs)
      .catch((err) => this.opts.log?.warn({ err: String(err), jobs: jobs.length }, 'could not add jobs to BullMQ now; the outbox relay will add them'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  markDispatched(ids: bigint[]): void {
    if (ids.length === 0) return;
    this.toMark.push(...ids);
    this.markTimer ??= setTimeout(() => void this.flushMarks(), 20);
  }

  async flushMarks(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const ids = this.toMark.splice(0);
    if (ids.length === 0) return;
    await this.pool.query('UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])', [ids.map(String)]).catch(() => {
      // The relay will re-add and mark them.
    });
  }

  /** Queue sizes per agent; fails (within the same deadline as adds) rather than wait while Redis is away. */
  async sizes(agents: string[]): Promise<Record<string, { waiting: number; active: number; delayed: number; failed: number }>> {
    const out: Record<string, { waiting: number; active: number; delayed: number; failed: number }> = {};
    for (const agent of agents) {
      const c = await withDeadline(this.queue(agent).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), this.opts.addTimeoutMs ?? 5_000);
      out[agent] = { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.flushMarks();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

/** A Queue created while Redis is away waits for it without limit; nothing here may wait with it. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('redis_unavailable', `Redis did not answer within ${ms} ms; committed jobs wait in the outbox until it does.`, { retryable: true })), ms);
  });
  p.catch(() => {}); // once late, its own failure has nobody to tell
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
