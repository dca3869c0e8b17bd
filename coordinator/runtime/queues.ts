import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { Dispatcher, OutboxJob } from '../engine/deps.ts';
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

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    private readonly db: Db,
    private readonly clock: Clock,
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
  async add(jobs: OutboxJob[]): Promise<void> {
    const byQueue = new Map<string, OutboxJob[]>();
    for (const j of jobs) byQueue.set(j.queue, [...(byQueue.get(j.queue) ?? []), j]);
    const now = this.clock.now().getTime();
    await Promise.all(
      [...byQueue].map(([agent, list]) =>
        this.queue(agent).addBulk(
          list.map((j) => ({
            name: j.payload.step,
            data: j.payload,
            opts: { ...JOB_OPTIONS, jobId: j.jobId, delay: Math.max(0, j.availableAt.getTime() - now) },
          })),
        ),
      ),
    );
  }

  async dispatch(jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.add(jobs);
    crashPoint('after-enqueue-before-mark');
    await this.db.outbox.updateMany({ where: { id: { in: jobs.map((j) => j.id) } }, data: { dispatchedAt: new Date() } });
  }

  async sizes(agents: string[]): Promise<Record<string, { waiting: number; active: number; delayed: number; failed: number }>> {
    const out: Record<string, { waiting: number; active: number; delayed: number; failed: number }> = {};
    for (const agent of agents) {
      const c = await this.queue(agent).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      out[agent] = { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
