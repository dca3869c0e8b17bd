import type { Db } from '../../coordinator/db/client.ts';
import { periodKey, type BudgetLedger, type EnvelopeUsage } from './budget.ledger.ts';

export interface SpendRow {
  todayUsd: number;
  monthUsd: number;
  todayCalls: number;
  monthCalls: number;
}

/** Today's and this month's spend (the operator's time zone), in total, by agent type and by process, next to the caps. */
export interface SpendSummary {
  /** The period keys, as the caps use them: "2026-03-15", "2026-03". */
  day: string;
  month: string;
  total: SpendRow;
  byAgent: Array<SpendRow & { agent: string }>;
  byProcess: Array<SpendRow & { process: string }>;
  /** Every capped envelope for this day and month: spent as counted against the cap, in flight, cap. */
  caps: EnvelopeUsage[];
}

/**
 * One read of model_call for the month so far (grouping sets: by agent, by process, total), with the
 * day and month taken in the operator's time zone exactly as the budget's period keys are.
 */
export async function spendSummary(db: Db, budget: BudgetLedger, opts: { timeZone: string; now: Date }): Promise<SpendSummary> {
  const day = periodKey('day', opts.now, opts.timeZone);
  const month = periodKey('month', opts.now, opts.timeZone);
  const [rows, caps] = await Promise.all([
    db.$queryRawUnsafe<Array<{ by_agent: number; by_process: number; agent: string | null; process: string | null; today_usd: number; month_usd: number; today_calls: number; month_calls: number }>>(
      `SELECT grouping(agent) AS by_agent, grouping(process) AS by_process, agent, process,
              coalesce(sum(cost_usd) FILTER (WHERE to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD') = $2), 0)::float8 AS today_usd,
              coalesce(sum(cost_usd), 0)::float8 AS month_usd,
              count(*) FILTER (WHERE to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD') = $2)::int AS today_calls,
              count(*)::int AS month_calls
       FROM model_call
       WHERE created_at > $4::timestamptz - interval '32 days' AND created_at <= $4::timestamptz + interval '1 day'
         AND to_char(created_at AT TIME ZONE $1, 'YYYY-MM') = $3
       GROUP BY GROUPING SETS ((agent), (process), ())`,
      opts.timeZone,
      day,
      month,
      opts.now,
    ),
    budget.usage({ at: opts.now }),
  ]);
  const row = (r: (typeof rows)[number]): SpendRow => ({ todayUsd: r.today_usd, monthUsd: r.month_usd, todayCalls: r.today_calls, monthCalls: r.month_calls });
  const order = (a: SpendRow, b: SpendRow) => b.monthUsd - a.monthUsd || b.todayUsd - a.todayUsd;
  const total = rows.find((r) => r.by_agent === 1 && r.by_process === 1);
  return {
    day,
    month,
    total: total ? row(total) : { todayUsd: 0, monthUsd: 0, todayCalls: 0, monthCalls: 0 },
    byAgent: rows.filter((r) => r.by_agent === 0).map((r) => ({ agent: r.agent ?? '(none)', ...row(r) })).sort((a, b) => order(a, b) || a.agent.localeCompare(b.agent)),
    byProcess: rows.filter((r) => r.by_process === 0).map((r) => ({ process: r.process ?? '(none)', ...row(r) })).sort((a, b) => order(a, b) || a.process.localeCompare(b.process)),
    caps,
  };
}
