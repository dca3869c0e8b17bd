import { randomUUID } from 'node:crypto';
import { roundUsd } from '../model/prices.ts';
import type { SqlRunner } from '../../memory/index.ts';
import type { BudgetPeriod, Envelope } from './budget.types.ts';

/** Tuning of a process's leases; the defaults suit one COO process or a few. */
export interface LeaseOptions {
  /** A lease asks for this many times the call's estimate (default 8)… */
  multiple?: number;
  /** …but never more than this share of the smallest remaining headroom (default 0.25). */
  fraction?: number;
  /** Unused lease goes back after this long without a draw (default 30 s), so other processes can use it. */
  idleMs?: number;
}

/** What a lease statement says about each capped envelope (for the approval's numbers). */
export interface EnvelopeRow {
  scope: string;
  period: string;
  period_key: string;
  cap_usd: number;
  spent_usd: number;
  reserved_usd: number;
}

interface Lease {
  id: string;
  key: string;
  envelopes: Envelope[];
  /** The caps it was granted under (coo_budget_caps_fp). */
  fp: string | null;
  /** What this process believes the lease holds: never more than its row (lost settles only leave more there). */
  held: number;
  /** Estimates of the calls drawn and not yet settled or released. */
  inflight: number;
  lastUse: number;
  dead: boolean;
  topping: Promise<unknown> | null;
}

export type DrawResult =
  | { kind: 'drawn'; leaseId: string; envelopes: Envelope[] }
  | { kind: 'uncapped' }
  | { kind: 'refused'; rows: EnvelopeRow[]; need: number; ownUnused: number };

const LEASE = `SELECT fits, stale, granted::float8 AS granted, fp, scope, period, period_key, cap_usd::float8 AS cap_usd, spent_usd::float8 AS spent_usd, reserved_usd::float8 AS reserved_usd
  FROM coo_budget_lease($1::text, $2::text[], $3::text, $4::text, $5::numeric, $6::numeric, $7::numeric, $8::text)`;
const RELEASE = `SELECT coo_budget_lease_release($1::text, $2::numeric, $3::boolean)::float8 AS moved`;
const SETTLE = `SELECT live, fp FROM coo_budget_lease_settle($1::text, $2::numeric)`;

/**
 * A process's budget leases, one per envelope set (scopes × this day × this month): headroom reserved
 * in the database (coo_budget_lease, synchronously committed, row locks as for a reservation) that
 * calls draw their worst-case estimates from in-process, without a round trip. A draw that does not
 * fit what the lease holds tops it up first with exactly the shortfall as the amount that must fit,
 * so a call is refused exactly when spent + everything held + its estimate would pass a cap. The
 * lease is topped up in the background before it runs dry, given back when idle, on a cap change
 * and on close.
 */
export function createLeasePool(sql: SqlRunner, o: LeaseOptions = {}) {
  const multiple = o.multiple ?? 8;
  const fraction = o.fraction ?? 0.25;
  const idleMs = o.idleMs ?? 30_000;
  const byKey = new Map<string, Lease>();
  const byId = new Map<string, Lease>();
  let sweeper: NodeJS.Timeout | null = null;
  const returning = new Set<Promise<unknown>>(); // give-backs in the background
  const inBackground = (p: Promise<unknown>) => {
    const q = p.catch(() => {}).finally(() => returning.delete(q));
    returning.add(q);
  };
  const avail = (l: Lease) => roundUsd(l.held - l.inflight);

  /** One lease statement: tops `l` up; false when the call's `need` does not fit. */
  async function topUp(l: Lease, scopes: string[], day: string, month: string, need: number, want: number): Promise<{ fits: boolean; rows: EnvelopeRow[]; uncapped: boolean }> {
    const rows = await sql.query<EnvelopeRow & { fits: boolean; stale: boolean; granted: number; fp: string }>(LEASE, [l.id, scopes, day, month, roundUsd(need), roundUsd(want), fraction, l.fp]);
    if (rows.length === 0) return { fits: true, rows: [], uncapped: true };
    if (rows[0].stale) {
      retire(l);
      return { fits: true, rows: [], uncapped: false };
    }
    l.fp = rows[0].fp;
    l.envelopes = rows.map((r) => ({ scope: r.scope, period: r.period as BudgetPeriod, periodKey: r.period_key }));
    if (rows[0].fits) l.held = roundUsd(l.held + rows[0].granted);
    return { fits: rows[0].fits, rows, uncapped: false };
  }

  /** Gives back what the lease holds beyond its calls in flight; closes it once nothing is in flight. */
  async function giveBack(l: Lease): Promise<void> {
    const amount = avail(l);
    const close = l.dead && l.inflight <= 1e-12;
    if (amount <= 0 && !close) return;
    l.held = roundUsd(l.held - Math.max(0, amount));
    await sql.query(RELEASE, [l.id, Math.max(0, amount), close]);
    if (close) byId.delete(l.id);
  }

  function retire(l: Lease) {
    if (l.dead) return;
    l.dead = true;
    if (byKey.get(l.key) === l) byKey.delete(l.key);
  }

  function sweep() {
    const at = Date.now();
    for (const l of byKey.values()) {
      if (!l.topping && l.inflight <= 1e-12 && at - l.lastUse >= idleMs) {
        retire(l);
        inBackground(giveBack(l));
      }
    }
    if (byKey.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  }

  return {
    /** Draws `amount` for one call from the lease of `scopes` (topping it up as needed). */
    async draw(scopes: string[], day: string, month: string, amount: number): Promise<DrawResult> {
      const key = `${scopes.join('|')}|${day}|${month}`;
      for (let round = 0; ; round++) {
        let l = byKey.get(key);
        if (l && !l.dead && avail(l) >= amount - 1e-12) {
          l.inflight = roundUsd(l.inflight + amount);
          l.lastUse = Date.now();
          // Before it runs dry: top up in the background (its need is 0, so it never refuses anything).
          if (!l.topping && avail(l) < 2 * amount) {
            const lease = l;
            lease.topping = topUp(lease, scopes, day, month, 0, multiple * amount)
              .catch(() => {})
              .finally(() => (lease.topping = null));
          }
          return { kind: 'drawn', leaseId: l.id, envelopes: l.envelopes };
        }
        if (l?.topping) {
          await l.topping;
          continue;
        }
        if (!l || l.dead) {
          l = { id: `lease:${randomUUID()}`, key, envelopes: [], fp: null, held: 0, inflight: 0, lastUse: Date.now(), dead: false, topping: null };
          byKey.set(key, l);
          byId.set(l.id, l);
          sweeper ??= setInterval(sweep, Math.max(50, idleMs / 2)).unref();
        }
        const lease = l;
        const need = roundUsd(amount - Math.max(0, avail(lease)));
        const p = topUp(lease, scopes, day, month, need, Math.max(need, multiple * amount));
        lease.topping = p.catch(() => {}).finally(() => (lease.topping = null));
        const r = await p;
        if (r.uncapped) {
          retire(lease);
          byId.delete(lease.id);
          return { kind: 'uncapped' };
        }
        if (r.fits || lease.dead) continue;
        // Headroom this process holds in its other leases is given back before refusing, so within
        // one process a call is refused exactly when it would not fit without leases.
        const others = [...byKey.values()].filter((x) => x !== lease && avail(x) > 0);
        if ((others.length || returning.size) && round === 0) {
          await Promise.all([...others.map((x) => giveBack(x)), ...returning]);
          continue;
        }
        return { kind: 'refused', rows: r.rows, need, ownUnused: Math.max(0, avail(lease)) };
      }
    },
    /** After the call record settled a drawn call in its statement (or `settleNow` did). */
    settled(leaseId: string, estimate: number, actual: number, out: { live: boolean; fp: string | null } | null) {
      const l = byId.get(leaseId);
      if (!l) return;
      l.inflight = roundUsd(Math.max(0, l.inflight - estimate));
      l.held = roundUsd(Math.max(0, l.held - actual));
      if (out && (!out.live || out.fp !== l.fp)) {
        retire(l);
        if (!out.live) l.held = l.inflight = 0; // released under us (releaseStale): nothing to give back
      }
      if (l.dead) inBackground(giveBack(l));
    },
    /** Settles a drawn call in a statement of its own (callers without a call record). */
    async settleNow(leaseId: string, estimate: number, actual: number) {
      const [out] = await sql.query<{ live: boolean; fp: string | null }>(SETTLE, [leaseId, roundUsd(actual)]);
      this.settled(leaseId, estimate, actual, out ?? null);
    },
    /** A drawn call that was not made or cost nothing: its estimate is free again, in-process. */
    released(leaseId: string, estimate: number) {
      const l = byId.get(leaseId);
      if (!l) return;
      l.inflight = roundUsd(Math.max(0, l.inflight - estimate));
      if (l.dead) inBackground(giveBack(l));
    },
    /** Gives back the leases on these scopes (a cap changed here) and starts new ones on the next draw. */
    async retireScopes(scope: string) {
      const hit = [...byKey.values()].filter((l) => l.key.split('|').includes(scope));
      for (const l of hit) retire(l);
      await Promise.all(hit.map((l) => l.topping?.then(() => giveBack(l)) ?? giveBack(l)));
    },
    /** Rows released by releaseStale: forget them without giving anything back. */
    forget(ids: string[]) {
      for (const id of ids) {
        const l = byId.get(id);
        if (!l) continue;
        retire(l);
        byId.delete(id);
      }
    },
    /** Shutdown: gives back every lease's unused headroom and closes those with nothing in flight. */
    async close() {
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      const all = [...byId.values()];
      for (const l of all) retire(l);
      await Promise.all([...returning]);
      await Promise.all(all.map(async (l) => {
        await l.topping;
        await giveBack(l);
      }));
    },
  };
}

export type LeasePool = ReturnType<typeof createLeasePool>;
