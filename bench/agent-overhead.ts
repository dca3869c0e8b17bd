/**
 * Agent-call overhead, excluding the model's own time: what the model port (retries bookkeeping, call
 * record, price lookup, budget reserve/settle) and an agent (memory retrieval, context window, zod
 * validation) add around the provider call. The provider is the real openai SDK against the local fake
 * server, which runs in a child process as a model server would (in this process its own parsing and
 * writing landed on our event loop and counted as our overhead); the time around the provider call
 * is measured and subtracted. Also: tokens per routine item
 * for the reply drafter (prompt estimated at 4 characters per token, plus the output cap).
 * Budgets run as in production: with leases (agents/budget/budget.lease.ts), a call's estimate is
 * drawn from headroom the process reserved beforehand and settled in the call record's statement;
 * the lease's top-ups run in the background and are part of what is timed. Line 2b is the same call
 * with a database reservation per call (leases off), for comparison in the same run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import pg from 'pg';
import globalSetup from '../test/support/global-setup.ts';
import { createTestDatabase } from '../test/support/db.ts';
import { startChroma } from '../test/support/chroma.ts';
import { createBudgetLedger, createCallRecorder, createCircuitBreaker, createModelService, createOpenAiProvider, createPriceTable, replyDrafter, type ChatProvider } from '../agents/index.ts';
import { createChromaVectorStore, createMemory, createOfflineEmbedder } from '../memory/index.ts';

const nFlag = process.argv.indexOf('--n');
const N = nFlag >= 0 ? Number(process.argv[nFlag + 1]) || 300 : 300;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]): string => `p50 ${pct(xs, 50).toFixed(2)} ms  p95 ${pct(xs, 95).toFixed(2)} ms`;

/** The fake model server in a child process (fake-openai.child.ts): its own CPU is not ours to count. */
async function startModelServer(answer: unknown) {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fake-openai.child.ts', import.meta.url).pathname, JSON.stringify(answer)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  const { baseURL } = (await next()) as { baseURL: string };
  return {
    baseURL,
    /** The body of the last request it received. */
    async lastRequest(): Promise<Record<string, unknown>> {
      child.stdin!.write('last\n');
      return next();
    },
    close: () => new Promise<void>((r) => (child.once('exit', () => r()), child.stdin!.end())),
  };
}

await globalSetup();
const answer = { content: JSON.stringify({ subject: 'Re: Delivery', body: 'Hi, it ships Thursday. Best, Sam', confidence: 0.9, checks: [] }), usage: { in: 900, out: 60 } };
const [t, srv, chroma] = await Promise.all([createTestDatabase(), startModelServer(answer), startChroma()]);
// The AI layer's own pg pool, sized as in production (COO_AI_DB_POOL's default).
const pool = new pg.Pool({ connectionString: t.url, max: 8 });
try {
  let providerMs = 0;
  const inner = createOpenAiProvider({ name: 'primary', baseURL: srv.baseURL, apiKey: 'bench' });
  const timed: ChatProvider = {
    name: inner.name,
    async chat(model, params, opts) {
      const s = performance.now();
      try {
        return await inner.chat(model, params, opts);
      } finally {
        providerMs += performance.now() - s;
      }
    },
    embed: inner.embed,
  };
  const prices = createPriceTable(t.db, { defaultPrice: { inputPerM: 0.15, outputPerM: 0.6 } });
  const mk = (budget: ReturnType<typeof createBudgetLedger> | null) =>
    createModelService({ providers: [timed], tiers: { fast: ['fast-1'], deep: ['deep-1'] }, recorder: createCallRecorder(t.db, { pool }), prices, budget, breaker: createCircuitBreaker({ failures: 5, cooldownMs: 30_000 }), timeoutMs: 10_000, attempts: 2, backoffMs: 10, maxBackoffMs: 100, defaultMaxTokens: 400 });
  const budget = createBudgetLedger(t.db, { pool });
  await budget.setCap('global', 'day', 1_000);
  await budget.setCap('process:reply-drafting', 'day', 1_000);

  const run = async (label: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await fn(); // warm-up
    const overhead: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < N; i++) {
      providerMs = 0;
      const s = performance.now();
      await fn();
      const all = performance.now() - s;
      total.push(all);
      overhead.push(all - providerMs);
    }
    console.log(`  ${label.padEnd(46)} overhead ${fmt(overhead)}   (total incl. local HTTP+SDK ${fmt(total)})`);
    return { p50: pct(overhead, 50), p95: pct(overhead, 95), totalP95: pct(total, 95) };
  };

  const plain = mk(null);
  const withBudget = mk(budget);
  const msg = [{ role: 'user' as const, content: 'When will my delivery arrive?' }];
  // Attribution only: the same path with a recorder that writes nothing, to separate our in-process
  // work from the database's commit latency on this (shared) machine.
  const noRecord = createModelService({ providers: [timed], tiers: { fast: ['fast-1'], deep: ['deep-1'] }, recorder: { record: async () => {}, markOutcome: async () => {}, get: async () => null, findAnswered: async () => null, incident: async () => "" }, prices, budget: null, breaker: createCircuitBreaker({ failures: 5, cooldownMs: 30_000 }), timeoutMs: 10_000, attempts: 2, backoffMs: 10, maxBackoffMs: 100, defaultMaxTokens: 400 });
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Agent-call overhead, excluding the model's own time (n=${N} each; goal ≤ 5 ms p95 with budgets on); load average ${load()}`);
  const a = await run('1. model-port call (call record + price)', () => plain.chat({ tier: 'fast', messages: msg, meta: { agent: 'bench' } }));
  const b = await run('2. model-port call with budget (lease draw+settle)', () => withBudget.chat({ tier: 'fast', messages: msg, meta: { agent: 'bench', process: 'reply-drafting' } }));
  const perCall = mk(createBudgetLedger(t.db, { pool, leases: false }));
  const b2 = await run('2b. same, a reservation per call (leases off)', () => perCall.chat({ tier: 'fast', messages: msg, meta: { agent: 'bench', process: 'reply-drafting' } }));

  // A realistic customer for the reply drafter: summary, facts, history, past approved replies.
  const embedder = createOfflineEmbedder({ dims: 384 }); // the production default
  const memory = createMemory({ db: t.db, pool, embedder, vectorStore: createChromaVectorStore({ url: chroma.url, collection: `ov${randomBytes(3).toString('hex')}`, embedderId: embedder.id }) });
  const c = await memory.upsertEntity({ kind: 'customer', name: 'Lena Fischer' });
  for (const [k, v] of [['plan', 'yearly, 5% discount'], ['email', 'lena@example.com'], ['payment_terms', '14 days'], ['language', 'German']]) await memory.addFact({ entityId: c.id, key: k, value: v, source: 'email:earlier' });
  for (let i = 0; i < 30; i++) await memory.addEpisode({ entityId: c.id, kind: 'message', content: `Message ${i}: Lena asked about order ${100 + i}, the delivery date and whether the mugs come gift-wrapped. We confirmed shipping within 3 days.`, source: `email:${i}` });
  await memory.summaries.update(c.id, async ({ episodes }) => `Long-time customer since 2024, yearly plan with 5% discount, orders mugs every month (${episodes.length} messages). Prefers short answers in German; pays within 14 days.`);
  for (let i = 0; i < 15; i++) await memory.addEpisode({ kind: 'reply_approved', content: `Hi ${['Tom', 'Ana', 'Raj'][i % 3]}, thanks for your order ${i}. It ships within 3 days and you will get the tracking link by email. Best, Sam`, source: `run:old${i}` });
  const input = { customer: { name: 'Lena Fischer', email: 'lena@example.com' }, message: { from: 'lena@example.com', subject: 'Delivery', body: 'Hello Sam,\nI ordered 40 mugs last week (order 131) for our shop opening on Saturday. Could you tell me when they will arrive, and whether they can be gift-wrapped? If it is too late for Saturday, please let me know so I can plan.\nThanks, Lena' }, operatorName: 'Sam' };
  const deps = { model: withBudget, memory, meta: { process: 'reply-drafting' } };
  const d = await run('3. whole agent call (reply drafter, budget on)', () => replyDrafter.run(input, deps));
  const z = await run('(attribution) model port, no DB write at all', () => noRecord.chat({ tier: 'fast', messages: msg, meta: { agent: 'bench' } }));
  await memory.flushLogs();

  const r = await replyDrafter.run(input, deps);
  const body = (await srv.lastRequest()) as { messages: unknown; response_format: unknown; max_tokens: unknown };
  const promptChars = JSON.stringify(body.messages).length + JSON.stringify(body.response_format).length;
  const promptTokens = Math.ceil(promptChars / 4);
  const maxOut = Number(body.max_tokens);
  console.log(`load average at the end ${load()}`);
  console.log(`reply drafter tokens per routine item: prompt ≈ ${promptTokens} (${promptChars} chars / 4) + output cap ${maxOut} = ≤ ${promptTokens + maxOut}; context ${r.context.tokens} tokens, dropped: ${r.context.dropped.join(', ') || 'none'}`);
  console.log(`\nJSON ${JSON.stringify({ n: N, inProcessOnly: z, modelPort: a, modelPortBudget: b, modelPortReservationPerCall: b2, replyDrafter: d, replyDrafterTokens: { prompt: promptTokens, outputCap: maxOut, total: promptTokens + maxOut } })}`);
} finally {
  await srv.close();
  await pool.end();
  await chroma.stop();
  await t.drop();
}
process.exit(0);
