import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costReport, invoiceReconciler, replyDrafter, agentSummarizer } from '../../agents/index.ts';
import { createModelService } from '../../agents/model/model.service.ts';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import { createPriceTable } from '../../agents/model/prices.ts';
import { createCircuitBreaker } from '../../agents/model/resilience.ts';
import { createMemory, type Memory } from '../../memory/index.ts';
import { testModelPort, startAiTestEnv, stopAiTestEnv } from '../support/ai.ts';
import { type TestChroma } from '../support/chroma.ts';
import { type TestDatabase } from '../support/db.ts';
import { type FakeOpenAi } from '../support/openai-server.ts';

let t: TestDatabase;
let srv: FakeOpenAi;
let chroma: TestChroma;
let memory: Memory;
beforeAll(async () => {
  ({ t, srv, chroma, memory } = await startAiTestEnv('a'));
});
afterAll(() => stopAiTestEnv({ t, srv, chroma }));
beforeEach(() => srv.reset());

const noModel = () =>
  createModelService({ providers: [], tiers: { fast: [], deep: [] }, recorder: createCallRecorder(t.db), prices: createPriceTable(t.db, { defaultPrice: { inputPerM: 0, outputPerM: 0 } }), breaker: createCircuitBreaker({ failures: 1, cooldownMs: 1 }), timeoutMs: 100, attempts: 1, backoffMs: 1, maxBackoffMs: 1, defaultMaxTokens: 10 });

describe('reply drafter', () => {
  it('drafts from the message, the customer memory and past approved replies, within 2,000 tokens', async () => {
    const c = await memory.upsertEntity({ kind: 'customer', name: 'Lena Fischer' });
    await memory.addFact({ entityId: c.id, key: 'plan', value: 'yearly, 5% discount', source: 'email:earlier' });
    await memory.addEpisode({ entityId: c.id, kind: 'message', content: 'Lena asked whether the yearly plan can start in March.', source: 'email:1' });
    await memory.summaries.update(c.id, async ({ episodes }) => `Long-time customer. ${episodes.length} messages.`);
    await memory.addEpisode({ kind: 'reply_approved', content: 'Hi Tom, the delivery is on its way and should arrive Thursday. Best, Sam', source: 'run:old/send' });
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: JSON.stringify({ subject: 'Re: Delivery', body: 'Hi Lena, it ships Thursday. Best, Sam', confidence: 0.9, checks: [] }) });
    const r = await replyDrafter.run(
      { customer: { name: 'Lena Fischer', email: 'lena@example.com' }, message: { from: 'lena@example.com', subject: 'Delivery', body: 'When will my delivery arrive?' }, operatorName: 'Sam' },
      { model, memory, meta: { process: 'reply-drafting', runId: 'run-1' } },
    );
    expect(r.mode).toBe('model');
    expect(r.escalate).toBe(false);
    expect(r.output.body).toContain('Thursday');
    const sent = srv.requests[0].body.messages as Array<{ role: string; content: string }>;
    const user = sent[1].content;
    expect(user).toMatch(/<<<DATA#[0-9a-f]{12} message from lena@example.com/);
    expect(user).toContain('When will my delivery arrive?');
    expect(user).toContain('Long-time customer.');
    expect(user).toContain('plan: yearly, 5% discount (source email:earlier)');
    expect(user).toContain('the delivery is on its way');
    // Tokens per routine item: what was sent, at ≈4 chars/token, plus the output cap.
    const promptTokens = Math.ceil(JSON.stringify(srv.requests[0].body.messages).length / 4) + Math.ceil(JSON.stringify(srv.requests[0].body.response_format).length / 4);
    expect(promptTokens).toBeLessThan(2_000);
    expect(r.context.retrievalIds.length).toBeGreaterThan(0);
    const [call] = await t.sql<{ agent: string; entity_ids: string[]; run_id: string }>('SELECT agent, entity_ids, run_id FROM model_call WHERE id = $1', [r.callIds[0]]);
    expect(call).toEqual({ agent: 'reply-drafter', entity_ids: [c.id], run_id: 'run-1' });
  });

  it('reads the customer their name resolves to now, not the one this process looked up last', async () => {
    const old = await memory.upsertEntity({ kind: 'customer', name: 'Jonas Weber' });
    await memory.addFact({ entityId: old.id, key: 'plan', value: 'monthly-OLD', source: 'email:old' });
    await memory.findEntities('Jonas Weber');
    expect(memory.entityIdHint('Jonas Weber')).toBe(old.id);
    // Another process erases the customer and a new one of the same name arrives.
    const other = createMemory({ db: t.db, vectorStore: null });
    await other.forget('Jonas Weber');
    const fresh = await other.upsertEntity({ kind: 'customer', name: 'Jonas Weber' });
    await other.addFact({ entityId: fresh.id, key: 'plan', value: 'yearly-NEW', source: 'email:new' });
    expect(memory.entityIdHint('Jonas Weber')).toBe(old.id); // this process's hint is stale now
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: JSON.stringify({ subject: 'Re: Plan', body: 'Hi Jonas, noted. Best, Sam', confidence: 0.9, checks: [] }) });
    const r = await replyDrafter.run({ customer: { name: 'Jonas Weber' }, message: { from: 'jonas@example.com', subject: 'Plan', body: 'Which plan am I on?' }, operatorName: 'Sam' }, { model, memory, meta: { process: 'reply-drafting' } });
    const user = (srv.requests[0].body.messages as Array<{ content: string }>)[1].content;
    expect(user).toContain('plan: yearly-NEW');
    expect(user).not.toContain('monthly-OLD');
    expect(r.context.entityIds).toEqual([fresh.id]);
    expect(memory.entityIdHint('Jonas Weber')).toBe(fresh.id);
  });

  it('sends low-confidence drafts to the deep tier and reports how often that happened and what it cost', async () => {
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    await prices.set('deep-1', { inputPerM: 10, outputPerM: 30 });
    srv.script('fast-1', { content: JSON.stringify({ subject: 'Re: x', body: 'Maybe?', confidence: 0.2, checks: [] }) });
    srv.script('deep-1', { content: JSON.stringify({ subject: 'Re: x', body: 'A careful answer.', confidence: 0.85, checks: [] }), usage: { in: 1000, out: 100 } });
    const since = new Date();
    const r = await replyDrafter.run({ customer: { name: 'Nobody Known' }, message: { from: 'n@example.com', subject: 'x', body: 'Complicated question about a refund and a contract.' } }, { model, memory, meta: { process: 'reply-drafting' } });
    expect(r.deepPass).toEqual({ taken: true, reason: 'low_confidence' });
    expect(r.tier).toBe('deep');
    expect(r.output.body).toBe('A careful answer.');
    const rep = await costReport(t.db, since);
    expect(rep.deepPasses.count).toBe(1);
    expect(rep.deepPasses.usd).toBeCloseTo(0.013, 9);
    expect(rep.byAgent.find((a) => a.agent === 'reply-drafter')!.calls).toBe(2);
  });

  it('without a model, produces a template draft and escalates instead of failing', async () => {
    const r = await replyDrafter.run({ customer: { name: 'Ada Lovelace' }, message: { from: 'ada@example.com', subject: 'Invoice question', body: 'Hello?' }, operatorName: 'Sam' }, { model: noModel(), memory });
    expect(r).toMatchObject({ mode: 'template', escalate: true, escalateReason: 'model_not_configured', callIds: [] });
    expect(r.output.subject).toBe('Re: Invoice question');
    expect(r.output.body).toContain('Hi Ada');
  });
});

describe('summarizer', () => {
  it('updates an entity summary through the model from new episodes only', async () => {
    const e = await memory.upsertEntity({ kind: 'customer', name: 'Rolling Summary GmbH' });
    await memory.addEpisode({ entityId: e.id, kind: 'message', content: 'Ordered 10 chairs.', source: 'email:r1' });
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { content: JSON.stringify({ summary: 'Ordered 10 chairs.', confidence: 0.9 }) });
    await memory.summaries.update(e.id, agentSummarizer({ model, memory }));
    await memory.addEpisode({ entityId: e.id, kind: 'outcome', content: 'Chairs delivered and paid.', source: 'run:r2' });
    srv.script('fast-1', { content: JSON.stringify({ summary: 'Ordered 10 chairs; delivered and paid.', confidence: 0.9 }) });
    const s = await memory.summaries.update(e.id, agentSummarizer({ model, memory }));
    expect(s.summary).toBe('Ordered 10 chairs; delivered and paid.');
    const second = (srv.requests[1].body.messages as Array<{ content: string }>)[1].content;
    expect(second).toContain('Chairs delivered and paid.');
    expect(second.match(/Ordered 10 chairs\./g)).toHaveLength(1); // only in the previous summary, not as a new event
  });
});

describe('invoice reconciler', () => {
  it('matches vendors, flags duplicates and amount changes, finds open payables — with or without a model', async () => {
    const v = await memory.upsertEntity({ kind: 'vendor', name: 'Druckerei Weber GmbH', aliases: ['Weber Druck'] });
    await memory.addEpisode({ entityId: v.id, kind: 'invoice', content: 'Invoice W-100', source: 'perception:w100', data: { number: 'W-100', amount: 240, currency: 'EUR', issueDate: '2026-10-01' } });
    await memory.addEpisode({ entityId: v.id, kind: 'payable', content: 'Open payable W-101', source: 'books', data: { number: 'W-101', amount: 310, currency: 'EUR', status: 'open' } });
    const deps = { model: noModel(), memory };
    const dup = await invoiceReconciler.run({ vendorName: 'Weber Druck', invoiceNumber: 'W-100', amount: 240, currency: 'EUR', issueDate: '2026-10-01' }, deps);
    expect(dup.output.vendor).toMatchObject({ entityId: v.id, match: 'alias' });
    expect(dup.output.duplicateOf).not.toBeNull();
    expect(dup.output.flags).toContain('duplicate');
    const changed = await invoiceReconciler.run({ vendorName: 'Druckerei Weber', invoiceNumber: 'W-101', amount: 310, currency: 'EUR', issueDate: '2026-11-01' }, deps);
    expect(changed.output.vendor.match).toBe('fuzzy');
    expect(changed.output.amountChange).toEqual({ previousAmount: 240, previousInvoice: 'W-100', deltaPct: 29.2 });
    expect(changed.output.payableId).not.toBeNull();
    expect(changed.output.flags).toEqual(expect.arrayContaining(['fuzzy_vendor', 'amount_changed']));
    const unknown = await invoiceReconciler.run({ vendorName: 'Totally New Supplier', invoiceNumber: '1', amount: 10, currency: 'EUR', issueDate: '2026-11-02' }, deps);
    expect(unknown.output.flags).toEqual(['unknown_vendor', 'no_open_payable']);
    expect(unknown.escalate).toBe(true);

    // With a model: a high-stakes item (amount change) takes the deep pass, and the model cannot change computed ids or flags.
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    const lie = { vendor: { entityId: 'made-up', name: 'X', match: 'exact', score: 1 }, duplicateOf: null, amountChange: null, payableId: null, flags: [], confidence: 0.99, note: 'All fine, pay it.' };
    srv.script('fast-1', { content: JSON.stringify(lie) });
    srv.script('deep-1', { content: JSON.stringify({ ...lie, note: 'Price went up 29%; check with Weber.' }) });
    const m = await invoiceReconciler.run({ vendorName: 'Druckerei Weber GmbH', invoiceNumber: 'W-101', amount: 310, currency: 'EUR', issueDate: '2026-11-01' }, { model, memory });
    expect(m.deepPass).toEqual({ taken: true, reason: 'high_stakes' });
    expect(m.output.vendor).toMatchObject({ entityId: v.id, match: 'exact' });
    expect(m.output.flags).toEqual(['amount_changed']);
    expect(m.output.confidence).toBe(0.95);
    expect(m.output.note).toBe('Price went up 29%; check with Weber.');
  });
});
