/**
 * Durable core benchmark: coordinator overhead per durable step vs a raw BullMQ job round-trip measured
 * in the same run, steps per second, and the p95 from an approval being requested to its message
 * reaching the web console over SSE. Run: npx tsx bench/core-bench.ts
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createLogger, defineProcess, type StepContext } from '../coordinator/index.ts';
import { buildApp } from '../scripts/app.ts';
import { fmt, percentile, scratch } from './support.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** n steps in a row; `work` is what each step does besides counting. */
function benchChain(name: string, description: string, work: (ctx: StepContext<{ steps: number }>, done: number) => unknown) {
  return defineProcess({
    name,
    version: 1,
    description,
    input: z.object({ steps: z.number().int().min(1) }),
    start: 'step',
    steps: {
      step: {
        next: ['step'],
        run: async (ctx) => {
          const done = ((ctx.outputs.step as { i?: number } | undefined)?.i ?? 0) + 1;
          await work(ctx, done);
          return done >= ctx.input.steps ? ctx.complete({ i: done }) : ctx.goto('step', { i: done });
        },
      },
    },
  });
}

const chain = benchChain('bench-chain', 'n no-op steps in a row', () => {});
// The same chain with a step that uses ctx.services (as an agent step does, without a ledger write).
const servicesChain = benchChain('bench-chain-services', 'n steps in a row, each touching a service', (ctx) => void ctx.services);
// And with a ledger write per step (ctx.effect): the write is claimed first and commits synchronously.
const writingChain = benchChain('bench-chain-writes', 'n steps in a row, each making an idempotent write', (ctx, done) =>
  ctx.effect({ key: `w${done}`, connector: 'bench', intent: 'a no-op write', request: { done } }, { perform: async () => ({ result: done }) }),
);

async function rawBullmq(redisUrl: string, prefix: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const q = new Queue('raw', { connection, prefix });
  const latencies: number[] = [];
  let resolveOne: (() => void) | null = null;
  let completed = 0;
  const w = new Worker('raw', async () => ({ ok: true }), { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: CONCURRENCY });
  w.on('completed', () => {
    completed++;
    resolveOne?.();
  });
  await w.waitUntilReady();
  // One at a time: add, wait for completion (what a step hop costs without the durable layer).
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    const p = new Promise<void>((r) => (resolveOne = r));
    await q.add('j', { i }, { removeOnComplete: { count: 1000 } });
    await p;
    latencies.push(performance.now() - t);
  }
  resolveOne = null;
  // Throughput: many jobs in flight.
  const n = 5000;
  completed = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 500) await q.addBulk(Array.from({ length: 500 }, (_, k) => ({ name: 'j', data: { i: i + k }, opts: { removeOnComplete: { count: 1000 } } })));
  while (completed < n) await new Promise((r) => setTimeout(r, 5));
  const perSec = n / ((performance.now() - t0) / 1000);
  await w.close();
  await q.close();
  connection.disconnect();
  return { p50: percentile(latencies.slice(20), 50), p95: percentile(latencies.slice(20), 95), perSec };
}

async function main() {
  const s = await scratch();
  try {
    console.log(`solo-coo core benchmark (worker concurrency ${CONCURRENCY}; PostgreSQL with synchronous_commit as configured)`);
    const raw = await rawBullmq(s.redisUrl, s.prefix);
    console.log(`raw BullMQ job round-trip: p50 ${fmt(raw.p50)}, p95 ${fmt(raw.p95)}; throughput ${raw.perSec.toFixed(0)} jobs/s`);

    const app = await buildApp({
      processes: [chain, servicesChain, writingChain],
      log: createLogger({ level: 'error' }),
      config: { DATABASE_URL: s.url, REDIS_URL: s.redisUrl, COO_QUEUE_PREFIX: s.prefix, COO_WORKER_CONCURRENCY: CONCURRENCY, COO_POLL_MS: 200, COO_HTTP_PORT: 0 },
    });
    const c = app.coordinator;
    await c.start({ workers: true, background: true });

    // Sequential: one run of many steps. Per-step latency is the gap between one step's successor
    // being handed to BullMQ and the next (enqueue → pickup → [claim →] handler → enqueue, the commit
    // overlapping), timed in-process at microsecond resolution; the raw figure above is add → pickup → completed.
    const steps = 300;
    const add = c.queues.add.bind(c.queues);
    const sequential = async (process: string) => {
      const dispatchedAt: number[] = [];
      c.queues.add = (jobs) => {
        if (jobs.some((j) => j.payload.step === 'step')) dispatchedAt.push(performance.now());
        return add(jobs);
      };
      const { runId } = await c.runs.start({ process, input: { steps } });
      for (;;) {
        const r = await c.runs.get(runId);
        if (r?.status === 'completed') break;
        await new Promise((res) => setTimeout(res, 50));
      }
      c.queues.add = add;
      const [{ n }] = await c.deps.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = $1 AND type = 'step.started' AND data->>'speculative' = 'true'", [runId]).then((r) => r.rows);
      const gaps = dispatchedAt.slice(1).map((t, i) => t - dispatchedAt[i]).slice(20);
      return { p50: percentile(gaps, 50), p95: percentile(gaps, 95), n: gaps.length, speculative: n };
    };
    const pure = await sequential('bench-chain');
    console.log(`durable step, one at a time (pure step, speculative: ${pure.speculative}/${steps} without a claim round trip): p50 ${fmt(pure.p50)}, p95 ${fmt(pure.p95)} per step (${pure.n} steps)`);
    console.log(`overhead ratio, durable step / raw BullMQ round-trip: p50 ${(pure.p50 / raw.p50).toFixed(2)}×, p95 ${(pure.p95 / raw.p95).toFixed(2)}× (goal ≤ 2×)`);
    const services = await sequential('bench-chain-services');
    console.log(`durable step using ctx.services (speculative: ${services.speculative}/${steps}): p50 ${fmt(services.p50)}, p95 ${fmt(services.p95)}; ratio p50 ${(services.p50 / raw.p50).toFixed(2)}×, p95 ${(services.p95 / raw.p95).toFixed(2)}×`);
    const writes = await sequential('bench-chain-writes');
    console.log(`durable step with a ledger write (claimed at the write, ${writes.speculative} speculative; the write's own synchronous commits included): p50 ${fmt(writes.p50)}, p95 ${fmt(writes.p95)}; ratio p50 ${(writes.p50 / raw.p50).toFixed(2)}×, p95 ${(writes.p95 / raw.p95).toFixed(2)}×`);

    // Throughput: many runs at once.
    const runs = 100;
    const perRun = 20;
    const t1 = performance.now();
    const ids = await Promise.all(Array.from({ length: runs }, () => c.runs.start({ process: 'bench-chain', input: { steps: perRun } }).then((r) => r.runId)));
    for (;;) {
      const n = await c.db.run.count({ where: { id: { in: ids }, status: 'completed' } });
      if (n === runs) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const stepsPerSec = (runs * perRun) / ((performance.now() - t1) / 1000);
    console.log(`throughput: ${stepsPerSec.toFixed(0)} durable steps/s (${runs} runs × ${perRun} steps, concurrency ${CONCURRENCY}; goal ≥ 300); raw BullMQ ${raw.perSec.toFixed(0)} jobs/s`);

    // Approval requested → message received by a console client over SSE.
    const http = await app.serveHttp();
    const token = new URL(http.loginUrl).searchParams.get('token')!;
    const res = await fetch(`${http.url}/api/stream`, { headers: { authorization: `Bearer ${token}` } });
    const reader = res.body!.getReader();
    const arrivals = new Map<string, number>();
    let buf = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!chunk.includes('event: created')) continue;
          const data = JSON.parse(chunk.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
          if (data.approvalId) arrivals.set(data.approvalId, Date.now());
        }
      }
    })();
    const latencies: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await c.runs.start({ process: 'approval-roundtrip', input: { question: `bench ${i}` } });
      let approval = null;
      while (!approval) {
        approval = await c.db.approval.findFirst({ where: { runId: r.runId } });
        if (!approval) await new Promise((res) => setTimeout(res, 2));
      }
      while (!arrivals.has(approval.id)) await new Promise((res) => setTimeout(res, 1));
      latencies.push(arrivals.get(approval.id)! - approval.createdAt.getTime());
    }
    console.log(`approval requested → on the console (SSE): p50 ${fmt(percentile(latencies, 50))}, p95 ${fmt(percentile(latencies, 95))} over ${latencies.length} approvals`);
    await reader.cancel();
    await http.close();
    await c.stop();
  } finally {
    await s.drop();
  }
  process.exit(0);
}

await main();
