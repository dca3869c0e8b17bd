import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, foldEvents, type RunEventRecord } from '../../coordinator/index.ts';
import { sleeper, threeSteps } from '../fixtures/processes/test-processes.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;
beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ processes: [threeSteps, sleeper], roles: { workers: true, background: true } });
});
afterAll(async () => env.cleanup());

const completed = (runId: string) => waitFor(`run ${runId} to complete`, async () => (await c.runs.get(runId))?.status === 'completed');
const liveCount = async (ids: string[]) => (await env.tdb.sql<{ n: number }>('SELECT count(*)::int AS n FROM run_event WHERE run_id = ANY($1)', [ids]))[0].n;

describe('archive policy for finished runs', () => {
  it('compacts finished runs older than the policy into one row each, and reads their events back unchanged', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) ids.push((await c.runs.start({ process: 'three-steps', input: { n } })).runId);
    for (const id of ids) await completed(id);
    const before = await Promise.all(ids.map((id) => c.runs.events(id)));
    const running = (await c.runs.start({ process: 'sleeper', input: { ms: 60_000 } })).runId;

    // Nothing is old enough under a 30-day policy.
    expect((await c.runs.archive(30)).runs).toBe(0);
    expect(await liveCount(ids)).toBe(before.flat().length);

    const r = await c.runs.archive(0);
    expect(r.runs).toBeGreaterThanOrEqual(4);
    expect(r.storedBytes).toBeLessThan(r.rawBytes);
    expect(await liveCount(ids)).toBe(0);
    expect(await liveCount([running])).toBeGreaterThan(0);
    const archived = await env.tdb.sql<{ run_id: string; event_count: number }>('SELECT run_id, event_count FROM run_archive WHERE run_id = ANY($1)', [ids]);
    expect(archived).toHaveLength(4);
    for (const [i, id] of ids.entries()) {
      const after = await c.runs.events(id);
      expect(after).toEqual(before[i]);
      expect(archived.find((a) => a.run_id === id)!.event_count).toBe(before[i].length);
      const run = (await c.runs.get(id))!;
      expect(run.status).toBe('completed');
      const folded = foldEvents(after.map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord));
      expect(folded).toEqual({ status: run.status, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq, error: run.error, state: run.state });
    }
    // A second pass finds nothing left to do.
    expect((await c.runs.archive(0)).runs).toBe(0);
    await c.runs.cancel(running, 'test');
  });

  it('keeps one gapless log for a run replayed after it was archived, and archives it again whole', async () => {
    const { runId } = await c.runs.start({ process: 'three-steps', input: { n: 7 } });
    await completed(runId);
    await c.runs.archive(0);
    const archivedCount = (await c.runs.events(runId)).length;
    await c.runs.replay(runId, 'test', 'b');
    await waitFor('the replay to finish', async () => {
      const r = await c.runs.get(runId);
      return r?.status === 'completed' && r.seq > archivedCount;
    });
    const merged = await c.runs.events(runId);
    expect(merged.map((e) => e.seq)).toEqual(merged.map((_, i) => i + 1));
    expect(merged.length).toBeGreaterThan(archivedCount);
    await c.runs.archive(0);
    expect(await liveCount([runId])).toBe(0);
    expect(await c.runs.events(runId)).toEqual(merged);
  });
});
