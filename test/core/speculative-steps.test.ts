import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CachedRun, type Coordinator, defineProcess, foldEvents, RunCache, type RunEventRecord } from '../../coordinator/index.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

/**
 * A step of a run this process just moved starts without a claim round trip, on the view the last
 * transition left (speculative). These pin down that it is used for pure steps, that a handler which
 * reaches outside runs claimed (its service call and effect once), and that a wrong remembered view or
 * a swallowed speculation error can never commit.
 */
// One database and queue prefix per test: another test's workers must not take these jobs.
let env: TestEnv;
beforeEach(async () => {
  env = await createTestEnv();
});
afterEach(async () => env.cleanup());

async function consistentEvents(c: Coordinator, runId: string): Promise<RunEventRecord[]> {
  const events = (await c.runs.events(runId)).map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const run = (await c.runs.get(runId))!;
  expect(foldEvents(events)).toEqual({ status: run.status, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq, error: run.error, state: run.state });
  return events;
}

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
  description: 'a pure step, then one that calls a service and makes an effect, then one that swallows errors around a service',
  input: z.object({ key: z.string() }),
  start: 'pure',
  steps: {
    pure: { next: ['service'], run: (ctx) => ctx.goto('service', { n: 1 }) },
    service: {
      next: ['guarded'],
      run: async (ctx) => {
        const tick = (ctx.services as { tick: () => number }).tick;
        const n = tick();
        const written = await ctx.effect({ key: 'write', connector: 'test', intent: 'record a tick', request: { n } }, { perform: async () => ({ externalId: `ext-${ctx.input.key}`, result: n }) });
        return ctx.goto('guarded', { n, written });
      },
    },
    // A handler that catches everything around its service call: the speculation's error must not become its answer.
    guarded: {
      next: ['fallback'],
      run: (ctx) => {
        try {
          (ctx.services as { tick: () => number }).tick();
          return ctx.complete({ via: 'service' });
        } catch {
          return ctx.goto('fallback');
        }
      },
    },
    fallback: { run: (ctx) => ctx.complete({ via: 'fallback' }) },
  },
});

describe('speculative steps', () => {
  it('starts the pure successors of a step this process committed without a claim, with the same event log', async () => {
    const c = await env.coordinator({ processes: [threeSteps], roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'three-steps', { n: 5 });
    const events = await consistentEvents(c, runId);
    expect(events.map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`)).toEqual([
      'run.started', 'step.scheduled:a', 'step.started:a', 'step.completed:a', 'step.scheduled:b', 'step.started:b',
      'step.completed:b', 'step.scheduled:c', 'step.started:c', 'step.completed:c', 'run.completed',
    ]);
    // The first step has nothing remembered; b and c (b on another agent's queue) start from a's and b's commits.
    expect([...speculative(events, 'a'), ...speculative(events, 'b'), ...speculative(events, 'c')]).toEqual([false, true, true]);
    expect(await resultOf(c, runId)).toEqual({ c: 7 });
  });

  it('runs a step that reaches for a service or an effect claimed, calling each once; a swallowed speculation error is not committed', async () => {
    serviceCalls = 0;
    const c = await env.coordinator({ processes: [reachesOut], services: { tick: () => ++serviceCalls }, roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'reaches-out', { key: 'k1' });
    const events = await consistentEvents(c, runId);
    expect(speculative(events, 'service')).toEqual([false]);
    expect(speculative(events, 'guarded')).toEqual([false]);
    expect(serviceCalls).toBe(2); // once in `service`, once in `guarded`: neither ran it speculatively
    expect(started(events, 'fallback')).toEqual([]);
    expect(await resultOf(c, runId)).toEqual({ via: 'service' });
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
    const events = await consistentEvents(c, runId);
    // b was computed speculatively on the forged view, rejected by the commit's guard, and run again claimed.
    expect(speculative(events, 'b')).toEqual([false]);
    expect(JSON.stringify(events)).not.toContain('1000');
    expect(await resultOf(c, runId)).toEqual({ c: 7 });
  });

  it('claims every step when the cache is off', async () => {
    const c = await env.coordinator({ processes: [threeSteps], runCache: false, roles: { workers: true, background: true } });
    const runId = await runToEnd(c, 'three-steps', { n: 2 });
    const events = await consistentEvents(c, runId);
    expect(events.filter((e) => e.type === 'step.started').map((e) => (e.data as { speculative?: boolean }).speculative ?? false)).toEqual([false, false, false]);
  });
});
