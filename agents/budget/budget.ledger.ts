import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../../coordinator/db/client.ts';
import { BudgetExceededError } from '../errors.ts';
import { roundUsd } from '../model/prices.ts';
import { sqlRunner } from '../../memory/index.ts';
import { createLeasePool, type EnvelopeRow, type LeaseOptions } from './budget.lease.ts';
import type { BudgetPeriod, Envelope } from './budget.types.ts';

export type { BudgetPeriod, Envelope } from './budget.types.ts';

export interface Reservation {
  /** The reservation's row, or for a draw the lease's row (`lease:…`), which its settle updates. */
  id: string;
  amountUsd: number;
  envelopes: Envelope[];
  /** Drawn from this process's lease: no row of its own; settled against the lease. */
  lease?: boolean;
}

export interface EnvelopeUsage extends Envelope {
  capUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
}

/**
 * Spending envelopes (global and per process, per day and month). A call reserves its worst-case
 * estimate before it is made and settles the actual cost after. With leases (the default with a pg
 * pool) the estimate is drawn in-process from headroom this process reserved beforehand
 * (budget.lease.ts); either way the headroom is taken in transactions that lock the envelopes' rows
 * in one order, so concurrent runs and processes can never together exceed a cap.
 */
export interface BudgetLedger {
  setCap(scope: string, period: BudgetPeriod, capUsd: number): Promise<void>;
  removeCap(scope: string, period: BudgetPeriod): Promise<void>;
  /** Throws `budget_exceeded` (with what the approval message needs) instead of reserving past a cap. */
  reserve(req: { process?: string; amountUsd: number }): Promise<Reservation>;
  settle(reservation: Reservation, actualUsd: number, callId?: string): Promise<void>;
  /** A drawn call's settle ran inside the call record's statement (call-recorder.ts): book it here. */
  settled(reservation: Reservation, actualUsd: number, out: { live: boolean; fp: string | null } | null): void;
  release(reservation: Reservation): Promise<void>;
  /** Gives back this process's unused lease headroom (shutdown). */
  close(): Promise<void>;
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

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  let f = wallFormats.get(timeZone);
  if (!f) wallFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })));
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant the day or month of `periodKey` began in `timeZone`: "today" as the caps count it. */
export function periodStart(period: BudgetPeriod, at: Date, timeZone: string): Date {
  const [y, m, d] = periodKey(period, at, timeZone).split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d ?? 1);
  const guess = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(guess, timeZone)); // the offset at the guess is right across a DST change
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
 * A usage row's spend, taken from the call log for the current period (in the operator's time zone)
 * when that is more than the row knows: `GREATEST`, so a settle the log lost never lowers it.
 */
const SEED_USAGE = `
  INSERT INTO budget_usage (scope, period, period_key, spent_usd)
  SELECT $1::text, $2::text, $3::text, coalesce(sum(cost_usd), 0)
  FROM model_call
  WHERE created_at > $5::timestamptz - interval '32 days' AND created_at <= $5::timestamptz + interval '1 day'
    AND to_char(created_at AT TIME ZONE $4::text, CASE $2::text WHEN 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM' END) = $3::text
    AND ($1::text = 'global' OR process = substr($1::text, 9))
  ON CONFLICT (scope, period, period_key) DO UPDATE SET spent_usd = GREATEST(budget_usage.spent_usd, EXCLUDED.spent_usd), updated_at = now()`;

/**
 * A cap to suggest: the next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten, so a $0.000002
 * need suggests $0.000002, not $1, and $7.68 suggests $8.
 */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(x));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * p >= x * (1 - 1e-12)) ?? 10;
  return Math.max(1e-6, roundUsd(step * p));
}

/**
 * `pool`: the hot statements (reserve, settle, release) go through plain pg, one round trip each;
 * without it they go through Prisma. Caps and reports always use Prisma. `leases`: false reserves
 * each call in the database (one synchronous round trip per call); default: on with a pool.
 */
export function createBudgetLedger(db: Db, opts: { timeZone?: string; now?: () => Date; pool?: pg.Pool | null; leases?: boolean | LeaseOptions } = {}): BudgetLedger {
  const tz = opts.timeZone ?? 'UTC';
  const sql = sqlRunner(db, opts.pool);
  const leases = (opts.leases ?? !!opts.pool) ? createLeasePool(sql, typeof opts.leases === 'object' ? opts.leases : {}) : null;
  const now = opts.now ?? (() => new Date());
  const scopesFor = (process?: string) => (process ? ['global', processScope(process)] : ['global']);

  const ledger: BudgetLedger = {
    async setCap(scope, period, capUsd) {
      await db.budgetCap.upsert({ where: { scope_period: { scope, period } }, create: { scope, period, capUsd }, update: { capUsd } });
      // Calls made while the scope had no cap reserved nothing, so its usage row does not know them:
      // a cap set at noon counts the morning's spend (the call log's), never starts from $0.
      await sql.query(SEED_USAGE, [scope, period, periodKey(period, now(), tz), tz, now()]);
      await leases?.retireScopes(scope);
    },
    async removeCap(scope, period) {
      await db.budgetCap.deleteMany({ where: { scope, period } });
      await leases?.retireScopes(scope);
    },
    async reserve({ process, amountUsd }) {
      const amount = roundUsd(Math.max(0, amountUsd));
      const at = now();
      const id = randomUUID();
      if (leases) {
        const r = await leases.draw(scopesFor(process), periodKey('day', at, tz), periodKey('month', at, tz), amount);
        if (r.kind === 'drawn') return { id: r.leaseId, amountUsd: amount, envelopes: r.envelopes, lease: true };
        if (r.kind === 'uncapped') return { id, amountUsd: amount, envelopes: [] };
        // What this process holds unused is not in flight: the numbers are those a reservation sees.
        throw exceeded(r.rows.find((x) => roundUsd(x.spent_usd + x.reserved_usd + r.need) > x.cap_usd + 1e-9) ?? r.rows[0], amount, r.ownUnused);
      }
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
      if (!rows[0].fits) throw exceeded(rows.find((x) => roundUsd(x.spent_usd + x.reserved_usd + amount) > x.cap_usd + 1e-9) ?? rows[0], amount, 0);
      return { id, amountUsd: amount, envelopes };
    },
    async settle(res, actualUsd, callId) {
      if (res.envelopes.length === 0) return;
      if (res.lease && leases) return leases.settleNow(res.id, res.amountUsd, roundUsd(Math.max(0, actualUsd)));
      await finish(res, 'settled', roundUsd(Math.max(0, actualUsd)), callId);
    },
    settled(res, actualUsd, out) {
      if (res.lease && leases) leases.settled(res.id, res.amountUsd, roundUsd(Math.max(0, actualUsd)), out);
    },
    async release(res) {
      if (res.envelopes.length === 0) return;
      if (res.lease && leases) return leases.released(res.id, res.amountUsd);
      await finish(res, 'released', 0);
    },
    async close() {
      await leases?.close();
    },
    /**
     * Releases reservations left by crashed workers, and leases not touched (topped up or settled)
     * for as long: an operator's tool, since a call still in flight on a released hold could pass
     * the cap. A live process touches its lease on every call and gives it back after idling.
     */
    async releaseStale(olderThanMs) {
      const before = new Date(Date.now() - olderThanMs);
      const stale = await db.budgetReservation.findMany({
        where: { status: 'reserved', OR: [{ id: { startsWith: 'lease:' }, settledAt: { lt: before } }, { NOT: { id: { startsWith: 'lease:' } }, createdAt: { lt: before } }] },
      });
      leases?.forget(stale.map((s) => s.id));
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

  function exceeded(r: EnvelopeRow, amount: number, ownUnused: number) {
    const reserved = roundUsd(Math.max(0, r.reserved_usd - ownUnused));
    const needed = r.spent_usd + reserved + amount;
    return new BudgetExceededError(`The ${r.period}'s cap for ${r.scope} ($${r.cap_usd.toFixed(2)}) leaves no room for this call ($${amount.toFixed(4)}).`, {
      scope: r.scope,
      period: r.period as BudgetPeriod,
      periodKey: r.period_key,
      capUsd: r.cap_usd,
      spentUsd: roundUsd(r.spent_usd),
      reservedUsd: reserved,
      estimateUsd: amount,
      suggestedCapUsd: niceCeil(Math.max(r.cap_usd * 1.6, needed * 1.2)),
    });
  }

  /** Moves a reservation's amount out of `reserved` (and the actual cost into `spent`) exactly once. */
  async function finish(res: Reservation, status: 'settled' | 'released', actual: number, callId?: string) {
    await sql.query('SELECT coo_budget_finish($1::text, $2::text, $3::numeric, $4::text) AS ok', [res.id, status, actual, callId ?? null]);
  }

  return ledger;
}
