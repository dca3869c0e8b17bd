import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBudgetDecision, budgetApprovalRequest } from '../../agents/budget/budget.approval.ts';
import { createBudgetLedger, periodKey } from '../../agents/budget/budget.ledger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testModelPort } from '../support/ai.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

let t: TestDatabase;
let srv: FakeOpenAi;
beforeAll(async () => {
  [t, srv] = await Promise.all([createTestDatabase(), startFakeOpenAi()]);
});
afterAll(async () => {
  await srv.close();
  await t.drop();
});

describe('budgets', () => {
  it('never exceeds a cap with 50 concurrent runs: calls that do not fit are not made', async () => {
    const budget = createBudgetLedger(t.db, { pool: t.pool });
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultMaxTokens: 100 });
    await prices.set('fast-1', { inputPerM: 10, outputPerM: 10 });
    await budget.setCap('process:invoice-intake', 'day', 0.02);
    // Slow answers keep many reservations in flight at once.
    srv.respond((r) => (r.model === 'fast-1' ? { content: 'ok', usage: { in: 50, out: 50 }, delayMs: 150 } : undefined));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        model.chat({ tier: 'fast', messages: [{ role: 'user', content: `invoice ${i}` }], meta: { process: 'invoice-intake', runId: `run-${i}` } }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason.code).toBe('budget_exceeded');
    // Refused calls never reached the model.
    expect(srv.requests.filter((r) => r.model === 'fast-1')).toHaveLength(ok.length);
    await budget.close(); // shutdown gives back the process's unused lease
    const [u] = await budget.usage({ process: 'invoice-intake' });
    expect(u.spentUsd).toBeLessThanOrEqual(0.02);
    expect(u.spentUsd).toBeCloseTo(ok.length * 0.001, 9);
    expect(u.reservedUsd).toBe(0);
    const [{ total }] = await t.sql<{ total: string }>(`SELECT coalesce(sum(cost_usd),0) AS total FROM model_call WHERE process = 'invoice-intake'`);
    expect(Number(total)).toBeLessThanOrEqual(0.02);
    const open = await t.sql(`SELECT 1 FROM budget_reservation WHERE status = 'reserved'`);
    expect(open).toHaveLength(0);
  });

  it('asks to raise the cap with the numbers the operator needs, and a raise lets the call through', async () => {
    const budget = createBudgetLedger(t.db, { pool: t.pool });
    await budget.setCap('process:reply-drafting', 'day', 5);
    const r1 = await budget.reserve({ process: 'reply-drafting', amountUsd: 4.8 });
    await budget.settle(r1, 4.8);
    const err = await budget.reserve({ process: 'reply-drafting', amountUsd: 0.5 }).catch((e) => e);
    expect(err.code).toBe('budget_exceeded');
    expect(err.details).toMatchObject({ scope: 'process:reply-drafting', period: 'day', capUsd: 5, spentUsd: 4.8, estimateUsd: 0.5, suggestedCapUsd: 8 });
    const ask = budgetApprovalRequest(err.details);
    expect(ask.question).toContain("Reply drafting has spent $4.80 of today's $5.00");
    expect(ask.question).toContain("Raise today's cap to $8.00?");
    expect(ask.options.map((o) => o.label)).toEqual(['Raise', 'Keep']);
    expect(await applyBudgetDecision(budget, err.details, 'keep')).toBe('kept');
    await expect(budget.reserve({ process: 'reply-drafting', amountUsd: 0.5 })).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(await applyBudgetDecision(budget, err.details, 'raise')).toBe('raised');
    const r2 = await budget.reserve({ process: 'reply-drafting', amountUsd: 0.5 });
    await budget.release(r2);
    await budget.close();
    const [u] = await budget.usage({ process: 'reply-drafting' });
    expect(u).toMatchObject({ capUsd: 8, spentUsd: 4.8, reservedUsd: 0 });
  });

  it('never exceeds a cap with 50 concurrent runs split across two processes\' ledgers', async () => {
    const a = createBudgetLedger(t.db, { pool: t.pool });
    const b = createBudgetLedger(t.db, { pool: t.pool });
    const ma = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget: a, pool: t.pool, defaultMaxTokens: 100 });
    const mb = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget: b, pool: t.pool, defaultMaxTokens: 100 });
    await ma.prices.set('fast-2', { inputPerM: 10, outputPerM: 10 });
    await a.setCap('process:two-ledgers', 'day', 0.02);
    // Up to the full estimate each (no cheaper settle to make room), slowly, so leases are in use at once.
    srv.respond((r) => (r.model === 'fast-2' ? { content: 'ok', usage: { in: 40, out: 100 }, delayMs: 60 } : undefined));
    const before = srv.requests.length;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? ma : mb).model.chat({ model: 'primary:fast-2', tier: 'fast', messages: [{ role: 'user', content: `bill ${i}` }], meta: { process: 'two-ledgers', runId: `two-${i}` } }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('budget_exceeded');
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(50);
    expect(srv.requests.length - before).toBe(ok);
    const [{ total }] = await t.sql<{ total: string }>(`SELECT coalesce(sum(cost_usd),0) AS total FROM model_call WHERE process = 'two-ledgers'`);
    expect(Number(total)).toBeLessThanOrEqual(0.02);
    let [u] = await a.usage({ process: 'two-ledgers' });
    expect(u.spentUsd).toBeCloseTo(Number(total), 9);
    expect(u.spentUsd + u.reservedUsd).toBeLessThanOrEqual(0.02 + 1e-9);
    await Promise.all([a.close(), b.close()]);
    [u] = await a.usage({ process: 'two-ledgers' });
    expect(u.reservedUsd).toBe(0);
    expect(await t.sql(`SELECT 1 FROM budget_reservation WHERE status = 'reserved' AND envelopes::text LIKE '%two-ledgers%'`)).toHaveLength(0);
  });

  it('draws calls from a lease: ten calls, one reservation row, every call recorded and its cost rolled up', async () => {
    const budget = createBudgetLedger(t.db, { pool: t.pool });
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultMaxTokens: 100 });
    await prices.set('fast-3', { inputPerM: 10, outputPerM: 10 });
    await budget.setCap('process:leased', 'day', 5);
    srv.respond((r) => (r.model === 'fast-3' ? { content: 'ok', usage: { in: 50, out: 50 } } : undefined));
    for (let i = 0; i < 10; i++) await model.chat({ model: 'primary:fast-3', tier: 'fast', messages: [{ role: 'user', content: `note ${i}` }], meta: { process: 'leased' } });
    const rows = await t.sql<{ id: string }>(`SELECT id FROM budget_reservation WHERE envelopes::text LIKE '%process:leased%'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toMatch(/^lease:/);
    expect(await t.sql(`SELECT 1 FROM model_call WHERE process = 'leased' AND outcome = 'ok'`)).toHaveLength(10);
    const [u] = await budget.usage({ process: 'leased' });
    expect(u.spentUsd).toBeCloseTo(0.01, 9);
    await budget.close();
  });

  it('refuses exactly when a call would not fit: a lease\'s unused headroom in this process is given back first', async () => {
    const budget = createBudgetLedger(t.db, { pool: t.pool, now: () => new Date('2026-04-15T12:00:00Z') });
    await budget.setCap('global', 'month', 1);
    const r1 = await budget.reserve({ process: 'exact-a', amountUsd: 0.1 }); // the lease holds 0.25 of which 0.1 is in flight
    await budget.settle(r1, 0.1);
    // 0.9 is left; process b's 0.85 fits only with a's unused 0.15 back.
    const r2 = await budget.reserve({ process: 'exact-b', amountUsd: 0.85 });
    await budget.settle(r2, 0.85);
    const err = await budget.reserve({ process: 'exact-a', amountUsd: 0.06 }).catch((e) => e);
    expect(err.code).toBe('budget_exceeded');
    expect(err.details).toMatchObject({ scope: 'global', period: 'month', capUsd: 1, spentUsd: 0.95, reservedUsd: 0, estimateUsd: 0.06 });
    const r3 = await budget.reserve({ process: 'exact-a', amountUsd: 0.05 });
    await budget.settle(r3, 0.05);
    const [u] = await budget.usage({ process: 'exact-a' });
    expect(u).toMatchObject({ spentUsd: 1, reservedUsd: 0 });
    await budget.close();
    await budget.removeCap('global', 'month');
  });

  it('a cap lowered by another process takes effect at this process\'s next settle', async () => {
    const a = createBudgetLedger(t.db, { pool: t.pool, now: () => new Date('2026-05-15T12:00:00Z') });
    const b = createBudgetLedger(t.db, { pool: t.pool, now: () => new Date('2026-05-15T12:00:00Z') });
    await a.setCap('process:lowered', 'day', 10);
    const r1 = await a.reserve({ process: 'lowered', amountUsd: 0.1 }); // a's lease holds 0.8
    await b.setCap('process:lowered', 'day', 0.15);
    await a.settle(r1, 0.1); // learns the caps changed: its lease goes back
    await expect(a.reserve({ process: 'lowered', amountUsd: 0.1 })).rejects.toMatchObject({ code: 'budget_exceeded', details: { capUsd: 0.15, spentUsd: 0.1 } });
    await Promise.all([a.close(), b.close()]);
    const [u] = await a.usage({ process: 'lowered' });
    expect(u).toMatchObject({ spentUsd: 0.1, reservedUsd: 0 });
  });

  it('holds a global monthly cap across processes and releases stale reservations', async () => {
    const budget = createBudgetLedger(t.db, { pool: t.pool, now: () => new Date('2026-03-15T12:00:00Z') });
    await budget.setCap('global', 'month', 1);
    await budget.reserve({ process: 'a', amountUsd: 0.6 });
    await expect(budget.reserve({ process: 'b', amountUsd: 0.6 })).rejects.toMatchObject({ code: 'budget_exceeded', details: { scope: 'global', period: 'month', periodKey: '2026-03' } });
    expect(await budget.releaseStale(-1)).toBeGreaterThanOrEqual(1);
    const r = await budget.reserve({ process: 'b', amountUsd: 0.6 });
    await budget.settle(r, 0.1);
    await budget.removeCap('global', 'month');
    expect(periodKey('day', new Date('2026-03-15T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-16');
  });
});
