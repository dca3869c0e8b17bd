import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../coordinator/index.ts';
import { createAiLayer, type AiLayer } from '../../agents/wiring/ai.layer.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

// Budgets with the whole AI layer in the coordinator: what a cap does to runs and to the operator's
// chat, configured caps, and what step retries pay (issue 12, item 2).

let env: TestEnv;
let c: Coordinator;
let ai: AiLayer;
let srv: FakeOpenAi;
beforeAll(async () => {
  [env, srv] = await Promise.all([createTestEnv(), startFakeOpenAi()]);
  ai = createAiLayer({ env: {}, agents: { COO_MODEL_BASE_URL: srv.baseURL, COO_MODEL_FAST: 'fast-1', COO_MODEL_DEEP: 'deep-1', COO_MODEL_BACKOFF_MS: 10, COO_MODEL_ATTEMPTS: 2 }, vectorStore: null });
  c = await env.coordinator({ ...ai.coordinatorOptions(), config: { COO_TIMEZONE: 'Europe/Berlin' }, roles: { workers: true, background: true } });
  await ai.attach(c);
  await ai.stack.prices.set('fast-1', { inputPerM: 10, outputPerM: 10 });
  await ai.stack.prices.set('deep-1', { inputPerM: 100, outputPerM: 100 });
});
afterAll(async () => {
  await srv.close();
  await env.cleanup();
});
beforeEach(async () => {
  srv.reset();
  for (const u of await ai.budget.usage()) await ai.budget.removeCap(u.scope, u.period);
});

const draft = (confidence = 0.9) => ({ content: JSON.stringify({ subject: 'Re: Hello', body: 'Hi, thanks!', confidence, checks: [] }), usage: { in: 100, out: 20 } });
const startDraft = (name: string) => c.runs.start({ process: 'reply-drafting', input: { customer: { name }, message: { from: `${name}@example.com`, subject: 'Hello', body: `Hi there, ${name} here` } } });
/** Brings what this process spent so far (the call log) up to `usd`, so a cap set now starts from it. */
async function spendUpTo(process: string, usd: number) {
  const [{ s }] = await env.tdb.sql<{ s: string }>(`SELECT coalesce(sum(cost_usd), 0) AS s FROM model_call WHERE process = $1`, [process]);
  expect(Number(s)).toBeLessThanOrEqual(usd);
  await env.tdb.sql(`INSERT INTO model_call (id, process, tier, provider, model, request, tokens_in, tokens_out, cost_usd, latency_ms, outcome, attempt) VALUES ($1, $2, 'fast', 'primary', 'fast-1', '{}', 1, 1, $3, 1, 'ok', 1)`, [`seed-${process}-${usd}`, process, usd - Number(s)]);
}
const budgetQuestions = () => env.tdb.sql<{ approval_id: string }>(`SELECT approval_id FROM operator_message WHERE body->>'kind' = 'approval' AND body->>'text' LIKE '%Raise%cap%' ORDER BY id`);
const say = async (text: string) => (await c.operator.handleMessage({ surface: 'console', actor: 'op', text })).reply!.body;

describe('a cap that pauses runs', () => {
  it('after a Raise, the step pays only for what it had not paid: the first pass is reused, the deep pass is made', async () => {
    await ai.budget.setCap('process:reply-drafting', 'day', 0.1); // the fast pass fits, the deep pass (~$0.3) does not
    srv.script('fast-1', draft(0.3)); // low confidence: the drafter asks the deep tier
    srv.script('deep-1', draft(0.9));
    const { runId } = await startDraft('ivy');
    const ask = await waitFor('the cap question', async () => (await c.approvals.pending()).find((a) => a.runId === runId) ?? null);
    expect(ask.question).toContain('Raise');
    await c.approvals.decide({ approvalId: ask.id, option: 'raise', actor: 'op', via: 'console' });
    await waitFor('the draft review', async () => (await c.approvals.pending()).find((a) => a.runId === runId && a.question.includes('Draft reply ready')) ?? null, 30_000);
    expect(srv.requests.map((r) => r.model)).toEqual(['fast-1', 'deep-1']);
    const calls = await env.tdb.sql<{ model: string }>(`SELECT model FROM model_call WHERE run_id = $1 AND outcome = 'ok' ORDER BY created_at`, [runId]);
    expect(calls.map((x) => x.model)).toEqual(['fast-1', 'deep-1']);
  });

  it('asks one question for every run it paused, and one Raise resumes them all', async () => {
    await spendUpTo('reply-drafting', 0.99);
    await ai.budget.setCap('process:reply-drafting', 'day', 1); // $0.01 left, each draft needs up to ~$0.02
    srv.respond(() => draft());
    const before = (await budgetQuestions()).length;
    const runs = await Promise.all(['ann', 'bob', 'cem', 'dia', 'eli'].map(startDraft));
    const asks = await waitFor('all five runs waiting on the cap', async () => {
      const p = (await c.approvals.pending()).filter((a) => runs.some((r) => r.runId === a.runId));
      return p.length === 5 ? p : null;
    });
    expect(srv.requests).toHaveLength(0);
    const posted = (await budgetQuestions()).slice(before);
    expect(posted).toHaveLength(1);
    expect((await say('/inbox')).text).toContain('5 runs wait on this');
    const question = asks.find((a) => a.id === posted[0].approval_id)!;
    expect(question.question).toContain("Reply drafting has spent $0.99 of today's $1.00");
    expect(question.question).toMatch(/The next model call needs up to \$0\.0\d\. Raise today's cap to \$2\.00\?/);
    await c.approvals.decide({ approvalId: question.id, option: 'raise', actor: 'op', via: 'console' });
    // Every run leaves the cap's question and reaches its draft review.
    await waitFor('every run at its draft review', async () => {
      const p = (await c.approvals.pending()).filter((a) => runs.some((r) => r.runId === a.runId) && a.question.includes('Draft reply ready'));
      return p.length === 5 ? p : null;
    }, 60_000);
    expect(await env.tdb.sql(`SELECT 1 FROM approval WHERE id = ANY($1) AND status = 'decided' AND decision = 'raise'`, [asks.map((a) => a.id)])).toHaveLength(5);
    expect(srv.requests).toHaveLength(5);
    expect(await budgetQuestions()).toHaveLength(before + 1);
  });

  it('Keep ends every run paused on the cap, from one answer', async () => {
    await spendUpTo('reply-drafting', 5);
    await ai.budget.setCap('process:reply-drafting', 'day', 5);
    const before = (await budgetQuestions()).length;
    const runs = await Promise.all(['fay', 'gus', 'hal'].map(startDraft));
    await waitFor('three runs waiting on the cap', async () => ((await c.approvals.pending()).filter((a) => runs.some((r) => r.runId === a.runId)).length === 3 ? true : null));
    const posted = (await budgetQuestions()).slice(before);
    expect(posted).toHaveLength(1);
    await c.approvals.decide({ approvalId: posted[0].approval_id, option: 'keep', actor: 'op', via: 'console' });
    for (const r of runs) await waitFor(`run ${r.runId} to end`, async () => ((await c.runs.get(r.runId))?.status === 'failed' ? true : null), 30_000);
    expect(srv.requests).toHaveLength(0);
  });


  it('when the run whose question was posted is cancelled, the next run waiting on the cap asks it', async () => {
    await spendUpTo('reply-drafting', 8);
    await ai.budget.setCap('process:reply-drafting', 'day', 8);
    const before = (await budgetQuestions()).length;
    const runs = await Promise.all(['kai', 'lou', 'max'].map(startDraft));
    await waitFor('three runs waiting on the cap', async () => ((await c.approvals.pending()).filter((a) => runs.some((r) => r.runId === a.runId)).length === 3 ? true : null));
    const [first] = (await budgetQuestions()).slice(before);
    const [asker] = await env.tdb.sql<{ run_id: string }>(`SELECT run_id FROM approval WHERE id = $1`, [first.approval_id]);
    await c.runs.cancel(asker.run_id, 'op');
    const posted = (await budgetQuestions()).slice(before);
    expect(posted).toHaveLength(2);
    const [next] = await env.tdb.sql<{ run_id: string; status: string }>(`SELECT run_id, status FROM approval WHERE id = $1`, [posted[1].approval_id]);
    expect(next.status).toBe('pending');
    expect(next.run_id).not.toBe(asker.run_id);
    expect((await say('/inbox')).text).toContain('2 runs wait on this');
    await c.approvals.decide({ approvalId: posted[1].approval_id, option: 'keep', actor: 'op', via: 'console' });
    for (const r of runs.filter((x) => x.runId !== asker.run_id)) await waitFor(`run ${r.runId} to end`, async () => ((await c.runs.get(r.runId))?.status === 'failed' ? true : null), 30_000);
  });
});

describe('the operator\'s chat under a cap', () => {
  it('a chat request the cap blocks gets Raise and Keep buttons; Raise sets the cap and the next request goes through', async () => {
    await spendUpTo('operator-chat', 2);
    await ai.budget.setCap('process:operator-chat', 'day', 2);
    const blocked = await say('tell me a joke about invoices');
    expect(blocked.text).toContain("Operator chat has spent $2.00 of today's $2.00");
    expect(srv.requests).toHaveLength(0);
    const [[raise, keep]] = blocked.buttons;
    expect([raise.label, keep.label]).toEqual(['Raise', 'Keep']);
    expect(raise.action).toEqual({ type: 'command', text: '/budget set operator-chat day 4' });
    expect((await say(keep.action.type === 'command' ? keep.action.text : '')).text).toContain('operator-chat day');
    expect((await say(raise.action.type === 'command' ? raise.action.text : '')).text).toContain('day cap set to $4.00');
    srv.script('fast-1', { content: 'Why did the invoice blush? It was overdue.' });
    expect((await say('tell me a joke about invoices')).text).toContain('It was overdue.');
  });
});

describe('a provider that over-bills', () => {
  it('opens an incident the inbox shows until the operator resolves it', async () => {
    srv.script('fast-1', { content: 'Hello!', usage: { in: 10, out: 50_000 } });
    expect((await say('hello there')).text).toContain('Hello!');
    const inbox = (await say('/inbox')).text;
    const id = /⚠️ (inc_\S+) — provider_over_reported: primary:fast-1 reported 50000 output tokens/.exec(inbox)?.[1];
    expect(id).toBeDefined();
    expect(inbox).toContain(`(/resolve ${id})`);
    expect((await say(`/resolve ${id}`)).text).toBe(`Resolved incident ${id}.`);
    expect((await say('/inbox')).text).not.toContain(id!);
    expect((await say(`/resolve ${id}`)).text).toContain(`There is no open incident "${id}"`);
  });
});

describe('step retries', () => {
  it('a 429 with Retry-After 120 s: the step is retried no sooner, and the failure says until when in the operator\'s time zone', async () => {
    srv.respond(() => ({ status: 429, retryAfter: '120' }));
    const { runId } = await startDraft('jan');
    const retried = await waitFor('the step retry', async () => (await env.tdb.sql<{ data: { delayMs: number; attempt: number } }>(`SELECT data FROM run_event WHERE run_id = $1 AND type = 'step.retried'`, [runId]))[0] ?? null, 30_000);
    expect(retried.data.attempt).toBe(2);
    expect(retried.data.delayMs).toBeGreaterThanOrEqual(119_000);
    const [failed] = await env.tdb.sql<{ data: { error: { message: string; retryAfterMs: number } } }>(`SELECT data FROM run_event WHERE run_id = $1 AND type = 'step.failed'`, [runId]);
    expect(failed.data.error.message).toMatch(/rate limited until (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2} Europe\/Berlin/);
    expect(srv.requests).toHaveLength(1);
    await c.runs.cancel(runId, 'test');
  });
});

describe('configured caps', () => {
  it('COO_BUDGET_DAY_USD / COO_BUDGET_MONTH_USD create the global caps at start, update them at the next, and coo doctor shows them', async () => {
    const start = async (day: string, month: string) => {
      const layer = createAiLayer({ env: { COO_BUDGET_DAY_USD: day, COO_BUDGET_MONTH_USD: month }, agents: { COO_MODEL_BASE_URL: srv.baseURL, COO_MODEL_FAST: 'fast-1' }, vectorStore: null, vectorUpkeep: false });
      const cc = await env.coordinator({ ...layer.coordinatorOptions(), config: { COO_TIMEZONE: 'Europe/Berlin' } });
      await layer.attach(cc);
      return { layer, cc };
    };
    const a = await start('0.01', '0.02');
    expect((await a.layer.budget.usage()).map((u) => [u.scope, u.period, u.capUsd])).toEqual([['global', 'day', 0.01], ['global', 'month', 0.02]]);
    const line = (await a.layer.doctor()).find((x) => x.name === 'budgets')!;
    expect(line.detail).toContain('global day cap $0.01 (COO_BUDGET_DAY_USD)');
    expect(line.detail).toContain('global month cap $0.02 (COO_BUDGET_MONTH_USD)');
    // The cap holds: a draft (up to ~$0.02 on the fast tier) is not made.
    srv.respond(() => draft());
    await expect(a.layer.model.chat({ tier: 'fast', messages: [{ role: 'user', content: 'x'.repeat(2000) }], maxTokens: 1000, meta: { process: 'reply-drafting' } })).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(srv.requests).toHaveLength(0);
    const b = await start('3', '40');
    expect((await b.layer.budget.usage()).map((u) => [u.scope, u.period, u.capUsd])).toEqual([['global', 'day', 3], ['global', 'month', 40]]);
  });
});
