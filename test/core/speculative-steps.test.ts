import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CachedRun, type Coordinator, defineProcess, RunCache, type RunEventRecord } from '../../coordinator/index.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';
import { executeStep } from '../../coordinator/systems/step.system.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { consistentLog } from '../support/run-log.ts';

/**
 * A step of a run this process just moved starts at once on the view the last transition left
 * (speculative), without a claim round trip. These pin down that a step without ledger writes commits
 * that way, that a write waits for a claim (and a cancelled run gets none), and that a wrong
 * remembered view never commits: the handler runs again on the claimed one.
 */
// One database and queue prefix per test: another test's workers must not take these jobs.
let env: TestEnv;
beforeEach(async () => {
  env = await createTestEnv();
});
afterEach(async () => env.cleanup());

const started = (events: RunEventRecord[], step: string) => events.filter((e) => e.type === 'step.started' && e.step === step);
const speculative = (events: RunEventRecord[], step: string) => started(events, step).map((e) => (e.data as { speculative?: boolean }).speculative === true);

const resultOf = async (c: Coordinator, runId: string) => ((await c.runs.get(runId))?.state as { result?: unknown } | undefined)?.result;

async function runToEnd(c: Coordinator, process: string, input: unknown): Promise<string> {
  const { runId } = await c.runs.start({ process, input });
  await waitFor(`${process} to finish`, async () => ['completed', 'failed'].includes((await c.runs.get(runId))?.status ?? ''));
  return runId;
}

let serviceCalls = 0;
const reachesOut = defineProcess({
  name: 'reaches-out',
  version: 1,
  description: 'a pure step, one that calls a service and makes a write, one that only calls a service',
  input: z.object({ key: z.string() }),
  start: 'pure',
  steps: {
    pure: { next: ['service'], run: (ctx) => ctx.goto('service', { n: 1 }) },
    service: {
      next: ['reads'],
      run: async (ctx) => {
        const tick = (ctx.services as { tick: () => number }).tick;
        const n = tick();
        const written = await ctx.effect({ key: 'write', connector: 'test', intent: 'record a tick', request: { n } }, { perform: async () => ({ externalId: `ext-${ctx.input.key}`, result: n }) });
        return ctx.goto('reads', { n, written });
      },
    },
    reads: { run: (ctx) => ctx.complete({ via: (ctx.services as { tick: () => number }).tick() }) },
  },
});

let writes = 0;
const writesFirst = defineProcess({
  name: 'writes-first',
  version: 1,
  description: 'one step that calls a service and makes a write',
  input: z.object({}),
  start: 'write',
  steps: {
    write: {
      run: async (ctx) => {
        const n = (ctx.services as { tick: () => number }).tick();
        await ctx.effect({ key: 'w', connector: 'test', intent: 'write once', request: { n } }, { perform: async () => ({ result: ++writes }) });
        return ctx.complete({ n });
      },
    },
  },
});

/** Runs the first job of a fresh run of writes-first directly, as a worker of this process would with a cache hit. */
async function runFirstJobWithCacheHit(c: Coordinator, before?: (runId: string) => Promise<void>): Promise<{ runId: string; result: 'done' | 'stale' }> {
  const { runId } = await c.runs.start({ process: 'writes-first', input: {} });
  const row = (await c.runs.get(runId))!;
  const view = { status: row.status, currentStep: row.currentStep, stepSeq: row.stepSeq, attempt: row.attempt, seq: row.seq, error: row.error, state: row.state } as unknown as CachedRun['view'];
  const cache = new RunCache();
  cache.set({ run: { id: runId, process: row.process, version: row.version, input: row.input, createdAt: row.createdAt }, view, committed: Promise.resolve(true) });
  await before?.(runId);
  const job = { runId, seq: row.stepSeq!, step: 'write', attempt: row.attempt };
  const result = await executeStep({ ...c.deps, services: { tick: () => ++serviceCalls }, workerId: 'test-worker', runCache: cache }, job);
  return { runId, result };
}

describe('speculative steps', () => {
  it('starts the pure successors of a step this process committed without a claim, with the same event log', async () => {
    const c = await env.coordinator({ processes: [threeSteps], roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'three-steps', { n: 5 });
    const events = await consistentLog(c, runId);
    expect(events.map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`)).toEqual([
      'run.started', 'step.scheduled:a', 'step.started:a', 'step.completed:a', 'step.scheduled:b', 'step.started:b',
      'step.completed:b', 'step.scheduled:c', 'step.started:c', 'step.completed:c', 'run.completed',
    ]);
    // The first step has nothing remembered; b and c (b on another agent's queue) start from a's and b's commits.
    expect([...speculative(events, 'a'), ...speculative(events, 'b'), ...speculative(events, 'c')]).toEqual([false, true, true]);
    expect(await resultOf(c, runId)).toEqual({ c: 7 });
  });

  it('claims a step at its first write and makes the write once; a step that only calls services commits without a claim', async () => {
    serviceCalls = 0;
    const c = await env.coordinator({ processes: [reachesOut], services: { tick: () => ++serviceCalls }, roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'reaches-out', { key: 'k1' });
    const events = await consistentLog(c, runId);
    expect([...speculative(events, 'pure'), ...speculative(events, 'service'), ...speculative(events, 'reads')]).toEqual([false, false, true]);
    expect(serviceCalls).toBe(2); // once in `service`, once in `reads`: neither ran twice
    expect(await resultOf(c, runId)).toEqual({ via: 2 });
    const ledger = await env.tdb.sql<{ n: number }>('SELECT count(*)::int AS n FROM write_ledger WHERE run_id = $1', [runId]);
    expect(ledger[0].n).toBe(1);
  });

  it('never commits a step computed on a remembered view that differs from the run row', async () => {
    // A cache that remembers a's output wrong, as a view from a lost or foreign transition would be.
    class ForgingCache extends RunCache {
      forged = 0;
      override set(entry: CachedRun): void {
        const outputs = entry.view.state.outputs as Record<string, unknown> | undefined;
        if (outputs?.a && entry.view.currentStep === 'b') {
          this.forged++;
          entry = { ...entry, view: { ...entry.view, state: { ...entry.view.state, outputs: { ...outputs, a: { a: 1000 } } } } };
        }
        super.set(entry);
      }
    }
    const cache = new ForgingCache();
    const c = await env.coordinator({ processes: [threeSteps], runCache: cache, roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'three-steps', { n: 5 });
    expect(cache.forged).toBe(1);
    const events = await consistentLog(c, runId);
    // b was computed speculatively on the forged view, rejected by the commit's guard, and run again claimed.
    expect(speculative(events, 'b')).toEqual([false]);
    expect(JSON.stringify(events)).not.toContain('1000');
    expect(await resultOf(c, runId)).toEqual({ c: 7 });
  });

  it('makes a write only once the claim has found the run expecting the step: a run cancelled meanwhile gets none', async () => {
    // No workers: the test runs the job itself.
    const c = await env.coordinator({ processes: [writesFirst], roles: { background: false } });
    writes = 0;
    serviceCalls = 0;
    const ok = await runFirstJobWithCacheHit(c);
    expect(ok.result).toBe('done');
    expect(await resultOf(c, ok.runId)).toEqual({ n: 1 });
    expect(writes).toBe(1);
    const okEvents = await consistentLog(c, ok.runId);
    expect(started(okEvents, 'write').map((e) => e.data.worker)).toEqual(['test-worker']);

    const cancelled = await runFirstJobWithCacheHit(c, (runId) => c.runs.cancel(runId, 'test'));
    expect(cancelled.result).toBe('stale');
    expect(writes).toBe(1); // the cancelled run's write was never made
    const events = await consistentLog(c, cancelled.runId);
    expect(events.filter((e) => e.type === 'step.completed')).toEqual([]);
    const ledger = await env.tdb.sql<{ n: number }>('SELECT count(*)::int AS n FROM write_ledger WHERE run_id = $1', [cancelled.runId]);
    expect(ledger[0].n).toBe(0);
  });

  it('runs a step that calls a service again on the claimed view when the remembered one was wrong', async () => {
    const addsFromService = defineProcess({
      name: 'adds-from-service',
      version: 1,
      description: 'a pure step, then one that calls a service on its output',
      input: z.object({ v: z.number() }),
      start: 'a',
      steps: {
        a: { next: ['b'], run: (ctx) => ctx.goto('b', { v: ctx.input.v }) },
        b: { run: (ctx) => ctx.complete({ v: (ctx.outputs.a as { v: number }).v + (ctx.services as { tick: () => number }).tick() * 0 + 1 }) },
      },
    });
    class ForgingCache extends RunCache {
      override set(entry: CachedRun): void {
        const outputs = entry.view.state.outputs as Record<string, unknown> | undefined;
        if (outputs?.a && entry.view.currentStep === 'b') entry = { ...entry, view: { ...entry.view, state: { ...entry.view.state, outputs: { ...outputs, a: { v: 1000 } } } } };
        super.set(entry);
      }
    }
    serviceCalls = 0;
    const c = await env.coordinator({ processes: [addsFromService], services: { tick: () => ++serviceCalls }, runCache: new ForgingCache(), roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'adds-from-service', { v: 4 });
    expect(await resultOf(c, runId)).toEqual({ v: 5 });
    expect(serviceCalls).toBe(2); // once on the forged view (discarded), once on the claimed one
    expect(JSON.stringify(await consistentLog(c, runId))).not.toContain('1000');
  });

  it('claims every step when the cache is off', async () => {
    const c = await env.coordinator({ processes: [threeSteps], runCache: false, roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'three-steps', { n: 2 });
    const events = await consistentLog(c, runId);
    expect(events.filter((e) => e.type === 'step.started').map((e) => (e.data as { speculative?: boolean }).speculative ?? false)).toEqual([false, false, false]);
  });
});
