import { CronExpressionParser } from 'cron-parser';
import type { EngineDeps, OutboxJob } from '../engine/deps.ts';
import { takePendingJobs } from '../engine/run-tx.ts';
import { UserInputError } from '../errors.ts';
import { newId } from '../ids.ts';
import { startRun } from '../systems/start-run.system.ts';

export interface ScheduleSpec {
  id: string;
  process: string;
  cron: string;
  timezone: string;
  input?: unknown;
  /** latest: a time missed while down runs once on start-up; none: missed times are skipped. */
  catchUp?: 'latest' | 'none';
}

export function validateCron(cron: string, timezone: string): void {
  try {
    CronExpressionParser.parse(cron, { tz: timezone });
  } catch (err) {
    throw new UserInputError('invalid_cron', `"${cron}" is not a cron expression (${(err as Error).message}); e.g. "0 8 * * *" is every day at 08:00.`);
  }
}

/** The most recent due time at or before `now`, in the schedule's time zone. */
export function latestDueAt(cron: string, timezone: string, now: Date): Date {
  const it = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(now.getTime() + 1) });
  return it.prev().toDate();
}

export function nextDueAt(cron: string, timezone: string, now: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: now }).next().toDate();
}

/** Creates or updates a schedule, keeping its creation time (which bounds catch-up). */
export async function ensureSchedule(deps: EngineDeps, spec: ScheduleSpec): Promise<void> {
  validateCron(spec.cron, spec.timezone);
  await deps.db.schedule.upsert({
    where: { id: spec.id },
    create: { id: spec.id, process: spec.process, cron: spec.cron, timezone: spec.timezone, input: (spec.input ?? {}) as object, catchUp: spec.catchUp ?? 'latest', createdAt: deps.clock.now() },
    update: { process: spec.process, cron: spec.cron, timezone: spec.timezone, input: (spec.input ?? {}) as object, catchUp: spec.catchUp ?? 'latest' },
  });
}

/**
 * Fires each schedule's latest due time at most once: the firing row (primary key schedule + due time)
 * and the run commit together, so a restart or a second coordinator finds the row and does nothing.
 * Only the latest due time is considered: a long outage produces one catch-up run, never a burst.
 */
export async function tickSchedules(deps: EngineDeps, graceMs: number): Promise<Array<{ scheduleId: string; dueAt: Date; runId: string }>> {
  const schedules = await deps.db.schedule.findMany({ where: { enabled: true } });
  const now = deps.clock.now();
  const fired: Array<{ scheduleId: string; dueAt: Date; runId: string }> = [];
  for (const s of schedules) {
    let due: Date;
    try {
      due = latestDueAt(s.cron, s.timezone, now);
    } catch (err) {
      deps.log.error({ schedule: s.id, err: String(err) }, 'schedule has an invalid cron expression');
      continue;
    }
    if (due < s.createdAt) continue;
    if (s.catchUp === 'none' && now.getTime() - due.getTime() > graceMs) continue;
    let jobs: OutboxJob[] = [];
    const runId = newId('run');
    const inserted = await deps.db.$transaction(async (tx) => {
      const n = await tx.$executeRaw`INSERT INTO schedule_firing (schedule_id, due_at, run_id) VALUES (${s.id}, ${due}, ${runId}) ON CONFLICT DO NOTHING`;
      if (n === 0) return false;
      await startRun(deps, { process: s.process, input: s.input, runId, parentKey: `sched-${s.id}-${due.toISOString()}`, startedBy: `schedule ${s.id}` }, tx);
      jobs = takePendingJobs(tx);
      return true;
    });
    if (inserted) {
      fired.push({ scheduleId: s.id, dueAt: due, runId });
      deps.dispatcher.dispatchLater(jobs);
    }
  }
  return fired;
}
