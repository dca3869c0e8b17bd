import type { EngineDeps, OutboxJob, StepJob } from '../engine/deps.ts';
import type { QueueSet } from './queues.ts';

/**
 * The safety net behind inline dispatch: outbox rows still undispatched a moment after their commit
 * (a crash between commit and enqueue, Redis down) are added to BullMQ and marked, under SKIP LOCKED so
 * several coordinators share the work. A crash between add and mark re-adds: harmless (idempotent claim).
 */
export async function relayOnce(deps: EngineDeps, queues: QueueSet, graceMs = 1_000): Promise<number> {
  return deps.db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: bigint; queue: string; job_id: string; payload: StepJob; available_at: Date }>>`
        SELECT id, queue, job_id, payload, available_at FROM outbox
        WHERE dispatched_at IS NULL AND created_at < now() - make_interval(secs => ${graceMs / 1000})
        ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      const jobs: OutboxJob[] = rows.map((r) => ({ id: r.id, queue: r.queue, jobId: r.job_id, payload: r.payload, availableAt: r.available_at }));
      await queues.add(jobs);
      await tx.outbox.updateMany({ where: { id: { in: jobs.map((j) => j.id) } }, data: { dispatchedAt: new Date() } });
      return rows.length;
    },
    { timeout: 30_000 },
  );
}

/** Dispatched outbox rows are only history: keep a day of them. */
export async function pruneOutbox(deps: EngineDeps, keepMs = 24 * 3_600_000): Promise<number> {
  const r = await deps.db.outbox.deleteMany({ where: { dispatchedAt: { lt: new Date(Date.now() - keepMs) } } });
  return r.count;
}
