import type { EngineDeps } from '../engine/deps.ts';
import { type RunTransaction, withRun } from '../engine/run-tx.ts';
import { newId } from '../ids.ts';

export type TimerKind = 'wake' | 'approval_timeout' | 'approval_reminder';

/** A durable timer: a row fired at most once (fired_at is set in the transition it causes) plus its event. */
export async function createTimer(rt: RunTransaction, t: { kind: TimerKind; dueAt: Date; approvalId?: string; then?: string; everyMs?: number }): Promise<string> {
  const id = newId('tmr');
  await rt.tx.timer.create({
    data: { id, runId: rt.run.id, kind: t.kind, approvalId: t.approvalId ?? null, expectSeq: rt.view.seq, dueAt: t.dueAt },
  });
  rt.append('timer.set', null, {
    timerId: id,
    kind: t.kind,
    dueAt: t.dueAt.toISOString(),
    ...(t.approvalId ? { approvalId: t.approvalId } : {}),
    ...(t.then ? { then: t.then } : {}),
    ...(t.everyMs ? { everyMs: t.everyMs } : {}),
  });
  return id;
}

export type TimerHandler = (rt: RunTransaction, timer: { id: string; kind: TimerKind; approvalId: string | null }) => Promise<void>;

/**
 * Fires one due timer under the run lock. The conditional update makes a second firing (another
 * coordinator, a restart mid-way) a no-op; `onApprovalTimer` handles timeouts and reminders.
 */
export async function fireTimer(deps: EngineDeps, timerId: string, onApprovalTimer: TimerHandler): Promise<boolean> {
  const timer = await deps.db.timer.findUnique({ where: { id: timerId } });
  if (!timer || timer.firedAt || timer.cancelledAt) return false;
  return withRun(deps, timer.runId, async (rt) => {
    const claimed = await rt.tx.timer.updateMany({ where: { id: timerId, firedAt: null, cancelledAt: null }, data: { firedAt: deps.clock.now() } });
    if (claimed.count === 0) return false;
    const wait = rt.view.state.wait;
    rt.append('timer.fired', null, { timerId, kind: timer.kind });
    if (timer.kind === 'wake') {
      if (wait?.kind === 'sleep' && wait.timerId === timerId && rt.view.status === 'waiting') rt.scheduleStep(wait.then, 1);
    } else {
      await onApprovalTimer(rt, { id: timerId, kind: timer.kind as TimerKind, approvalId: timer.approvalId });
    }
    return true;
  });
}

/** Timers due now, oldest first. */
export async function dueTimers(deps: EngineDeps, limit = 100): Promise<string[]> {
  const rows = await deps.db.timer.findMany({
    where: { firedAt: null, cancelledAt: null, dueAt: { lte: deps.clock.now() } },
    orderBy: { dueAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export async function cancelTimers(rt: RunTransaction, where: { approvalId?: string } = {}): Promise<void> {
  await rt.tx.timer.updateMany({
    where: { runId: rt.run.id, firedAt: null, cancelledAt: null, ...(where.approvalId ? { approvalId: where.approvalId } : {}) },
    data: { cancelledAt: rt.deps.clock.now() },
  });
}
