import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Coordinator, defineProcess, type OutboundMessage } from '../../coordinator/index.ts';
import { BudgetExceededError, createAiLayer, withBudgetApproval } from '../../agents/index.ts';
import { APPROVAL_TRAPS, BARE_ANSWERS, CANCEL_TRAPS, RETRY_TRAPS } from '../fixtures/decision-phrasings.ts';
import { flaky, flakyFail } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

/**
 * Issue 12, item 1: a decision is made only by an unambiguous operator act — a button press or the exact
 * command (/approve, /reject, /cancel, /retry). A sentence that names an approval or a run, however it is
 * phrased, gets the item back with its buttons and changes nothing.
 */

const CAP = { scope: 'process:capped-call', period: 'day' as const, capUsd: 5 };

/** A step whose model call does not fit its cap: the run asks "Raise today's cap…? [Raise] [Keep]", as real agent steps do. */
const cappedCall = defineProcess({
  name: 'capped-call',
  version: 1,
  description: 'a model call over its budget cap',
  input: z.object({}),
  start: 'call',
  steps: {
    call: {
      next: ['call'],
      run: async (ctx) => {
        const r = await withBudgetApproval(ctx, async () => {
          if (!ctx.decision) throw new BudgetExceededError('over the cap', { ...CAP, periodKey: 'today', spentUsd: 4.8, reservedUsd: 0, estimateUsd: 0.5, suggestedCapUsd: 8 });
          return 'called';
        });
        if (r.ok) return ctx.complete({ called: r.value });
        if ('kept' in r) return ctx.complete({ kept: true });
        return r.result;
      },
    },
  },
});

interface Fixture {
  env: TestEnv;
  c: Coordinator;
  /** An approval-roundtrip run waiting on its approval. */
  waiting: { runId: string; approvalId: string };
  /** A run that failed (retry is its only valid action). */
  failedRunId: string;
  /** The budget approval, where the AI layer is wired. */
  budget: { runId: string; approvalId: string } | null;
}

async function runStatus(c: Coordinator, runId: string, status: string) {
  return waitFor(`run ${runId} to be ${status}`, async () => ((await c.runs.get(runId))?.status === status ? true : null));
}

async function pendingOf(c: Coordinator, runId: string) {
  const a = await waitFor(`an approval for ${runId}`, async () => (await c.approvals.pending()).find((x) => x.runId === runId) ?? null);
  return a.id;
}

async function fixture(env: TestEnv, c: Coordinator, withBudget: boolean): Promise<Fixture> {
  const w = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Send the quote to Acme?' } });
  const f = await c.runs.start({ process: 'flaky-fail', input: { key: `free-text-${env.prefix}` } });
  let budget: Fixture['budget'] = null;
  if (withBudget) {
    const b = await c.runs.start({ process: 'capped-call', input: {} });
    budget = { runId: b.runId, approvalId: await pendingOf(c, b.runId) };
  }
  const waiting = { runId: w.runId, approvalId: await pendingOf(c, w.runId) };
  await runStatus(c, f.runId, 'failed');
  return { env, c, waiting, failedRunId: f.runId, budget };
}

/** Everything a sentence must not change: approvals, runs, their event logs, budget caps. */
async function world(env: TestEnv) {
  return env.tdb.sql(
    `SELECT (SELECT json_agg(json_build_array(id, status, decision) ORDER BY id) FROM approval) AS approvals,
            (SELECT json_agg(json_build_array(id, status) ORDER BY id) FROM run) AS runs,
            (SELECT count(*)::int FROM run_event) AS events,
            (SELECT json_agg(json_build_array(scope, period, cap_usd::text) ORDER BY scope, period) FROM budget_cap) AS caps`,
  );
}

const say = async (c: Coordinator, text: string): Promise<OutboundMessage> => (await c.operator.handleMessage({ surface: 'console', actor: 'op', text })).reply!.body;

/** The buttons the approval's own card carries (the message the run posted when it asked). */
async function cardButtons(env: TestEnv, approvalId: string) {
  const first = await env.tdb.sql<{ body: OutboundMessage }>(`SELECT body FROM operator_message WHERE approval_id = $1 ORDER BY id LIMIT 1`, [approvalId]);
  return first[0].body.buttons.flat();
}

const decideButtons = (m: OutboundMessage) => m.buttons.flat().filter((b) => b.action.type === 'decide');
const commandButtons = (m: OutboundMessage) => m.buttons.flat().filter((b) => b.action.type === 'command').map((b) => [b.label, b.action.type === 'command' ? b.action.text : '']);

/** The table, for one way of wiring the coordinator (core only; AI layer without a model; with a model). */
function trapSuite(name: string, make: () => Promise<Fixture>, opts: { budget?: boolean; model?: () => FakeOpenAi } = {}) {
  describe(`free text never decides — ${name}`, () => {
    let fx: Fixture;
    let before: unknown;
    let cards: Record<string, Awaited<ReturnType<typeof cardButtons>>>;
    beforeAll(async () => {
      fx = await make();
      before = await world(fx.env);
      cards = { [fx.waiting.approvalId]: await cardButtons(fx.env, fx.waiting.approvalId) };
      if (fx.budget) cards[fx.budget.approvalId] = await cardButtons(fx.env, fx.budget.approvalId);
      for (const b of Object.values(cards)) expect(b).toHaveLength(2);
    }, 60_000);
    afterAll(async () => fx?.env.cleanup());

    it.each(APPROVAL_TRAPS)('"%s" gets the approval back with its buttons and decides nothing', async (template) => {
      const ids = [fx.waiting.approvalId, ...(fx.budget ? [fx.budget.approvalId] : [])];
      for (const id of ids) {
        const reply = await say(fx.c, template.replace('{id}', id));
        expect(reply.text, template).toContain(id);
        expect(decideButtons(reply), template).toEqual(cards[id]);
        expect(reply.text, template).not.toMatch(/recorded|continues/i);
      }
      expect(await world(fx.env)).toEqual(before);
    });

    it.each(CANCEL_TRAPS)('"%s" gets the waiting run back with [Cancel] and cancels nothing', async (template) => {
      const runId = fx.waiting.runId;
      const reply = await say(fx.c, template.replace('{run}', runId));
      expect(reply.text).toContain(runId);
      expect(commandButtons(reply)).toEqual([['Cancel', `/cancel ${runId}`]]);
      expect(await world(fx.env)).toEqual(before);
    });

    it.each(RETRY_TRAPS)('"%s" gets the failed run back with [Retry] and retries nothing', async (template) => {
      const runId = fx.failedRunId;
      const reply = await say(fx.c, template.replace('{run}', runId));
      expect(reply.text).toContain(runId);
      expect(commandButtons(reply)).toEqual([['Retry', `/retry ${runId}`]]);
      expect(await world(fx.env)).toEqual(before);
    });

    it('offers only the buttons each named item allows, one row per item', async () => {
      const esc = await fx.c.runs.start({ process: 'flaky', input: { failTimes: 3, key: `esc-${fx.env.prefix}` } });
      const done = await fx.c.runs.start({ process: 'flaky', input: { failTimes: 0, key: `done-${fx.env.prefix}` } });
      const second = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Print the flyers?' } });
      const secondId = await pendingOf(fx.c, second.runId);
      await runStatus(fx.c, esc.runId, 'waiting');
      await runStatus(fx.c, done.runId, 'completed');
      const mark = await world(fx.env);
      // A run waiting after a final failure (an escalation) can be retried or cancelled.
      expect(commandButtons(await say(fx.c, `should I retry ${esc.runId}?`))).toEqual([['Retry', `/retry ${esc.runId}`], ['Cancel', `/cancel ${esc.runId}`]]);
      const finished = await say(fx.c, `cancel ${done.runId}`);
      expect(finished.buttons).toEqual([]);
      expect(finished.text).toContain(`Run ${done.runId} (flaky) is completed`);
      expect((await say(fx.c, 'approve apv_nosuchthing1')).text).toContain('There is no approval "apv_nosuchthing1"');
      expect((await say(fx.c, 'cancel run_nosuchthing1')).text).toContain('There is no run "run_nosuchthing1"');
      const both = await say(fx.c, `approve ${fx.waiting.approvalId} and ${secondId}`);
      expect(both.buttons.map((row) => row.map((b) => b.action.type === 'decide' && b.action.approvalId))).toEqual([[fx.waiting.approvalId, fx.waiting.approvalId], [secondId, secondId]]);
      expect(both.buttons[1].map((b) => b.label)).toEqual([`Approve · ${secondId}`, `Reject · ${secondId}`]);
      expect(await world(fx.env)).toEqual(mark);
    });

    it('answers a bare yes or no after its question with the question\'s buttons again, deciding nothing', async () => {
      const id = fx.budget?.approvalId ?? fx.waiting.approvalId;
      const mark = await world(fx.env);
      const asked = await say(fx.c, `Is ${id} ok?`);
      expect(decideButtons(asked)).toEqual(cards[id]);
      for (const text of BARE_ANSWERS) {
        const reply = await say(fx.c, text);
        expect(reply.text, text).toContain(id);
        expect(decideButtons(reply), text).toEqual(cards[id]);
      }
      expect(await world(fx.env)).toEqual(mark);
    });

    it('still decides on a button press from the card a sentence got back, once', async () => {
      const id = fx.waiting.approvalId;
      const card = await fx.c.operator.handleMessage({ surface: 'console', actor: 'op', text: `Should I approve ${id}?` });
      const approve = decideButtons(card.reply!.body)[0];
      const press = await fx.c.operator.handleAction({ surface: 'console', actor: 'op', payload: approve.action });
      expect(press.ok).toBe(true);
      expect(await fx.env.tdb.db.approval.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'decided', decision: 'approve', decidedBy: 'op' });
      await runStatus(fx.c, fx.waiting.runId, 'completed');
      // The card is settled on every surface, like the approval's own message.
      const settled = await fx.c.operator.getMessage(card.reply!.id);
      expect(settled?.body.buttons).toEqual([]);
      expect(settled?.body.resolution).toMatch(/^Approve — by op via console/);
    });

    it('still retries and cancels on a press of the run card\'s button', async () => {
      const retryCard = await say(fx.c, `retry ${fx.failedRunId}?`);
      const [retry] = retryCard.buttons.flat();
      const pressed = await fx.c.operator.handleAction({ surface: 'console', actor: 'op', payload: retry.action });
      expect(pressed.reply.text).toContain(`Retrying run ${fx.failedRunId}`);
      await runStatus(fx.c, fx.failedRunId, 'completed');
      const w = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Order more mugs?' } });
      await pendingOf(fx.c, w.runId);
      const cancelCard = await say(fx.c, `don't cancel ${w.runId}`);
      const [cancel] = cancelCard.buttons.flat();
      await fx.c.operator.handleAction({ surface: 'console', actor: 'op', payload: cancel.action });
      await runStatus(fx.c, w.runId, 'cancelled');
    });

    it('still decides by the exact commands', async () => {
      const a = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Book the venue?' } });
      const b = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Buy the domain?' } });
      const [aId, bId] = [await pendingOf(fx.c, a.runId), await pendingOf(fx.c, b.runId)];
      expect((await say(fx.c, `/approve ${aId} looks right`)).text).toMatch(/Approve: recorded/);
      expect((await say(fx.c, `/reject ${bId}`)).text).toMatch(/Reject: recorded/);
      expect(await fx.env.tdb.db.approval.findUniqueOrThrow({ where: { id: aId } })).toMatchObject({ decision: 'approve', reason: 'looks right' });
      expect(await fx.env.tdb.db.approval.findUniqueOrThrow({ where: { id: bId } })).toMatchObject({ decision: 'reject' });
      const f = await fx.c.runs.start({ process: 'flaky-fail', input: { key: `exact-${fx.env.prefix}` } });
      await runStatus(fx.c, f.runId, 'failed');
      expect((await say(fx.c, `/retry ${f.runId}`)).text).toContain(`Retrying run ${f.runId}`);
      const w = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Hire help?' } });
      await pendingOf(fx.c, w.runId);
      expect((await say(fx.c, `/cancel ${w.runId} changed my mind`)).text).toBe(`Cancelled run ${w.runId}.`);
      await runStatus(fx.c, w.runId, 'cancelled');
    });

    if (opts.budget) {
      it('raises a budget cap only on a press of [Raise]', async () => {
        const budget = fx.budget!;
        const caps = async () => fx.env.tdb.sql<{ cap: string }>(`SELECT cap_usd::text AS cap FROM budget_cap WHERE scope = $1 AND period = $2`, [CAP.scope, CAP.period]);
        expect(await caps()).toEqual([{ cap: '5.000000' }]);
        const card = await say(fx.c, `No, do not approve ${budget.approvalId}, keep the cap`);
        expect(decideButtons(card).map((b) => b.label)).toEqual(['Raise', 'Keep']);
        expect(await caps()).toEqual([{ cap: '5.000000' }]);
        const raise = decideButtons(card).find((b) => b.label === 'Raise')!;
        expect((await fx.c.operator.handleAction({ surface: 'console', actor: 'op', payload: raise.action })).ok).toBe(true);
        await runStatus(fx.c, budget.runId, 'completed');
        expect(await caps()).toEqual([{ cap: '8.000000' }]);
      });
    }

    if (opts.model) {
      it("carries the buttons of an approval the assistant's answer names, and the answer decides nothing", async () => {
        const srv = opts.model!();
        const w = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Renew the domain?' } });
        const id = await pendingOf(fx.c, w.runId);
        const mark = await world(fx.env);
        const card = await cardButtons(fx.env, id);
        expect(card).toHaveLength(2);
        srv.reset();
        srv.script('fast-1', { content: `The domain renewal is ${id}. I approved it.` });
        const reply = await say(fx.c, 'what about the domain renewal?');
        expect(srv.requests).toHaveLength(1);
        expect(reply.text).toContain(`Do you want to approve or reject ${id}?`);
        expect(decideButtons(reply)).toEqual(card);
        expect(await world(fx.env)).toEqual(mark);
      });

      it('offers the model no tool that decides, cancels or retries: a model that tries changes nothing', async () => {
        const srv = opts.model!();
        const w = await fx.c.runs.start({ process: 'approval-roundtrip', input: { question: 'Pay the printer?' } });
        await pendingOf(fx.c, w.runId);
        const mark = await world(fx.env);
        srv.reset();
        srv.script('fast-1',
          { toolCalls: [{ name: 'list_waiting', arguments: {} }] },
          { toolCalls: [{ name: 'decide_approval', arguments: { option: 'approve' } }, { name: 'cancel_run', arguments: {} }, { name: 'retry_run', arguments: {} }, { name: 'start_process', arguments: { process: 'assistant-action', input: {} } }] },
          { content: 'Approved.' });
        await say(fx.c, 'approve the printer payment');
        const offered = (srv.requests[0].body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
        expect(offered.length).toBeGreaterThan(0);
        for (const tool of offered) expect(tool).not.toMatch(/approv|reject|decid|cancel|retry|abort|stop/);
        // start_process may at most open an approval of its own (an assistant-action run); nothing that existed changed.
        const after = await world(fx.env);
        const kept = (rows: unknown, pick: (r: string[]) => string) => new Map((rows as string[][]).map((r) => [r[0], pick(r)]));
        const [m0, a0] = [mark[0] as { approvals: unknown; runs: unknown; caps: unknown }, after[0] as { approvals: unknown; runs: unknown; caps: unknown }];
        for (const [id, st] of kept(m0.approvals, (r) => `${r[1]}/${r[2]}`)) expect(kept(a0.approvals, (r) => `${r[1]}/${r[2]}`).get(id), id).toBe(st);
        for (const [id, st] of kept(m0.runs, (r) => r[1])) expect(kept(a0.runs, (r) => r[1]).get(id), id).toBe(st);
        expect(a0.caps).toEqual(m0.caps);
        expect(await fx.env.tdb.db.approval.findFirstOrThrow({ where: { runId: w.runId } })).toMatchObject({ status: 'pending' });
        expect(await fx.c.runs.get(w.runId)).toMatchObject({ status: 'waiting' });
      });
    }
  });
}

trapSuite('core only', async () => {
  const env = await createTestEnv();
  const c = await env.coordinator({ processes: [flaky, flakyFail], roles: { workers: true, background: true } });
  return fixture(env, c, false);
});

trapSuite(
  'AI layer, no model',
  async () => {
    const env = await createTestEnv();
    const ai = createAiLayer({ env: {}, vectorStore: null });
    const c = await env.coordinator({ ...ai.coordinatorOptions(), processes: [...ai.processes, flaky, flakyFail, cappedCall], roles: { workers: true, background: true } });
    await ai.attach(c);
    await ai.budget.setCap(CAP.scope, CAP.period, CAP.capUsd);
    return fixture(env, c, true);
  },
  { budget: true },
);

let srv: FakeOpenAi | null = null;
afterAll(async () => srv?.close());
trapSuite(
  'AI layer, with a model',
  async () => {
    srv = await startFakeOpenAi();
    const env = await createTestEnv();
    const ai = createAiLayer({ env: {}, agents: { COO_MODEL_BASE_URL: srv.baseURL, COO_MODEL_FAST: 'fast-1', COO_MODEL_DEEP: 'deep-1', COO_MODEL_BACKOFF_MS: 10, COO_MODEL_ATTEMPTS: 1 }, vectorStore: null });
    const c = await env.coordinator({ ...ai.coordinatorOptions(), processes: [...ai.processes, flaky, flakyFail, cappedCall], roles: { workers: true, background: true } });
    await ai.attach(c);
    await ai.budget.setCap(CAP.scope, CAP.period, CAP.capUsd);
    return fixture(env, c, true);
  },
  { budget: true, model: () => srv! },
);

describe('a free-text handler cannot decide through the commands it returns', () => {
  let env: TestEnv;
  let c: Coordinator;
  /** What the handler answers to the next sentence: as a misreading model or a buggy reader would. */
  let next = '';
  beforeAll(async () => {
    env = await createTestEnv();
    c = await env.coordinator({ processes: [flakyFail], handlers: { freeText: async () => ({ command: next }) }, roles: { workers: true, background: true } });
  });
  afterAll(async () => env.cleanup());

  it('runs a read-only command, and answers any other with the buttons or the command to send', async () => {
    const w = await c.runs.start({ process: 'approval-roundtrip', input: { question: 'Renew the lease?' } });
    const approvalId = await pendingOf(c, w.runId);
    const f = await c.runs.start({ process: 'flaky-fail', input: { key: `handler-${env.prefix}` } });
    await runStatus(c, f.runId, 'failed');
    const mark = await world(env);
    const ask = async (command: string) => {
      next = command;
      return say(c, 'do what I said earlier');
    };
    const card = await cardButtons(env, approvalId);
    expect(card.map((b) => b.label)).toEqual(['Approve', 'Reject']);
    for (const command of [`/approve ${approvalId}`, `/reject ${approvalId} too expensive`]) expect(decideButtons(await ask(command)), command).toEqual(card);
    expect(commandButtons(await ask(`/cancel ${w.runId}`))).toEqual([['Cancel', `/cancel ${w.runId}`]]);
    expect(commandButtons(await ask(`/retry ${f.runId}`))).toEqual([['Retry', `/retry ${f.runId}`]]);
    expect((await ask('/run approval-roundtrip {"question":"Wire 5,000 EUR?"}')).text).toBe(`I don't run /run from a sentence. To do it, send the command itself: /run approval-roundtrip {"question":"Wire 5,000 EUR?"}`);
    expect(await world(env)).toEqual(mark);
    expect((await ask('/inbox')).text).toMatch(/^\(\/inbox\)\n.*Renew the lease\?/s);
    expect((await ask('/run')).text).toMatch(/^\(\/run\)\nProcesses you can start:/);
  });
});
