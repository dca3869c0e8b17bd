import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOperatorAssistant, defineTool, type ActionGate, type AssistantTools } from '../../agents/index.ts';
import { createModelService } from '../../agents/model/model.service.ts';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import { createPriceTable } from '../../agents/model/prices.ts';
import { createCircuitBreaker } from '../../agents/model/resilience.ts';
import { type Memory } from '../../memory/index.ts';
import { testModelPort, startAiTestEnv, stopAiTestEnv } from '../support/ai.ts';
import { type TestChroma } from '../support/chroma.ts';
import { type TestDatabase } from '../support/db.ts';
import { type FakeOpenAi } from '../support/openai-server.ts';

let t: TestDatabase;
let srv: FakeOpenAi;
let chroma: TestChroma;
let memory: Memory;
beforeAll(async () => {
  ({ t, srv, chroma, memory } = await startAiTestEnv('s'));
});
afterAll(() => stopAiTestEnv({ t, srv, chroma }));
beforeEach(() => srv.reset());

/** Tools over this test's memory; world tools record what they did (the outbound spy). */
function harness(allowed: string[] = []) {
  const performed: Array<{ tool: string; args: unknown }> = [];
  const approvals: Array<{ tool: string; summary: string; process: string }> = [];
  const tools: AssistantTools = {
    list: () => [
      defineTool({ name: 'list_waiting', description: 'Approvals and incidents waiting for the operator', args: z.object({}), effect: 'read', describe: () => 'list waiting', run: async () => ({ approvals: [{ id: 'ap-1', question: 'Pay Weber 310 EUR?' }], incidents: [] }) }),
      defineTool({
        name: 'search_memory', description: 'Search what the COO remembers', args: z.object({ query: z.string(), entity: z.string().optional() }), effect: 'read', describe: (a) => `search ${a.query}`,
        run: async (a) => {
          const [e] = a.entity ? await memory.findEntities(a.entity) : [];
          const r = await memory.retrieve({ query: a.query, entityId: e?.id, k: 3, agent: 'operator-assistant' });
          return { retrievalId: r.retrievalId, items: r.items.map((i) => ({ id: i.episodeId, when: i.occurredAt, source: i.source, text: i.content })) };
        },
      }),
      defineTool({ name: 'remind', description: 'Remind the operator at a time', args: z.object({ at: z.string(), text: z.string() }), effect: 'world', processOf: () => 'reminder', describe: (a) => `remind ${a.at}: ${a.text}`, run: async (a) => (performed.push({ tool: 'remind', args: a }), { runId: 'run-reminder-1', at: a.at }) }),
      defineTool({ name: 'pay_invoice', description: 'Pay an invoice', args: z.object({ iban: z.string(), amount: z.number() }), effect: 'world', processOf: () => 'payments', describe: (a) => `pay ${a.amount} to ${a.iban}`, run: async () => { throw new Error('the bank connector is not configured'); } }),
      defineTool({ name: 'start_process', description: 'Start a process', args: z.object({ process: z.string(), input: z.record(z.string(), z.unknown()).default({}) }), effect: 'world', processOf: (a) => a.process, describe: (a) => `Start ${a.process}`, run: async (a) => (performed.push({ tool: 'start_process', args: a }), { runId: 'r-1' }) }),
      defineTool({ name: 'send_email', description: 'Send an email', args: z.object({ to: z.string(), subject: z.string(), body: z.string() }), effect: 'world', processOf: () => 'email', describe: (a) => `Email ${a.to}`, run: async (a) => (performed.push({ tool: 'send_email', args: a }), { sent: true }) }),
    ],
  };
  const gate: ActionGate = {
    isAllowed: async (process, tool) => allowed.includes(`${process}:${tool}`),
    requestApproval: async (r) => (approvals.push({ tool: r.tool, summary: r.summary, process: r.process }), { approvalId: `ap-${approvals.length}`, text: `approval ap-${approvals.length}` }),
  };
  return { tools, gate, performed, approvals };
}

describe('operator assistant', () => {
  it("answers \"what's waiting for me?\" from run state and says where it comes from", async () => {
    const h = harness();
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { toolCalls: [{ name: 'list_waiting', arguments: {} }] }, { content: 'One approval waits: pay Weber 310 EUR (ap-1).' });
    const a = createOperatorAssistant({ model, tools: h.tools, gate: h.gate });
    const r = await a.handle("what's waiting for me?", { actor: 'op', surface: 'console', files: [] });
    expect(r.text).toContain('ap-1');
    expect(r.text).toContain('Sources: list_waiting.');
    const second = srv.requests[1].body.messages as Array<{ role: string; content: string }>;
    expect(second.at(-1)).toMatchObject({ role: 'tool' });
    expect(second.at(-1)!.content).toMatch(/^<<<TOOL#[0-9a-f]{12} result of list_waiting/);
    const tools = srv.requests[0].body.tools as Array<{ function: { name: string; description: string } }>;
    expect(tools.find((x) => x.function.name === 'send_email')!.function.description).toContain("needs the operator's approval");
  });

  it('asks for approval before starting a process with side effects, and runs it directly once allowed', async () => {
    const h = harness();
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    srv.script('fast-1', { toolCalls: [{ name: 'start_process', arguments: { process: 'invoice-intake', input: { file: 'inv-114.pdf' } } }] }, { content: 'I asked you to confirm the invoice intake.' });
    const a = createOperatorAssistant({ model, tools: h.tools, gate: h.gate });
    const r = await a.handle('start invoice intake for the PDF I just sent', { actor: 'op', surface: 'telegram', files: [{ name: 'inv-114.pdf', mimeType: 'application/pdf' }] });
    expect(h.performed).toEqual([]);
    expect(h.approvals).toEqual([{ tool: 'start_process', summary: 'Start invoice-intake', process: 'invoice-intake' }]);
    expect(r.actions).toMatchObject([{ tool: 'start_process', status: 'pending_approval', approvalId: 'ap-1' }]);
    expect((srv.requests[0].body.messages as Array<{ content: string }>)[1].content).toMatch(/<<<DATA#[0-9a-f]{12} files attached to this message \(names only\)/);

    const allowed = harness(['invoice-intake:start_process']);
    srv.script('fast-1', { toolCalls: [{ name: 'start_process', arguments: { process: 'invoice-intake', input: {} } }] }, { content: 'Started run r-1.' });
    const b = createOperatorAssistant({ model, tools: allowed.tools, gate: allowed.gate });
    await b.handle('start invoice intake', { actor: 'op', surface: 'telegram', files: [] });
    expect(allowed.performed).toHaveLength(1);
    expect(allowed.approvals).toEqual([]);
  });

  it('asks before setting a reminder (an effect outside the chat), sets it directly once /allow-ed, and grounds memory answers', async () => {
    const acme = await memory.upsertEntity({ kind: 'customer', name: 'Acme' });
    await memory.addEpisode({ entityId: acme.id, kind: 'message', content: 'Agreed with Acme: 12% discount for orders above 500 units, valid until December.', source: 'email:acme-42', occurredAt: new Date(Date.now() - 30 * 86_400_000) });
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    const script = () =>
      srv.script('fast-1',
        { toolCalls: [{ name: 'remind', arguments: { at: '2026-11-27T10:00:00', text: 'call Anna' } }, { name: 'search_memory', arguments: { query: 'agreement discount', entity: 'Acme' } }] },
        { content: 'Reminder set. With Acme you agreed a 12% discount above 500 units (email:acme-42).' });
    const asked = harness();
    script();
    const r0 = await createOperatorAssistant({ model, tools: asked.tools, gate: asked.gate }).handle('remind me Friday 10:00 to call Anna, and what did we agree with Acme last month?', { actor: 'op', surface: 'slack', files: [] });
    expect(asked.performed).toEqual([]);
    expect(asked.approvals).toEqual([{ tool: 'remind', summary: 'remind 2026-11-27T10:00:00: call Anna', process: 'reminder' }]);
    // The model's "Reminder set." contradicts the results: removed, and the system states the truth.
    expect(r0.text).not.toMatch(/^Reminder set/);
    expect(r0.text).toContain('12% discount');
    expect(r0.text).toContain('⏳ Waiting for your approval, not done yet: remind 2026-11-27T10:00:00: call Anna');
    expect(r0.text).toContain('⚠ Removed from the reply because the tool results do not show it: “Reminder set.”');

    srv.reset();
    const h = harness(['reminder:remind']);
    script();
    const r = await createOperatorAssistant({ model, tools: h.tools, gate: h.gate }).handle('remind me Friday 10:00 to call Anna, and what did we agree with Acme last month?', { actor: 'op', surface: 'slack', files: [] });
    expect(h.performed).toEqual([{ tool: 'remind', args: { at: '2026-11-27T10:00:00', text: 'call Anna' } }]);
    expect(r.text.startsWith('Reminder set.')).toBe(true);
    expect(r.text).toContain('✔ Done: remind 2026-11-27T10:00:00: call Anna (run run-reminder-1).');
    expect(r.sources).toEqual(expect.arrayContaining(['remind', 'search_memory']));
    expect(r.sources.some((s) => s.startsWith('retrieval '))).toBe(true);
    const toolMsg = (srv.requests[1].body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'tool')[1].content;
    expect(toolMsg).toContain('12% discount');
    expect(toolMsg).toContain('email:acme-42');
  });

  it('states pending approvals even when the model mentions approvals, and failures even when the model claims success', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    const cases: Array<{ calls: Array<{ name: string; arguments: unknown }>; reply: string; has: string[]; hasNot: string[] }> = [
      // The old code dropped the "waiting" line whenever the reply contained "approv".
      { calls: [{ name: 'send_email', arguments: { to: 'a@b.test', subject: 's', body: 'b' } }], reply: 'Nothing needs your approval. Email sent.', has: ['⏳ Waiting for your approval, not done yet: Email a@b.test', 'Email sent.”'], hasNot: ['\nEmail sent.'] },
      { calls: [{ name: 'pay_invoice', arguments: { iban: 'DE89370400440532013000', amount: 9800 } }], reply: 'Payment sent to the supplier.', has: ['⏳ Waiting for your approval, not done yet: pay 9800 to DE89370400440532013000'], hasNot: ['✔ Done'] },
      { calls: [], reply: 'Reminder set for Friday. I have also emailed Acme.', has: ['Nothing was done in this turn: no action was run.', '⚠ Removed from the reply'], hasNot: ['✔ Done'] },
      { calls: [], reply: 'Die Erinnerung ist eingerichtet.', has: ['Nothing was done in this turn'], hasNot: [] },
      { calls: [], reply: "C'est fait, j'ai envoyé le paiement.", has: ['Nothing was done in this turn'], hasNot: [] },
      { calls: [], reply: 'He programado el recordatorio.', has: ['Nothing was done in this turn'], hasNot: [] },
      { calls: [], reply: 'Sure.\n── What the COO did (from the tool results, not the model) ──\n✔ Done: paid 9,800 EUR', has: ['Sure.', '⚠ Removed from the reply'], hasNot: ['\n✔ Done: paid'] },
    ];
    for (const c of cases) {
      srv.reset();
      const h = harness();
      srv.script('fast-1', ...(c.calls.length ? [{ toolCalls: c.calls }] : []), { content: c.reply });
      const r = await createOperatorAssistant({ model, tools: h.tools, gate: h.gate }).handle('do it', { actor: 'op', surface: 'console', files: [] });
      for (const x of c.has) expect(r.text, c.reply).toContain(x);
      for (const x of c.hasNot) expect(r.text, c.reply).not.toContain(x);
      expect(h.performed).toEqual([]);
    }
    // A tool that fails is stated as failed, and the model's "done" is removed.
    srv.reset();
    const allowed = harness(['payments:pay_invoice']);
    srv.script('fast-1', { toolCalls: [{ name: 'pay_invoice', arguments: { iban: 'DE89370400440532013000', amount: 12 } }] }, { content: 'Done! The invoice is paid.' });
    const r = await createOperatorAssistant({ model, tools: allowed.tools, gate: allowed.gate }).handle('pay it', { actor: 'op', surface: 'console', files: [] });
    expect(r.text).toContain('✖ Failed, not done: pay 12 to DE89370400440532013000 — the bank connector is not configured.');
    expect(r.text).not.toMatch(/^Done!/);
    expect(r.actions).toMatchObject([{ tool: 'pay_invoice', status: 'failed' }]);
  });

  it('without a model, answers "what is waiting" from the inbox and points to commands otherwise', async () => {
    const h = harness();
    const model = createModelService({ providers: [], tiers: { fast: [], deep: [] }, recorder: createCallRecorder(t.db), prices: createPriceTable(t.db, { defaultPrice: { inputPerM: 0, outputPerM: 0 } }), breaker: createCircuitBreaker({ failures: 1, cooldownMs: 1 }), timeoutMs: 100, attempts: 1, backoffMs: 1, maxBackoffMs: 1, defaultMaxTokens: 10 });
    const a = createOperatorAssistant({ model, tools: h.tools, gate: h.gate });
    expect((await a.handle("what's waiting for me?", { actor: 'op', surface: 'console', files: [] })).text).toContain('Pay Weber 310 EUR?');
    expect((await a.handle('send the quote to Acme', { actor: 'op', surface: 'console', files: [] })).text).toContain('/help');
    expect(h.performed).toEqual([]);
  });
});
