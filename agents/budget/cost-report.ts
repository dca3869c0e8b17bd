import type { Db } from '../../coordinator/db/client.ts';

export interface CostReport {
  since: string;
  totalUsd: number;
  calls: number;
  failedCalls: number;
  byAgent: Array<{ agent: string; usd: number; calls: number }>;
  byProcess: Array<{ process: string; usd: number; calls: number }>;
  byDay: Array<{ day: string; usd: number; calls: number }>;
  /** Staged refinement: how often the deep tier was used and what it cost. */
  deepPasses: { count: number; usd: number };
}

/** Cost per call rolled up by agent type, process and day, for /status, /costs, the console and the digest. */
export async function costReport(db: Db, since: Date): Promise<CostReport> {
  const group = (col: 'agent' | 'process') =>
    db.$queryRawUnsafe<Array<{ k: string | null; usd: number; calls: number }>>(
      `SELECT ${col} AS k, sum(cost_usd)::float8 AS usd, count(*)::int AS calls FROM model_call WHERE created_at >= $1 GROUP BY 1 ORDER BY 2 DESC, 1`,
      since,
    );
  const [byAgent, byProcess, byDay, totals, deep] = await Promise.all([
    group('agent'),
    group('process'),
    db.$queryRaw<Array<{ k: string; usd: number; calls: number }>>`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS k, sum(cost_usd)::float8 AS usd, count(*)::int AS calls FROM model_call WHERE created_at >= ${since} GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<Array<{ usd: number | null; calls: number; failed: number }>>`SELECT sum(cost_usd)::float8 AS usd, count(*)::int AS calls, count(*) FILTER (WHERE outcome <> 'ok' AND outcome <> 'repaired')::int AS failed FROM model_call WHERE created_at >= ${since}`,
    db.$queryRaw<Array<{ usd: number | null; count: number }>>`SELECT sum(cost_usd)::float8 AS usd, count(*)::int AS count FROM model_call WHERE created_at >= ${since} AND purpose = 'deep_pass' AND outcome IN ('ok','repaired')`,
  ]);
  return {
    since: since.toISOString(),
    totalUsd: totals[0]?.usd ?? 0,
    calls: totals[0]?.calls ?? 0,
    failedCalls: totals[0]?.failed ?? 0,
    byAgent: byAgent.map((r) => ({ agent: r.k ?? '(none)', usd: r.usd, calls: r.calls })),
    byProcess: byProcess.map((r) => ({ process: r.k ?? '(none)', usd: r.usd, calls: r.calls })),
    byDay: byDay.map((r) => ({ day: r.k, usd: r.usd, calls: r.calls })),
    deepPasses: { count: deep[0]?.count ?? 0, usd: deep[0]?.usd ?? 0 },
  };
}
