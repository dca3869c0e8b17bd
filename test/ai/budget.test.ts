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
    const [u] = await budget.usage({ process: 'reply-drafting' });
    expect(u).toMatchObject({ capUsd: 8, spentUsd: 4.8, reservedUsd: 0 });
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
