import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { type WorkerDeps, executeStep } from '../systems/step.system.ts';
import { queueName } from './queues.ts';

const StepJobSchema = z.object({ runId: z.string(), seq: z.number().int(), step: z.string(), attempt: z.number().int() });

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  agents: string[];
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * One BullMQ worker per agent queue. BullMQ is at-least-once (a killed worker's job comes back after its
 * lock expires), so the processor leans on executeStep's claim to drop stale duplicates, and a high
 * maxStalledCount keeps repeated crashes from failing a job.
 */
export function startStepWorkers(deps: WorkerDeps, opts: WorkerOptions): { workers: Worker[]; close(): Promise<void> } {
  // BullMQ leaves a connection it was given open on close, so the workers' connections are closed here.
  const connections: Redis[] = [];
  const workers = opts.agents.map(
    (agent) =>
      new Worker(
        queueName(agent),
        async (job) => {
          await executeStep(deps, StepJobSchema.parse(job.data));
        },
        {
          connection: (() => {
            const c = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
            connections.push(c);
            return c;
          })(),
          prefix: opts.prefix,
          concurrency: opts.concurrency,
          lockDuration: opts.lockDurationMs,
          stalledInterval: opts.stalledIntervalMs,
          maxStalledCount: 1000,
        },
      ),
  );
  for (const w of workers) w.on('error', (err) => deps.log.error({ err: String(err) }, 'worker error'));
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      for (const c of connections) c.disconnect();
    },
  };
}
