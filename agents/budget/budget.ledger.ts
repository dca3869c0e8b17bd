import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../../coordinator/db/client.ts';
import { BudgetExceededError } from '../errors.ts';
import { roundUsd } from '../model/prices.ts';
import { sqlRunner } from '../../memory/index.ts';

export type BudgetPeriod = 'day' | 'month';

export interface Envelope {
  scope: string;
  period: BudgetPeriod;
  periodKey: string;
}

export interface Reservation {
  id: string;
  amountUsd: number;
  envelopes: Envelope[];
}

export interface EnvelopeUsage extends Envelope {
  capUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
}

/**
 * Spending envelopes (global and per process, per day and month). A call reserves its worst-case
 * estimate before it is made and settles the actual cost after, in transactions that lock the
 * envelopes' rows in one order, so concurrent runs can never together exceed a cap.
 */
export interface BudgetLedger {
  setCap(scope: string, period: BudgetPeriod, capUsd: number): Promise<void>;
  removeCap(scope: string, period: BudgetPeriod): Promise<void>;
  /** Throws `budget_exceeded` (with what the approval message needs) instead of reserving past a cap. */
  reserve(req: { process?: string; amountUsd: number }): Promise<Reservation>;
  settle(reservation: Reservation, actualUsd: number, callId?: string): Promise<void>;
  release(reservation: Reservation): Promise<void>;
  /** Releases reservations left by crashed workers. */
  releaseStale(olderThanMs: number): Promise<number>;
  usage(opts?: { process?: string; at?: Date }): Promise<EnvelopeUsage[]>;
}

export const processScope = (process: string) => `process:${process}`;

const formats = new Map<string, Intl.DateTimeFormat>();

export function periodKey(period: BudgetPeriod, at: Date, timeZone: string): string {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = f.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return period === 'day' ? `${get('year')}-${get('month')}-${get('day')}` : `${get('year')}-${get('month')}`;
}

/**
 * The capped envelopes among the call's scopes, with this day's and month's keys, reserved in one
 * call of coo_budget_reserve. `HAVING` leaves no row when nothing is capped, so the function (which
 * would otherwise record an empty reservation) is not called at all.
 */
const RESERVE = `
  WITH env AS (
    SELECT c.scope, c.period, CASE c.period WHEN 'day' THEN $3::text ELSE $4::text END AS period_key
    FROM budget_cap c WHERE c.scope = ANY($2::text[])
  ), agg AS (
    SELECT array_agg(scope ORDER BY scope, period) AS s, array_agg(period ORDER BY scope, period) AS p, array_agg(period_key ORDER BY scope, period) AS k
    FROM env HAVING count(*) > 0
  )
  SELECT r.fits, r.scope, r.period, r.period_key, r.cap_usd::float8 AS cap_usd, r.spent_usd::float8 AS spent_usd, r.reserved_usd::float8 AS reserved_usd
  FROM agg, LATERAL coo_budget_reserve($1::text, agg.s, agg.p, agg.k, $5::numeric) r`;

/**
 * `pool`: the hot statements (reserve, settle, release) go through plain pg, one round trip each;
 * without it they go through Prisma. Caps and reports always use Prisma.
 */
export function createBudgetLedger(db: Db, opts: { timeZone?: string; now?: () => Date; pool?: pg.Pool | null } = {}): BudgetLedger {
  const tz = opts.timeZone ?? 'UTC';
  const sql = sqlRunner(db, opts.pool);
  const now = opts.now ?? (() => new Date());
  const scopesFor = (process?: string) => (process ? ['global', processScope(process)] : ['global']);

  const ledger: BudgetLedger = {
    async setCap(scope, period, capUsd) {
      await db.budgetCap.upsert({ where: { scope_period: { scope, period } }, create: { scope, period, capUsd }, update: { capUsd } });
    },
    async removeCap(scope, period) {
      await db.budgetCap.deleteMany({ where: { scope, period } });
    },
    async reserve({ process, amountUsd }) {
      const amount = roundUsd(Math.max(0, amountUsd));
      const at = now();
      const id = randomUUID();
      // One statement, one round trip, committed synchronously (it guards the cap): pick the capped
      // envelopes of this call's scopes, then lock their usage rows in a fixed order, check every cap
      // and reserve in all or none (coo_budget_reserve in the migration). No cap: no row, nothing held.
      const rows = await sql.query<{ fits: boolean; scope: string; period: string; period_key: string; cap_usd: number; spent_usd: number; reserved_usd: number }>(RESERVE, [
        id,
        scopesFor(process),
        periodKey('day', at, tz),
        periodKey('month', at, tz),
        amount,
      ]);
      if (rows.length === 0) return { id, amountUsd: amount, envelopes: [] };
      const envelopes: Envelope[] = rows.map((r) => ({ scope: r.scope, period: r.period as BudgetPeriod, periodKey: r.period_key }));
      if (!rows[0].fits) {
        const r = rows.find((x) => roundUsd(x.spent_usd + x.reserved_usd + amount) > x.cap_usd + 1e-9) ?? rows[0];
        const needed = r.spent_usd + r.reserved_usd + amount;
        throw new BudgetExceededError(`The ${r.period}'s cap for ${r.scope} ($${r.cap_usd.toFixed(2)}) leaves no room for this call ($${amount.toFixed(4)}).`, {
          scope: r.scope,
          period: r.period as BudgetPeriod,
          periodKey: r.period_key,
          capUsd: r.cap_usd,
          spentUsd: roundUsd(r.spent_usd),
          reservedUsd: roundUsd(r.reserved_usd),
          estimateUsd: amount,
          suggestedCapUsd: Math.ceil(Math.max(r.cap_usd * 1.6, needed * 1.2)),
        });
      }
      return { id, amountUsd: amount, envelopes };
    },
    async settle(res, actualUsd, callId) {
      if (res.envelopes.length === 0) return;
      await finish(res, 'settled', roundUsd(Math.max(0, actualUsd)), callId);
    },
    async release(res) {
      if (res.envelopes.length === 0) return;
      await finish(res, 'released', 0);
    },
    async releaseStale(olderThanMs) {
      const stale = await db.budgetReservation.findMany({ where: { status: 'reserved', createdAt: { lt: new Date(Date.now() - olderThanMs) } } });
      let n = 0;
      for (const s of stale) {
        await finish({ id: s.id, amountUsd: Number(s.amountUsd), envelopes: s.envelopes as unknown as Envelope[] }, 'released', 0);
        n++;
      }
      return n;
    },
    async usage({ process, at } = {}) {
      const when = at ?? now();
      const caps = await db.budgetCap.findMany({ where: process ? { scope: { in: scopesFor(process) } } : {} });
      const out: EnvelopeUsage[] = [];
      for (const c of caps) {
        const key = periodKey(c.period as BudgetPeriod, when, tz);
        const u = await db.budgetUsage.findUnique({ where: { scope_period_periodKey: { scope: c.scope, period: c.period, periodKey: key } } });
        out.push({ scope: c.scope, period: c.period as BudgetPeriod, periodKey: key, capUsd: Number(c.capUsd), spentUsd: Number(u?.spentUsd ?? 0), reservedUsd: Number(u?.reservedUsd ?? 0) });
      }
      return out.sort((a, b) => (a.scope + a.period).localeCompare(b.scope + b.period));
    },
  };

  /** Moves a reservation's amount out of `reserved` (and the actual cost into `spent`) exactly once. */
  async function finish(res: Reservation, status: 'settled' | 'released', actual: number, callId?: string) {
    await sql.query('SELECT coo_budget_finish($1::text, $2::text, $3::numeric, $4::text) AS ok', [res.id, status, actual, callId ?? null]);
  }

  return ledger;
}
