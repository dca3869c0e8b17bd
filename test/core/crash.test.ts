import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, foldEvents, type RunEventRecord } from '../../coordinator/index.ts';
import { crashy } from '../fixtures/processes/crashy.process.ts';
import { type CooChild, createTestEnv, spawnCoo, type TestEnv, waitFor } from '../support/harness.ts';
import { type OutsideSystem, startOutsideSystem } from '../support/outside-system.ts';

const PROCESS_ARGS = ['--processes', 'test/fixtures/processes/crashy.process.ts'];
const WRITING_STEPS = ['one', 'two', 'three'];
const STEPS = ['one', 'two', 'tally', 'three'];

/** The invariants a skeptic checks after the dust settles, in SQL and at the outside system. */
async function assertRecovered(env: TestEnv, c: Coordinator, outside: OutsideSystem, runIds: string[]) {
  const statuses = await env.tdb.sql<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM run WHERE id = ANY($1) GROUP BY status', [runIds]);
  expect(statuses).toEqual([{ status: 'completed', n: runIds.length }]);
  // Gapless, duplicate-free logs (the primary key forbids duplicates; this checks for gaps).
  const gaps = await env.tdb.sql('SELECT run_id FROM run_event WHERE run_id = ANY($1) GROUP BY run_id HAVING max(seq) <> count(*) OR min(seq) <> 1', [runIds]);
  expect(gaps).toEqual([]);
  // Each step completed exactly once per run, and the run's successor was scheduled once.
  const completions = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = ANY($1) AND type = 'step.completed' GROUP BY run_id, step HAVING count(*) <> 1", [runIds]);
  expect(completions).toEqual([]);
  const completedCount = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = ANY($1) AND type = 'step.completed'", [runIds]);
  expect(completedCount[0].n).toBe(runIds.length * STEPS.length);
  // No side effect twice: the outside system received each key exactly once, and the ledger agrees.
  const keys = runIds.flatMap((r) => WRITING_STEPS.map((s) => `${r}-${s}-write`));
  expect(keys.filter((k) => outside.received.get(k) !== 1)).toEqual([]);
  const ledger = await env.tdb.sql<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM write_ledger WHERE run_id = ANY($1) GROUP BY status', [runIds]);
  expect(ledger).toEqual([{ status: 'succeeded', n: keys.length }]);
  // Snapshots equal the fold of their events.
  for (const id of runIds) {
    const run = (await c.runs.get(id))!;
    const events = (await c.runs.events(id)).map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord);
    expect(foldEvents(events)).toEqual({ status: run.status, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq, error: run.error, state: run.state });
  }
  const started = await env.tdb.sql<{ n: number; speculative: number }>("SELECT count(*)::int AS n, count(*) FILTER (WHERE data->>'speculative' = 'true')::int AS speculative FROM run_event WHERE run_id = ANY($1) AND type = 'step.started'", [runIds]);
  return { stepStarts: started[0].n, speculativeStarts: started[0].speculative, writes: keys.length, received: [...outside.received.values()].reduce((a, b) => a + b, 0) };
}

describe('crash recovery', () => {
  let env: TestEnv;
  let outside: OutsideSystem;
  const children: CooChild[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    outside = await startOutsideSystem();
  });
  afterAll(async () => {
    await Promise.all(children.map((ch) => ch.kill()));
    await outside.close();
    await env.cleanup();
  });

  it('survives workers SIGKILLed at random points mid-step, at least 20 times: every run completes, no write twice, no event missing', async () => {
    // The coordinator's background duties (relay, timers, reconciliation) run here; workers run in child processes.
    const c = await env.coordinator({ processes: [crashy], roles: { background: true } });
    const runIds: string[] = [];
    const feed = async () => {
      // Keep work available until the kills are done, however slowly workers start on a loaded machine.
      const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run WHERE status <> 'completed'");
      for (let i = n; i < 12; i++) runIds.push((await c.runs.start({ process: 'crashy', input: { externalUrl: outside.url, workMs: 1000 } })).runId);
    };
    await feed();

    const spawnWorker = () => {
      const ch = spawnCoo({ ...env.env, COO_WORKER_CONCURRENCY: '3' }, ['--roles', 'workers', ...PROCESS_ARGS]);
      children.push(ch);
      return ch;
    };
    const workers = [spawnWorker(), spawnWorker(), spawnWorker()];
    let kills = 0;
    let stepsKilled = 0;
    const deadline = Date.now() + 300_000;
    // Kill only a worker that has a step in flight right now (its claim is the run's latest event).
    while (kills < 22) {
      if (Date.now() > deadline) throw new Error(`only ${kills} mid-step kills in 300 s`);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
      await feed();
      const busy = await env.tdb.sql<{ worker: string; n: number }>(
        "SELECT e.data->>'worker' AS worker, count(*)::int AS n FROM run r JOIN run_event e ON e.run_id = r.id AND e.seq = r.seq WHERE e.type = 'step.started' GROUP BY 1",
      );
      const candidates = workers
        .map((w, i) => ({ w, i, n: busy.find((b) => b.worker === `${hostname()}-${w.proc.pid}`)?.n ?? 0 }))
        .filter((x) => x.n > 0 && /started/.test(x.w.output()));
      if (candidates.length === 0) continue;
      const victim = candidates[Math.floor(Math.random() * candidates.length)];
      const { signal } = await victim.w.kill('SIGKILL');
      expect(signal).toBe('SIGKILL');
      kills++;
      stepsKilled += victim.n;
      workers[victim.i] = spawnWorker();
    }
    await waitFor('all runs to complete after the kills', async () => {
      const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run WHERE status = 'completed'");
      return n === runIds.length;
    }, 120_000, 200);
    const figures = await assertRecovered(env, c, outside, runIds);
    console.log(`crash test (workers): ${kills} SIGKILLs of workers with steps in flight (${stepsKilled} steps interrupted); ${figures.stepStarts} step starts (${figures.speculativeStarts} speculative) for ${runIds.length * STEPS.length} steps; ${figures.writes} writes, each received exactly once`);
    expect(kills).toBeGreaterThanOrEqual(20);
    await Promise.all(workers.map((w) => w.kill()));
    await c.stop();
  }, 420_000);

  it('survives the whole coordinator being killed between commit and enqueue, enqueue and commit, and enqueue and mark', async () => {
    await Promise.all(children.splice(0).map((ch) => ch.kill()));
    const c = await env.coordinator({ processes: [crashy] });
    const runIds: string[] = [];
    for (let i = 0; i < 12; i++) runIds.push((await c.runs.start({ process: 'crashy', input: { externalUrl: outside.url, workMs: 10 } })).runId);
    let crashes = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      // One process with every role, armed to kill itself at the dispatch crash points (the hot path
      // enqueues while it commits, so a job can be on BullMQ before its transition has committed).
      const ch = spawnCoo({ ...env.env, COO_CRASH_POINTS: 'after-commit-before-enqueue:0.15,after-enqueue-before-commit:0.15,after-enqueue-before-mark:0.15' }, ['--roles', 'workers,background', ...PROCESS_ARGS]);
      children.push(ch);
      const result = await Promise.race([
        ch.exited,
        waitFor('runs to complete', async () => {
          const [{ n }] = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run WHERE status = 'completed' AND id = ANY($1)", [runIds]);
          return n === runIds.length;
        }, 240_000, 200).then(() => null),
      ]);
      if (result === null) {
        await ch.kill();
        break;
      }
      expect(result.signal).toBe('SIGKILL');
      expect(ch.output()).toMatch(/crash point (after-commit-before-enqueue|after-enqueue-before-commit|after-enqueue-before-mark)/);
      crashes++;
      if (Date.now() > deadline) throw new Error('runs did not complete');
    }
    const figures = await assertRecovered(env, c, outside, runIds);
    console.log(`crash test (dispatch crash points): ${crashes} coordinator crashes; ${figures.stepStarts} step starts (${figures.speculativeStarts} speculative) for ${runIds.length * STEPS.length} steps; ${figures.writes} writes each received exactly once`);
    // How many steps ran speculatively depends on how often a process survives two steps in a row here
    // (the crash points fire on that path too); speculative-steps.test.ts pins the path down itself.
    expect(crashes).toBeGreaterThanOrEqual(3);
  }, 360_000);
});
