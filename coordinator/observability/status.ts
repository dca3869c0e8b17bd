import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { QueueSet } from '../runtime/queues.ts';
import { nextDueAt } from '../runtime/scheduler.ts';

export interface StatusReport {
  at: string;
  runs: Record<'running' | 'waiting' | 'completed' | 'failed' | 'cancelled', number>;
  queues: Record<string, { waiting: number; active: number; delayed: number; failed: number }>;
  /** One per question: runs that share a group's question are one entry, with how many runs wait on it. */
  pendingApprovals: Array<{ id: string; runId: string; process: string; question: string; createdAt: string; ageSeconds: number; runsWaiting: number }>;
  openIncidents: Array<{ id: string; runId: string | null; step: string | null; code: string; message: string; createdAt: string }>;
  /** The failed runs that `runs.failed` counts, newest first (up to 50): what the count is made of. */
  failedRuns: Array<{ id: string; process: string; step: string | null; error: string | null; finishedAt: string | null; retryable: boolean }>;
  failedSteps24h: number;
  completedSteps24h: number;
  schedules: Array<{ id: string; process: string; cron: string; timezone: string; nextAt: string | null; lastFiredAt: string | null }>;
}

/** Approvals of one group are one question (the oldest, which is the one posted), counting its runs. */
function oneQuestionPerGroup<A extends { groupKey: string | null }>(approvals: A[]): Array<{ a: A; runs: number }> {
  const out: Array<{ a: A; runs: number }> = [];
  const byGroup = new Map<string, { a: A; runs: number }>();
  for (const a of approvals) {
    const g = a.groupKey ? byGroup.get(a.groupKey) : undefined;
    if (g) g.runs++;
    else {
      const e = { a, runs: 1 };
      out.push(e);
      if (a.groupKey) byGroup.set(a.groupKey, e);
    }
  }
  return out;
}

/** One read of everything the operator and the dashboard want to see. */
export async function statusReport(db: Db, clock: Clock, queues: QueueSet | null, agents: string[]): Promise<StatusReport> {
  const now = clock.now();
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const [byStatus, approvals, incidents, failedRuns, failed, completed, schedules, sizes] = await Promise.all([
    db.run.groupBy({ by: ['status'], _count: { _all: true } }),
    db.approval.findMany({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' }, take: 50, include: { run: { select: { process: true } } } }),
    db.incident.findMany({ where: { status: 'open' }, orderBy: { createdAt: 'desc' }, take: 50 }),
    db.run.findMany({ where: { status: 'failed' }, orderBy: { updatedAt: 'desc' }, take: 50, select: { id: true, process: true, currentStep: true, error: true, finishedAt: true } }),
    db.runEvent.count({ where: { type: 'step.failed', at: { gte: since } } }),
    db.runEvent.count({ where: { type: 'step.completed', at: { gte: since } } }),
    db.schedule.findMany({ where: { enabled: true }, include: { firings: { orderBy: { dueAt: 'desc' }, take: 1 } } }),
    // Redis away: the rest of the report is what the operator needs most then; the queues show as unreachable.
    queues ? queues.sizes(agents).catch(() => ({})) : Promise.resolve({}),
  ]);
  const runs = { running: 0, waiting: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const g of byStatus) runs[g.status as keyof typeof runs] = g._count._all;
  return {
    at: now.toISOString(),
    runs,
    queues: sizes,
    pendingApprovals: oneQuestionPerGroup(approvals).map(({ a, runs: n }) => ({
      id: a.id,
      runId: a.runId,
      process: a.run.process,
      question: a.question,
      createdAt: a.createdAt.toISOString(),
      ageSeconds: Math.max(0, Math.round((now.getTime() - a.createdAt.getTime()) / 1000)),
      runsWaiting: n,
    })),
    openIncidents: incidents.map((i) => ({ id: i.id, runId: i.runId, step: i.step, code: i.code, message: i.message, createdAt: i.createdAt.toISOString() })),
    failedRuns: failedRuns.map((r) => ({ id: r.id, process: r.process, step: r.currentStep, error: r.error, finishedAt: r.finishedAt?.toISOString() ?? null, retryable: r.currentStep !== null })),
    failedSteps24h: failed,
    completedSteps24h: completed,
    schedules: schedules.map((s) => {
      let nextAt: string | null = null;
      try {
        nextAt = nextDueAt(s.cron, s.timezone, now).toISOString();
      } catch {
        nextAt = null;
      }
      return { id: s.id, process: s.process, cron: s.cron, timezone: s.timezone, nextAt, lastFiredAt: s.firings[0]?.dueAt.toISOString() ?? null };
    }),
  };
}

/** Prometheus text exposition of the same figures. */
export function metricsText(s: StatusReport): string {
  const lines: string[] = [];
  lines.push('# HELP coo_runs Runs by status', '# TYPE coo_runs gauge');
  for (const [k, v] of Object.entries(s.runs)) lines.push(`coo_runs{status="${k}"} ${v}`);
  lines.push('# HELP coo_queue_jobs Jobs per agent queue and state', '# TYPE coo_queue_jobs gauge');
  for (const [agent, q] of Object.entries(s.queues)) for (const [state, n] of Object.entries(q)) lines.push(`coo_queue_jobs{agent="${agent}",state="${state}"} ${n}`);
  lines.push('# HELP coo_pending_approvals Approvals waiting for the operator', '# TYPE coo_pending_approvals gauge', `coo_pending_approvals ${s.pendingApprovals.length}`);
  const oldest = s.pendingApprovals.reduce((m, a) => Math.max(m, a.ageSeconds), 0);
  lines.push('# TYPE coo_oldest_approval_age_seconds gauge', `coo_oldest_approval_age_seconds ${oldest}`);
  lines.push('# TYPE coo_open_incidents gauge', `coo_open_incidents ${s.openIncidents.length}`);
  lines.push('# TYPE coo_steps_failed_24h gauge', `coo_steps_failed_24h ${s.failedSteps24h}`);
  lines.push('# TYPE coo_steps_completed_24h gauge', `coo_steps_completed_24h ${s.completedSteps24h}`);
  return lines.join('\n') + '\n';
}
