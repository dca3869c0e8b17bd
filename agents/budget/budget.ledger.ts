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
      await db.$transaction(
        async (tx) => {
          for (const e of envelopes) {
            await tx.$executeRaw`INSERT INTO budget_usage (scope, period, period_key) VALUES (${e.scope}, ${e.period}, ${e.periodKey}) ON CONFLICT DO NOTHING`;
          }
          // Lock in a fixed order (sorted above) so two reservations cannot deadlock.
          const rows: Array<{ scope: string; period: string; cap: number; spent: number; reserved: number }> = [];
          for (const e of envelopes) {
            const [r] = await tx.$queryRaw<Array<{ spent: number; reserved: number }>>`
              SELECT spent_usd::float8 AS spent, reserved_usd::float8 AS reserved FROM budget_usage
              WHERE scope = ${e.scope} AND period = ${e.period} AND period_key = ${e.periodKey} FOR UPDATE`;
            // Re-read the cap under the lock, so a raise decided meanwhile counts.
            const [c] = await tx.$queryRaw<Array<{ cap: number }>>`SELECT cap_usd::float8 AS cap FROM budget_cap WHERE scope = ${e.scope} AND period = ${e.period}`;
            if (!c) continue;
            rows.push({ scope: e.scope, period: e.period, cap: c.cap, spent: r.spent, reserved: r.reserved });
          }
          for (const r of rows) {
            if (roundUsd(r.spent + r.reserved + amount) > r.cap + 1e-9) {
              const needed = r.spent + r.reserved + amount;
              throw new BudgetExceededError(`The ${r.period}'s cap for ${r.scope} ($${r.cap.toFixed(2)}) leaves no room for this call ($${amount.toFixed(4)}).`, {
                scope: r.scope,
                period: r.period as BudgetPeriod,
                periodKey: envelopes.find((e) => e.scope === r.scope && e.period === r.period)!.periodKey,
                capUsd: r.cap,
                spentUsd: roundUsd(r.spent),
                reservedUsd: roundUsd(r.reserved),
                estimateUsd: amount,
                suggestedCapUsd: Math.ceil(Math.max(r.cap * 1.6, needed * 1.2)),
              });
            }
          }
          for (const e of envelopes) {
            await tx.$executeRaw`UPDATE budget_usage SET reserved_usd = reserved_usd + ${amount}, updated_at = now()
              WHERE scope = ${e.scope} AND period = ${e.period} AND period_key = ${e.periodKey}`;
          }
          await tx.budgetReservation.create({ data: { id, envelopes: envelopes as unknown as object, amountUsd: amount, status: 'reserved' } });
        },
        { maxWait: 30_000, timeout: 30_000 },
      );
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
    await db.$transaction(
      async (tx) => {
        const claimed = await tx.$executeRaw`UPDATE budget_reservation SET status = ${status}, actual_usd = ${actual}, call_id = ${callId ?? null}, settled_at = now()
          WHERE id = ${res.id} AND status = 'reserved'`;
        if (claimed === 0) return;
        for (const e of res.envelopes) {
          await tx.$executeRaw`UPDATE budget_usage SET reserved_usd = GREATEST(0, reserved_usd - ${res.amountUsd}), spent_usd = spent_usd + ${actual}, updated_at = now()
            WHERE scope = ${e.scope} AND period = ${e.period} AND period_key = ${e.periodKey}`;
        }
      },
      { maxWait: 30_000, timeout: 30_000 },
    );
  }

  return ledger;
}
