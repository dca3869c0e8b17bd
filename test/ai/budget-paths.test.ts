import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { budgetApprovalRequest } from '../../agents/budget/budget.approval.ts';
import { defineAgent } from '../../agents/define-agent.ts';
import type { ModelPort } from '../../agents/model/model.port.ts';
import type { Memory } from '../../memory/index.ts';
import { createBudgetLedger, type BudgetLedger } from '../../agents/budget/budget.ledger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testModelPort } from '../support/ai.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

// Every priced call goes through the ledger, whatever path it takes (issue 12, item 2). Each test uses
// caps on a process scope of its own, so the tests in this file do not see each other's spend.

let t: TestDatabase;
let srv: FakeOpenAi;
const ledgers: BudgetLedger[] = [];
beforeAll(async () => {
  [t, srv] = await Promise.all([createTestDatabase(), startFakeOpenAi()]);
});
afterAll(async () => {
  await Promise.all(ledgers.map((l) => l.close()));
  await srv.close();
  await t.drop();
});
beforeEach(() => srv.reset());

/** A ledger with leases (one process's pool) or reserving per call. */
function ledger(leases: boolean) {
  const l = createBudgetLedger(t.db, { pool: t.pool, leases });
  ledgers.push(l);
  return l;
}
const callSum = async (process: string) => Number((await t.sql<{ s: string }>(`SELECT coalesce(sum(cost_usd), 0) AS s FROM model_call WHERE process = $1`, [process]))[0].s);
const usageOf = async (l: BudgetLedger, process: string, period: 'day' | 'month' = 'day') => (await l.usage({ process })).find((u) => u.scope === `process:${process}` && u.period === period)!;

describe.each([
  ['with leases', true],
  ['a reservation per call', false],
])('every priced call reserves first (%s)', (_name, leases) => {
  it('embedding calls are reserved, refused past the cap and counted: spend never passes it', async () => {
    const p = `embed-${leases}`;
    const budget = ledger(leases);
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, embedModel: 'embed-1' });
    await prices.set('embed-1', { inputPerM: 1000, outputPerM: 0 }); // $0.001 a token
    await budget.setCap(`process:${p}`, 'day', 0.25);
    const text = 'x'.repeat(100); // 100 tokens billed, at most 108 allowed: $0.108 reserved, $0.10 spent
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await model.embed([text], { process: p }).then(() => 'ok', (e) => e.code));
    expect(results).toEqual(['ok', 'ok', 'budget_exceeded', 'budget_exceeded']);
    expect(srv.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(2);
    expect(await callSum(p)).toBeCloseTo(0.2, 9);
    const u = await usageOf(budget, p);
    expect(u.spentUsd).toBeCloseTo(0.2, 9);
    expect(u.spentUsd + u.reservedUsd).toBeLessThanOrEqual(0.25 + 1e-9);
  });

  it.each([
    ['more output tokens than max_tokens', { in: 10, out: 5_000 }],
    ['more input tokens than the request has bytes', { in: 50_000, out: 1 }],
  ])('a provider that reports %s: the true cost is counted, an incident says so, and the cap holds for every later call', async (what, usage) => {
    const p = `over-${leases}-${usage.out}`;
    const budget = ledger(leases);
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultMaxTokens: 10 });
    await prices.set('fast-1', { inputPerM: 100, outputPerM: 100 }); // $0.0001 a token
    await budget.setCap(`process:${p}`, 'day', 0.5);
    srv.script('fast-1', { content: 'ok', usage });
    const first = await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'hello' }], meta: { process: p, runId: `run-${p}`, step: 'ask' } });
    const trueCost = (usage.in + usage.out) * 0.0001;
    expect(first.costUsd).toBeCloseTo(trueCost, 9);
    // The figure shown is the true spend, in the ledger as in the call log.
    expect((await usageOf(budget, p)).spentUsd).toBeCloseTo(trueCost, 9);
    expect(await callSum(p)).toBeCloseTo(trueCost, 9);
    const [inc] = await t.sql<{ code: string; message: string; run_id: string | null }>(`SELECT code, message, run_id FROM incident WHERE history->'details'->>'runId' = $1`, [`run-${p}`]);
    expect(inc).toMatchObject({ code: 'provider_over_reported', run_id: null }); // the run itself is fine
    expect(inc.message).toContain(`run run-${p}, step ask, call ${first.callId}`);
    expect(inc.message).toContain(what.startsWith('more output') ? '5000 output tokens where the request allowed 10' : '50000 input tokens');
    // Later calls: none is made while the spend stands past the cap.
    for (let i = 0; i < 3; i++) {
      await expect(model.chat({ tier: 'fast', messages: [{ role: 'user', content: `again ${i}` }], meta: { process: p } })).rejects.toMatchObject({ code: 'budget_exceeded' });
    }
    expect(srv.requests).toHaveLength(1);
  });

  it('a cap set during the day starts from what was already spent today and this month', async () => {
    const p = `late-${leases}`;
    const budget = ledger(leases);
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultMaxTokens: 10 });
    await prices.set('fast-1', { inputPerM: 100, outputPerM: 100 });
    srv.respond(() => ({ content: 'ok', usage: { in: 900, out: 100 } })); // $0.10 each
    for (let i = 0; i < 3; i++) await model.chat({ tier: 'fast', messages: [{ role: 'user', content: `early ${i}` }], meta: { process: p } });
    await budget.setCap(`process:${p}`, 'day', 0.305);
    await budget.setCap(`process:${p}`, 'month', 10);
    expect((await usageOf(budget, p, 'day')).spentUsd).toBeCloseTo(0.3, 9);
    expect((await usageOf(budget, p, 'month')).spentUsd).toBeCloseTo(0.3, 9);
    // $0.30 spent + up to about $0.01 for the next call does not fit $0.305.
    await expect(model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'late' }], meta: { process: p } })).rejects.toMatchObject({ code: 'budget_exceeded', details: { spentUsd: 0.3 } });
    expect(srv.requests).toHaveLength(3);
  });

  it('a model with no known price is refused under a cap, with how to set one; shipped and set prices apply', async () => {
    const p = `unpriced-${leases}`;
    const budget = ledger(leases);
    const shipped = leases ? 'gpt-4o-mini-2024-07-18' : 'openai/gpt-4o-mini'; // as providers and gateways spell it
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultPrice: null, tiers: { fast: [`mystery-${leases}`], deep: [shipped] } });
    srv.respond(() => ({ content: 'ok', usage: { in: 1000, out: 1000 } }));
    // No cap: nothing to guard, the call goes through (and costs what is known: nothing).
    expect((await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'free?' }], meta: { process: p } })).costUsd).toBe(0);
    await budget.setCap(`process:${p}`, 'day', 5);
    const err = await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'capped' }], meta: { process: p } }).catch((e) => e);
    expect(err.code).toBe('price_unknown');
    expect(err.message).toContain(`/costs price mystery-${leases} <input> <output>`);
    expect(srv.requests).toHaveLength(1);
    // A shipped price (gpt-4o-mini): $0.15 in + $0.60 out per million.
    const deep = await model.chat({ tier: 'deep', messages: [{ role: 'user', content: 'shipped' }], meta: { process: p } });
    expect(deep.costUsd).toBeCloseTo(0.00075, 9);
    // The operator's price wins over none, and over the shipped one.
    await prices.set(`mystery-${leases}`, { inputPerM: 1, outputPerM: 1 });
    await prices.set(shipped, { inputPerM: 2, outputPerM: 2 });
    expect((await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'priced' }], meta: { process: p } })).costUsd).toBeCloseTo(0.002, 9);
    expect((await model.chat({ tier: 'deep', messages: [{ role: 'user', content: 'overridden' }], meta: { process: p } })).costUsd).toBeCloseTo(0.004, 9);
    expect((await usageOf(budget, p)).spentUsd).toBeCloseTo(0.00675, 9);
  });

  it('a step that already paid for a call gets the recorded answer on its retry, and pays once', async () => {
    const p = `reuse-${leases}`;
    const budget = ledger(leases);
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, defaultMaxTokens: 10 });
    await prices.set('fast-1', { inputPerM: 100, outputPerM: 100 });
    await budget.setCap(`process:${p}`, 'day', 5);
    srv.respond(() => ({ content: 'the first answer', usage: { in: 900, out: 100 } }));
    const meta = { process: p, runId: `run-${p}`, step: 'draft' };
    const a = await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'draft it' }], meta });
    const b = await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'draft it' }], meta });
    expect(b).toMatchObject({ callId: a.callId, content: 'the first answer', reused: true });
    // Another request, or another step, is a new call.
    await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'something else' }], meta });
    await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'draft it' }], meta: { ...meta, step: 'other' } });
    expect(srv.requests).toHaveLength(3);
    expect((await usageOf(budget, p)).spentUsd).toBeCloseTo(0.3, 9);
  });
});

describe('structured output on a retried step', () => {
  const Total = z.object({ total: z.number() });
  const ask = (model: ModelPort, runId: string) => model.structured({ tier: 'fast', messages: [{ role: 'user', content: 'add 5 and 7' }], schema: Total, schemaName: 'total', meta: { process: 'structured-retry', runId, step: 'add' } });

  it('an answer repaired once is reused with its repair: the retry pays nothing', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: 'twelve' }, { content: '{"total": 12}' });
    expect(await ask(model, 'run-repaired')).toMatchObject({ value: { total: 12 }, repaired: true });
    expect(await ask(model, 'run-repaired')).toMatchObject({ value: { total: 12 }, repaired: true });
    expect(srv.requests).toHaveLength(2);
  });

  it('an answer whose repair failed too is asked again on the retry', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: 'twelve' }, { content: 'still twelve' }, { content: '{"total": 12}' });
    await expect(ask(model, 'run-unrepaired')).rejects.toMatchObject({ code: 'invalid_output' });
    expect(await ask(model, 'run-unrepaired')).toMatchObject({ value: { total: 12 }, repaired: false });
    expect(srv.requests).toHaveLength(3);
  });
});

describe('one cap, two processes', () => {
  it('chat and embedding calls from two processes\' ledgers, all at once, never pass the cap', async () => {
    const a = ledger(true);
    const b = ledger(true);
    const mk = (budget: BudgetLedger) => testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, embedModel: 'mix-embed', defaultMaxTokens: 100 });
    const [ma, mb] = [mk(a), mk(b)];
    await ma.prices.set('mix-chat', { inputPerM: 10, outputPerM: 10 });
    await ma.prices.set('mix-embed', { inputPerM: 100, outputPerM: 0 });
    await a.setCap('process:mix', 'day', 0.02);
    srv.respond((r) => (r.model === 'mix-chat' ? { content: 'ok', usage: { in: 40, out: 100 }, delayMs: 40 } : undefined));
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => {
        const m = (i % 2 ? ma : mb).model;
        return i % 4 < 2
          ? m.chat({ model: 'primary:mix-chat', tier: 'fast', messages: [{ role: 'user', content: `bill ${i}` }], meta: { process: 'mix' } })
          : m.embed(['y'.repeat(50)], { process: 'mix' });
      }),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('budget_exceeded');
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(40);
    expect(srv.requests).toHaveLength(ok); // refused calls reached no provider
    const total = await callSum('mix');
    expect(total).toBeLessThanOrEqual(0.02);
    let u = await usageOf(a, 'mix');
    expect(u.spentUsd).toBeCloseTo(total, 9);
    expect(u.spentUsd + u.reservedUsd).toBeLessThanOrEqual(0.02 + 1e-9);
    await Promise.all([a.close(), b.close()]);
    u = await usageOf(a, 'mix');
    expect(u.reservedUsd).toBe(0);
  });
});

describe('what the operator is told', () => {
  it('suggests a sensible cap, not whole dollars: a $0.000001 cap suggests a few micro-dollars', async () => {
    const budget = ledger(false);
    await budget.setCap('process:tiny', 'day', 0.000001);
    const err = await budget.reserve({ process: 'tiny', amountUsd: 0.000002 }).catch((e) => e);
    expect(err.code).toBe('budget_exceeded');
    expect(err.details.suggestedCapUsd).toBeGreaterThanOrEqual(0.0000024);
    expect(err.details.suggestedCapUsd).toBeLessThan(0.00001);
    expect(budgetApprovalRequest(err.details).question).toContain("of today's $0.000001");
    expect(budgetApprovalRequest(err.details).question).toContain(`Raise today's cap to $${err.details.suggestedCapUsd}?`);
    // And near a dollar amount, a round one: $7.68 needed suggests $8.
    await budget.setCap('process:round', 'day', 4.8);
    const r = await budget.reserve({ process: 'round', amountUsd: 4.7 });
    await budget.settle(r, 4.7);
    const e2 = await budget.reserve({ process: 'round', amountUsd: 1.6 }).catch((e) => e);
    expect(e2.details.suggestedCapUsd).toBe(8);
  });

  it('a 429 with a long Retry-After is not retried at once: the error carries when, in the operator\'s time zone', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { timeZone: 'Europe/Berlin' });
    srv.script('fast-1', { status: 429, retryAfter: '120' }, { status: 429, retryAfter: '120' }, { status: 429, retryAfter: '120' });
    const err = await model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'busy?' }] }).catch((e) => e);
    expect(err.code).toBe('provider_unavailable');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(119_000);
    expect(err.message).toMatch(/rate limited until (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2} Europe\/Berlin/);
    expect(srv.requests).toHaveLength(1);
  });
});

describe('what an agent call pays for', () => {
  const Out = z.object({ total: z.number() });
  const agent = defineAgent({
    name: 'totaller',
    description: 'adds up',
    input: z.object({ text: z.string() }),
    output: Out,
    tier: 'fast',
    context: async () => ({ sections: [], entityIds: [], retrievalIds: [], facts: {} }),
    system: 'Add up the numbers.',
    task: (i) => i.text,
    template: () => ({ total: 0 }),
  });
  const memory = {} as Memory; // the agent reads no memory

  it.each([
    ['with a deep tier: the repair goes there', { fast: ['fast-1'], deep: ['deep-1'] }, ['fast-1', 'deep-1']],
    ['with one tier: the repair goes to the same model', { fast: ['fast-1'], deep: [] }, ['fast-1', 'fast-1']],
  ])('invalid JSON escalates after one repair call, %s', async (_name, tiers, models) => {
    const p = `garbage-${tiers.deep.length}`;
    const budget = ledger(true);
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { budget, pool: t.pool, tiers, defaultMaxTokens: 10 });
    await prices.set('fast-1', { inputPerM: 100, outputPerM: 100 });
    await prices.set('deep-1', { inputPerM: 100, outputPerM: 100 });
    await budget.setCap(`process:${p}`, 'day', 5);
    srv.respond(() => ({ content: '{"total": twelve', usage: { in: 100, out: 10 } }));
    const err = await agent.run({ text: '5 + 7' }, { model, memory, meta: { process: p, runId: `run-${p}`, step: 'add' } }).catch((e) => e);
    expect(err.code).toBe('invalid_output');
    expect(srv.requests.map((r) => r.model)).toEqual(models);
    expect((await usageOf(budget, p)).spentUsd).toBeCloseTo(2 * 110 * 0.0001, 9);
  });

  it('a repair on the deep tier that validates is the deep pass', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: 'not json at all' });
    srv.script('deep-1', { content: '{"total": 12}' });
    const r = await agent.run({ text: '5 + 7' }, { model, memory, meta: { process: 'repaired-deep' } });
    expect(r).toMatchObject({ output: { total: 12 }, tier: 'deep', deepPass: { taken: true, reason: 'invalid_output' } });
    expect(srv.requests.map((x) => x.model)).toEqual(['fast-1', 'deep-1']);
  });
});
