import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { showCommand } from '../../scripts/commands/runs.commands.ts';
import { z } from 'zod';
import { type BranchOutcome, type Coordinator, defineProcess } from '../../coordinator/index.ts';
import { joinBranches } from '../../coordinator/systems/branches.system.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { consistentLog } from '../support/run-log.ts';

/**
 * ctx.parallel: a step starts branches as child runs in its own transition and the run waits for all
 * of them; the join puts each branch's outcome under its name and runs `then`. Real Postgres and Redis.
 */
let env: TestEnv;
beforeEach(async () => {
  env = await createTestEnv();
});
afterEach(async () => env.cleanup());

const Input = z.object({ base: z.number(), failB: z.boolean().default(false), waitB: z.boolean().default(false) });

const compareQuotes = defineProcess({
  name: 'compare-quotes',
  version: 1,
  description: 'asks two suppliers and a checker in parallel, then picks the best quote',
  input: Input,
  start: 'ask',
  steps: {
    ask: {
      next: ['supplierA', 'supplierB', 'pick'],
      run: (ctx) => ctx.parallel([{ step: 'supplierA' }, { step: 'supplierB' }, { name: 'check', process: 'three-steps', input: { n: ctx.input.base } }], { then: 'pick', output: { askedAt: 'now' } }),
    },
    // Branches see the parent's input and its outputs so far.
    supplierA: { run: (ctx) => ctx.complete({ price: ctx.input.base + 5, saw: Object.keys(ctx.outputs).sort() }) },
    supplierB: {
      next: ['supplierBConfirm', 'supplierBDone'],
      onFinalFailure: 'fail',
      run: (ctx) => {
        if (ctx.input.failB) throw new Error('supplier B is unreachable');
        if (ctx.input.waitB) return ctx.waitForApproval({ question: 'Ask supplier B again?', options: [{ id: 'yes', label: 'Yes' }] }, { then: 'supplierBDone' });
        return ctx.goto('supplierBConfirm', { draft: ctx.input.base + 2 });
      },
    },
    supplierBConfirm: { run: (ctx) => ctx.complete({ price: (ctx.outputs.supplierB as { draft: number }).draft }) },
    supplierBDone: { run: (ctx) => ctx.complete({ price: 999 }) },
    pick: {
      run: (ctx) => {
        const a = ctx.outputs.supplierA as BranchOutcome;
        const b = ctx.outputs.supplierB as BranchOutcome;
        const check = ctx.outputs.check as BranchOutcome;
        const quotes = [a, b].filter((o) => o.status === 'completed').map((o) => (o.result as { price: number }).price);
        return ctx.complete({ best: Math.min(...quotes), statuses: [a.status, b.status, check.status], check: check.result, errorB: b.error });
      },
    },
  },
});

const badBranches = defineProcess({
  name: 'bad-branches',
  version: 1,
  description: 'branches into a step it did not declare',
  input: z.object({}),
  start: 'ask',
  steps: {
    ask: { next: ['done'], retry: { attempts: 1 }, run: (ctx) => ctx.parallel([{ step: 'elsewhere' }], { then: 'done' }) },
    elsewhere: { run: (ctx) => ctx.complete() },
    done: { run: (ctx) => ctx.complete() },
  },
});

const badInput = defineProcess({
  name: 'bad-branch-input',
  version: 1,
  description: 'branches into another process with input it does not accept',
  input: z.object({}),
  start: 'ask',
  steps: {
    ask: { next: ['done'], retry: { attempts: 1 }, run: (ctx) => ctx.parallel([{ name: 'check', process: 'three-steps', input: { n: 'many' } }], { then: 'done' }) },
    done: { run: (ctx) => ctx.complete() },
  },
});

const resultOf = async (c: Coordinator, runId: string) => ((await c.runs.get(runId))?.state as { result?: unknown } | undefined)?.result;
const statusOf = async (c: Coordinator, runId: string) => (await c.runs.get(runId))?.status;
const childrenOf = (runId: string) => env.tdb.sql<{ id: string; process: string; status: string }>('SELECT id, process, status FROM run WHERE parent_run_id = $1 ORDER BY process, id', [runId]);

describe('parallel branches', () => {
  it('runs branches as child runs started with the step, waits for all, and joins their outcomes by name', async () => {
    const c = await env.coordinator({ processes: [compareQuotes, threeSteps], roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'compare-quotes', input: { base: 10 } });
    await waitFor('the run to complete', async () => (await statusOf(c, runId)) === 'completed');
    expect(await resultOf(c, runId)).toEqual({ best: 12, statuses: ['completed', 'completed', 'completed'], check: { c: 12 }, errorB: null });

    const events = await consistentLog(c, runId);
    const types = events.map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`);
    expect(types.slice(types.indexOf('step.completed:ask'))).toEqual(['step.completed:ask', 'branches.started:ask', 'branches.joined:ask', 'step.scheduled:pick', 'step.started:pick', 'step.completed:pick', 'run.completed']);
    const startedBranches = events.find((e) => e.type === 'branches.started')!.data.branches as Array<{ name: string; runId: string }>;
    expect(startedBranches.map((b) => b.name)).toEqual(['supplierA', 'supplierB', 'check']);

    // The children name their parent, are ordinary runs with their own consistent logs, and ran from their branch step.
    const children = await childrenOf(runId);
    expect(children.map((ch) => [ch.process, ch.status])).toEqual([['compare-quotes', 'completed'], ['compare-quotes', 'completed'], ['three-steps', 'completed']]);
    const a = startedBranches.find((b) => b.name === 'supplierA')!.runId;
    const aEvents = await consistentLog(c, a);
    expect(aEvents.filter((e) => e.type === 'step.scheduled').map((e) => e.step)).toEqual(['supplierA']);
    expect(await resultOf(c, a)).toEqual({ price: 15, saw: ['ask'] });
    for (const ch of children) await consistentLog(c, ch.id);

    // `coo show` tells the operator where a run sits: its branches, and a branch's parent.
    const show = async (...args: string[]) => {
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
      const saved = { ...process.env };
      Object.assign(process.env, env.env);
      try {
        await showCommand().parseAsync(args, { from: 'user' });
      } finally {
        spy.mockRestore();
        process.env = saved;
      }
      return lines.join('\n');
    };
    const parentJson = JSON.parse(await show(runId, '--json')) as { branches: Array<{ id: string; status: string }> };
    expect(parentJson.branches.map((b) => b.id).sort()).toEqual(children.map((ch) => ch.id).sort());
    expect(await show(a)).toContain(`a parallel branch of ${runId}`);
  });

  it('hands a failed branch to the join as an outcome instead of failing the parent', async () => {
    const c = await env.coordinator({ processes: [compareQuotes, threeSteps], roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'compare-quotes', input: { base: 3, failB: true } });
    await waitFor('the run to complete', async () => (await statusOf(c, runId)) === 'completed');
    expect(await resultOf(c, runId)).toEqual({ best: 8, statuses: ['completed', 'failed', 'completed'], check: { c: 5 }, errorB: 'supplier B is unreachable' });
  });

  it('waits for a branch that waits on the operator, and cancels unfinished branches with their parent', async () => {
    const c = await env.coordinator({ processes: [compareQuotes, threeSteps], roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'compare-quotes', input: { base: 1, waitB: true } });
    const approval = await waitFor('supplier B to ask the operator', () => env.tdb.sql<{ id: string; run_id: string }>("SELECT id, run_id FROM approval WHERE status = 'pending'").then((r) => r[0]));
    await waitFor('the other branches to finish', async () => (await childrenOf(runId)).filter((ch) => ch.status === 'completed').length === 2);
    expect(await statusOf(c, runId)).toBe('waiting');
    await c.runs.cancel(runId, 'test');
    expect(await statusOf(c, runId)).toBe('cancelled');
    expect(await statusOf(c, approval.run_id)).toBe('cancelled');
    const [a] = await env.tdb.sql<{ status: string }>('SELECT status FROM approval WHERE id = $1', [approval.id]);
    expect(a.status).not.toBe('pending');
    await consistentLog(c, approval.run_id);
    // A late wake-up for a cancelled parent changes nothing: the join a notification runs, run here and
    // awaited (no sleep to guess when a notified one would be done).
    const before = (await c.runs.get(runId))!.seq;
    expect(await joinBranches(c.deps, runId)).toBe(false);
    expect((await c.runs.get(runId))!.seq).toBe(before);
  });

  it('joins on start-up when the branches finished while no coordinator was listening', async () => {
    // Workers only: the branches run and finish, but nobody is there to hear them (no background role).
    const workers = await env.coordinator({ processes: [compareQuotes, threeSteps], roles: { workers: true } });
    const { runId } = await workers.runs.start({ process: 'compare-quotes', input: { base: 4 } });
    await waitFor('all branches to finish', async () => {
      const ch = await childrenOf(runId);
      return ch.length === 3 && ch.every((x) => x.status === 'completed');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await statusOf(workers, runId)).toBe('waiting');
    await env.coordinator({ processes: [compareQuotes, threeSteps], roles: { background: true } });
    await waitFor('the run to complete', async () => (await statusOf(workers, runId)) === 'completed');
    expect(await resultOf(workers, runId)).toMatchObject({ best: 6 });
    const joined = (await consistentLog(workers, runId)).filter((e) => e.type === 'branches.joined');
    expect(joined).toHaveLength(1);
  });

  it('wakes the parent the moment its last branch finishes (notification), not at the next pass', async () => {
    // The join pass runs every 5 × COO_POLL_MS, so an hour apart here (its first run is at start-up,
    // before this run exists): if the run completes at all while the test waits, the trigger's NOTIFY joined it.
    const c = await env.coordinator({ processes: [compareQuotes, threeSteps], config: { COO_POLL_MS: 720_000 }, roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'compare-quotes', input: { base: 2 } });
    await waitFor('the run to complete, joined by the notification of its last branch', async () => (await statusOf(c, runId)) === 'completed');
    const joined = (await c.runs.events(runId)).filter((e) => e.type === 'branches.joined');
    expect(joined).toHaveLength(1);
  });

  it('refuses a branch into an undeclared step, or with input its process does not accept, with a clear failure, starting nothing', async () => {
    const c = await env.coordinator({ processes: [badBranches, badInput, threeSteps], roles: { workers: true, background: true } });
    const { runId } = await c.runs.start({ process: 'bad-branches', input: {} });
    await waitFor('the failure to be escalated', async () => (await statusOf(c, runId)) === 'waiting');
    const [incident] = await env.tdb.sql<{ code: string; message: string }>('SELECT code, message FROM incident WHERE run_id = $1', [runId]);
    expect(incident.code).toBe('undeclared_transition');
    expect(incident.message).toContain('"elsewhere"');
    expect(await childrenOf(runId)).toEqual([]);

    const { runId: r2 } = await c.runs.start({ process: 'bad-branch-input', input: {} });
    await waitFor('the bad input to be escalated', async () => (await statusOf(c, r2)) === 'waiting');
    const [i2] = await env.tdb.sql<{ code: string; message: string }>('SELECT code, message FROM incident WHERE run_id = $1', [r2]);
    expect(i2.code).toBe('invalid_branches');
    expect(i2.message).toMatch(/branch "check".*Input for three-steps is not valid: n:/);
    expect(await childrenOf(r2)).toEqual([]);
  });
});
