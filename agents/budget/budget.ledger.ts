import { randomUUID } from 'node:crypto';
import type { Db } from '../../coordinator/db/client.ts';
import { BudgetExceededError } from '../errors.ts';
import { roundUsd } from '../model/prices.ts';

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

export function periodKey(period: BudgetPeriod, at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return period === 'day' ? `${get('year')}-${get('month')}-${get('day')}` : `${get('year')}-${get('month')}`;
}

export function createBudgetLedger(db: Db, opts: { timeZone?: string; now?: () => Date } = {}): BudgetLedger {
  const tz = opts.timeZone ?? 'UTC';
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
      const caps = await db.budgetCap.findMany({ where: { scope: { in: scopesFor(process) } } });
      const id = randomUUID();
      if (caps.length === 0) return { id, amountUsd: amount, envelopes: [] };
      const envelopes: Envelope[] = caps
        .map((c) => ({ scope: c.scope, period: c.period as BudgetPeriod, periodKey: periodKey(c.period as BudgetPeriod, at, tz) }))
        .sort((a, b) => (a.scope + a.period).localeCompare(b.scope + b.period));
      // One round trip: lock the usage rows in a fixed order, check every cap, reserve in all or none
      // (function coo_budget_reserve in the migration).
      const rows = await db.$queryRaw<Array<{ fits: boolean; scope: string; period: string; period_key: string; cap_usd: number; spent_usd: number; reserved_usd: number }>>`
        SELECT fits, scope, period, period_key, cap_usd::float8 AS cap_usd, spent_usd::float8 AS spent_usd, reserved_usd::float8 AS reserved_usd
        FROM coo_budget_reserve(${id}, ${envelopes.map((e) => e.scope)}::text[], ${envelopes.map((e) => e.period)}::text[], ${envelopes.map((e) => e.periodKey)}::text[], ${amount}::numeric)`;
      if (rows.length > 0 && !rows[0].fits) {
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
    await db.$queryRaw`SELECT coo_budget_finish(${res.id}, ${status}, ${actual}::numeric, ${callId ?? null}::text)`;
  }

  return ledger;
}
