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
  /** Jobs each agent queue's worker runs at once (resolveConcurrency). */
  concurrency: Record<string, number>;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * Workers per agent queue: the operator's override (COO_AGENT_CONCURRENCY), else the agent type's own
 * default (an agent that calls a rate-limited model wants fewer than a step that only moves data),
 * else COO_WORKER_CONCURRENCY.
 */
export function resolveConcurrency(agents: string[], fallback: number, defaults: Record<string, number> = {}, overrides: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(agents.map((a) => [a, overrides[a] ?? defaults[a] ?? fallback]));
}

/**
 * One BullMQ worker per agent queue, each with its own concurrency. BullMQ is at-least-once (a killed
 * worker's job comes back after its lock expires), so the processor leans on executeStep's claim to drop
 * stale duplicates, and a high maxStalledCount keeps repeated crashes from failing a job.
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
          concurrency: opts.concurrency[agent] ?? 1,
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
