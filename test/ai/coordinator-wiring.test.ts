import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../coordinator/index.ts';
import { createAiLayer, type AiLayer } from '../../agents/wiring/ai.layer.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

async function statusOf(c: Coordinator, runId: string, status: string) {
  return waitFor(`run ${runId} to be ${status}`, async () => {
    const r = await c.runs.get(runId);
    if (r?.status === 'failed' && status !== 'failed') throw new Error(`run failed: ${r.error}`);
    return r?.status === status ? r : null;
  });
}
async function pendingFor(c: Coordinator, runId: string) {
  return waitFor(`an approval for ${runId}`, async () => (await c.approvals.pending()).find((a) => a.runId === runId) ?? null);
}
const say = async (c: Coordinator, text: string) => (await c.operator.handleMessage({ surface: 'console', actor: 'op', text })).reply!.body.text;

describe('AI layer wired into the coordinator, no model configured', () => {
  let env: TestEnv;
  let c: Coordinator;
  let ai: AiLayer;
  beforeAll(async () => {
    env = await createTestEnv();
    ai = createAiLayer({ env: {}, vectorStore: null });
    c = await env.coordinator({ ...ai.coordinatorOptions(), roles: { workers: true, background: true } });
    await ai.attach(c);
  });
  afterAll(async () => env.cleanup());

  it('completes a reply-drafting run with a template draft escalated to the operator', async () => {
    expect((await ai.doctor())[0].detail).toContain('no-model mode');
    const { runId } = await c.runs.start({ process: 'reply-drafting', input: { customer: { name: 'Mia Wong' }, message: { from: 'mia@example.com', subject: 'Late order', body: 'Where is my order?' }, operatorName: 'Sam' } });
    const ap = await pendingFor(c, runId);
    expect(ap.question).toContain('No model is configured, so this is a template draft');
    expect(ap.question).toContain('Subject: Re: Late order');
    const r = await c.approvals.decide({ approvalId: ap.id, option: 'send', actor: 'op', via: 'console' });
    expect(r.ok).toBe(true);
    const run = await statusOf(c, runId, 'completed');
    expect(run.state).toBeTruthy();
    const eps = await env.tdb.sql<{ kind: string; title: string }>(`SELECT kind, title FROM memory_episode WHERE run_id = $1`, [runId]);
    expect(eps).toEqual([{ kind: 'reply_approved', title: 'Re: Late order' }]);
    // No model call was attempted.
    expect(await env.tdb.sql('SELECT 1 FROM model_call')).toHaveLength(0);
  });

  it('answers plain language without a model by pointing to commands, and serves /memory, /budget, /retention, /forget', async () => {
    expect(await say(c, 'please send the quote to Acme')).toContain('No model is configured');
    const mia = await ai.memory.upsertEntity({ kind: 'customer', name: 'Mia Wong' });
    await ai.memory.addFact({ entityId: mia.id, key: 'phone', value: '+49 30 1234', source: 'email:9' });
    await ai.memory.addEpisode({ entityId: mia.id, kind: 'message', content: 'Where is my order?', source: 'email:9' });
    expect(await say(c, '/memory mia wong')).toContain('phone: +49 30 1234 — from email:9');
    expect(await say(c, '/budget set reply-drafting day 2')).toContain('day cap set to $2.00');
    expect(await say(c, '/budget')).toContain('reply-drafting day');
    expect(await say(c, '/retention set message 30 summarize')).toContain('message: kept 30 days');
    expect(await say(c, '/retention')).toContain('message: 30 days, then summarize');
    const ask = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/forget Mia Wong' });
    expect(ask.reply!.body.buttons[0][0].action).toEqual({ type: 'command', text: '/forget --yes Mia Wong' });
    expect(await say(c, '/forget --yes Mia Wong')).toMatch(/Forgotten: 1 entity \(customer\)[\s\S]*memory facts: 1 → 0[\s\S]*memory records: 1 → 0[\s\S]*Nothing is left/);
    expect(await say(c, '/status')).toContain('Model spend today');
    const sched = await env.tdb.sql<{ process: string }>(`SELECT process FROM schedule WHERE id = 'memory-retention'`);
    expect(sched).toEqual([{ process: 'memory-retention' }]);
  });

  it('reconciles invoices without a model: an unknown vendor is confirmed once, the same invoice again is flagged as a duplicate', async () => {
    const inv = { vendorName: 'Kartonage Nord', invoiceNumber: 'KN-77', amount: 480, currency: 'EUR', issueDate: '2026-11-20', source: 'perception:kn77.pdf' };
    const a = await c.runs.start({ process: 'invoice-reconciliation', input: inv });
    const ask = await pendingFor(c, a.runId);
    expect(ask.question).toContain('Flags: unknown_vendor, no_open_payable');
    await c.approvals.decide({ approvalId: ask.id, option: 'accept', actor: 'op', via: 'console' });
    const done = await statusOf(c, a.runId, 'completed');
    expect(JSON.stringify(done.state)).toContain('"accepted":true');
    const b = await c.runs.start({ process: 'invoice-reconciliation', input: inv });
    const dup = await pendingFor(c, b.runId);
    expect(dup.question).toContain('duplicate');
    expect(dup.question).toContain('do not pay twice');
    await c.approvals.decide({ approvalId: dup.id, option: 'reject', actor: 'op', via: 'console' });
    await statusOf(c, b.runId, 'completed');
    expect(await env.tdb.sql(`SELECT 1 FROM memory_episode WHERE kind = 'invoice'`)).toHaveLength(1);
  });

  it('adds model spend and the memory mode to the daily digest, and runs retention as a process', async () => {
    const { runId } = await c.runs.start({ process: 'daily-digest', input: {} });
    await statusOf(c, runId, 'completed');
    const [msg] = await env.tdb.sql<{ body: { text: string } }>(`SELECT body FROM operator_message WHERE body->>'kind' = 'digest' ORDER BY id DESC LIMIT 1`);
    expect(msg.body.text).toContain('Model spend today — $0.0000 over 0 calls');
    expect(msg.body.text).toContain('Memory runs on Postgres only (no vector store configured).');
    const r = await c.runs.start({ process: 'memory-retention', input: {} });
    const done = await statusOf(c, r.runId, 'completed');
    expect(JSON.stringify(done.state)).toContain('retrieval_log');
  });
});

describe('AI layer wired into the coordinator, with a model', () => {
  let env: TestEnv;
  let c: Coordinator;
  let ai: AiLayer;
  let srv: FakeOpenAi;
  beforeAll(async () => {
    [env, srv] = await Promise.all([createTestEnv(), startFakeOpenAi()]);
    ai = createAiLayer({ env: {}, agents: { COO_MODEL_BASE_URL: srv.baseURL, COO_MODEL_FAST: 'fast-1', COO_MODEL_DEEP: 'deep-1', COO_MODEL_BACKOFF_MS: 10, COO_MODEL_ATTEMPTS: 2 }, vectorStore: null });
    c = await env.coordinator({ ...ai.coordinatorOptions(), roles: { workers: true, background: true } });
    await ai.attach(c);
  });
  afterAll(async () => {
    await srv.close();
    await env.cleanup();
  });
  beforeEach(() => srv.reset());

  it('routes free text to the assistant; a world-changing tool becomes a durable approval and runs once approved', async () => {
    srv.script('fast-1', { toolCalls: [{ name: 'start_process', arguments: { process: 'reminder', input: { at: '2030-01-01T10:00:00Z', text: 'renew domain' } } }] }, { content: 'I asked you to confirm.' });
    const text = await say(c, 'start the reminder process for the domain renewal');
    expect(text).toContain('I asked you to confirm.');
    const [action] = await env.tdb.sql<{ id: string }>(`SELECT id FROM run WHERE process = 'assistant-action'`);
    const ap = await pendingFor(c, action.id);
    expect(ap.question).toContain('The assistant wants to: start reminder');
    expect(await env.tdb.sql(`SELECT 1 FROM run WHERE process = 'reminder'`)).toHaveLength(0);
    await c.approvals.decide({ approvalId: ap.id, option: 'approve', actor: 'op', via: 'console' });
    await statusOf(c, action.id, 'completed');
    expect(await env.tdb.sql(`SELECT 1 FROM run WHERE process = 'reminder'`)).toHaveLength(1);
  });

  it('asks before setting a reminder, shows its text in full, and sets reminders directly only after /allow remind', async () => {
    const count = async (p: string) => (await env.tdb.sql(`SELECT 1 FROM run WHERE process = $1`, [p])).length;
    const [reminders0, actions0] = [await count('reminder'), await count('assistant-action')];
    const long = `renew the domain ${'and check the invoice '.repeat(20)}at Musterstraße 12, 10115 Berlin`;
    srv.script('fast-1', { toolCalls: [{ name: 'remind', arguments: { at: '2030-01-01T10:00:00+00:00', text: long } }] }, { content: 'Reminder set for January 1st.' });
    const text = await say(c, 'remind me on new year to renew the domain');
    expect(text).toContain('⏳ Waiting for your approval, not done yet: remind you at 2030-01-01T10:00:00+00:00');
    expect(text).not.toMatch(/^Reminder set/);
    expect(await count('reminder')).toBe(reminders0);
    const [action] = await env.tdb.sql<{ id: string }>(`SELECT id FROM run WHERE process = 'assistant-action' ORDER BY created_at DESC LIMIT 1`);
    const ap = await pendingFor(c, action.id);
    expect(ap.question).toContain('‼ ADDRESS: Musterstraße 12, 10115 Berlin');
    expect(ap.question.replace(/\n {4}/g, '')).toContain(long);
    await c.approvals.decide({ approvalId: ap.id, option: 'approve', actor: 'op', via: 'console' });
    await statusOf(c, action.id, 'completed');
    expect(await count('reminder')).toBe(reminders0 + 1);

    expect(await say(c, '/allow rm -rf /')).toContain('Usage: /allow <tool>');
    expect(await say(c, '/allow remind')).toContain('Allowed *:remind');
    srv.script('fast-1', { toolCalls: [{ name: 'remind', arguments: { at: '2030-01-02T10:00:00+00:00', text: 'call Anna' } }] }, { content: 'Reminder set.' });
    const direct = await say(c, 'remind me on 2 January to call Anna');
    expect(direct).toMatch(/^Reminder set\.\n── What the COO did .*\n✔ Done: remind you at 2030-01-02T10:00:00\+00:00: call Anna \(run run_\w+\)\./);
    expect(await count('reminder')).toBe(reminders0 + 2);
    expect(await count('assistant-action')).toBe(actions0 + 1);
    expect(await say(c, '/allow remove remind')).toContain('Removed *:remind. Now allowed: nothing');
  });

  it('finds "the PDF I just sent" among recent files for the assistant', async () => {
    await c.operator.handleMessage({ surface: 'telegram', actor: 'op', text: '', files: [{ name: 'kn-77.pdf', mimeType: 'application/pdf', size: 1200, path: 'files/kn-77.pdf' }] });
    srv.script('fast-1',
      { toolCalls: [{ name: 'recent_files', arguments: {} }] },
      { toolCalls: [{ name: 'start_process', arguments: { process: 'invoice-reconciliation', input: { file: 'files/kn-77.pdf' } } }] },
      { content: 'Asked you to confirm starting invoice reconciliation for kn-77.pdf.' });
    const text = await say(c, 'start invoice intake for the PDF I just sent');
    expect(text).toContain('kn-77.pdf');
    const toolMsg = (srv.requests[1].body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!.content;
    expect(toolMsg).toContain('files/kn-77.pdf');
    const [run] = await env.tdb.sql<{ input: { summary: string } }>(`SELECT input FROM run WHERE process = 'assistant-action' ORDER BY created_at DESC LIMIT 1`);
    expect(run.input.summary).toContain('files/kn-77.pdf');
  });

  it('pauses a run on its budget cap and asks the operator; Raise lets it continue', async () => {
    await ai.stack.prices.set('fast-1', { inputPerM: 100, outputPerM: 100 });
    await ai.budget.setCap('process:reply-drafting', 'day', 0.01);
    srv.script('fast-1', { content: JSON.stringify({ subject: 'Re: Hello', body: 'Hi Jo, thanks!', confidence: 0.9, checks: [] }) });
    const { runId } = await c.runs.start({ process: 'reply-drafting', input: { customer: { name: 'Jo' }, message: { from: 'jo@example.com', subject: 'Hello', body: 'Hi there' } } });
    const ask = await pendingFor(c, runId);
    expect(ask.question).toMatch(/^Reply drafting has spent \$0\.00 of today's \$0\.01\./);
    expect(ask.question).toMatch(/Raise today's cap to \$0\.\d\d\?/); // enough for the call, not whole dollars
    expect((ask.options as Array<{ id: string; label: string }>).map((o) => o.label)).toEqual(['Raise', 'Keep']);
    expect(srv.requests).toHaveLength(0); // the call was not made
    await c.approvals.decide({ approvalId: ask.id, option: 'raise', actor: 'op', via: 'console' });
    const review = await waitFor('the draft review', async () => (await c.approvals.pending()).find((a) => a.runId === runId && a.id !== ask.id) ?? null);
    expect(review.question).toContain('Hi Jo, thanks!');
    const [u] = await ai.budget.usage({ process: 'reply-drafting' });
    expect(u.capUsd).toBeGreaterThan(0.01);
    expect(u.capUsd).toBeLessThan(1);
    expect(u.spentUsd).toBeGreaterThan(0);
    await ai.budget.removeCap('process:reply-drafting', 'day');
  });

  it('puts a failed model call in the incident inbox with the replay command', async () => {
    srv.respond(() => ({ status: 500 }));
    const { runId } = await c.runs.start({ process: 'reply-drafting', input: { customer: { name: 'Kim' }, message: { from: 'kim@example.com', subject: 'Hi', body: 'Hello' } } });
    const inc = await waitFor('an incident', async () => (await env.tdb.sql<{ message: string }>('SELECT message FROM incident WHERE run_id = $1', [runId]))[0] ?? null);
    const id = /coo replay-call (\S+)/.exec(inc.message)![1];
    srv.respond(() => ({ content: '{"subject":"Re: Hi","body":"Hello Kim","confidence":0.9,"checks":[]}' }));
    const out = await say(c, `/replay-call ${id}`);
    expect(out).toContain('ORIGINAL');
    expect(out).toContain('Hello Kim');
  });
});
