import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { type Coordinator, createConsoleAuth, createHttpApp, type StatusSection } from '../../coordinator/index.ts';
import { createAiLayer, type AiLayer } from '../../agents/index.ts';
import { createTestEnv, type TestEnv } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;
let ai: AiLayer;
let app: Hono;
let token: string;

// The clock stands at 15 March 2026, 13:00 in Berlin (12:00 UTC).
const NOW = '2026-03-15T12:00:00Z';

beforeAll(async () => {
  env = await createTestEnv();
  ai = createAiLayer({ env: {}, vectorStore: null });
  c = await env.coordinator({ ...ai.coordinatorOptions(), config: { COO_CLOCK_START: NOW, COO_TIMEZONE: 'Europe/Berlin' } });
  await ai.attach(c);
  const auth = createConsoleAuth(c.db);
  app = createHttpApp({ coordinator: c, auth });
  token = await auth.token();
});
afterAll(async () => env.cleanup());

const call = (id: string, at: string, agent: string, process: string, usd: number) =>
  env.tdb.sql(
    `INSERT INTO model_call (id, agent, process, tier, provider, model, request, tokens_in, tokens_out, cost_usd, latency_ms, outcome, attempt, created_at)
     VALUES ($1, $2, $3, 'fast', 'primary', 'fast-1', '{}', 10, 10, $4, 5, 'ok', 1, $5)`,
    [id, agent, process, usd, at],
  );

async function spendSection(): Promise<StatusSection> {
  const r = await app.request('/api/status', { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { sections: StatusSection[]; concurrency: Record<string, number> };
  expect(body.concurrency['reply-drafter']).toBe(4);
  const s = body.sections.find((x) => x.id === 'model-spend');
  expect(s).toBeDefined();
  return s!;
}
const table = (s: StatusSection, caption: string) => s.tables.find((t) => t.caption?.startsWith(caption))!;

describe('spend on the console status page', () => {
  it('says so when nothing was spent this month', async () => {
    const s = await spendSection();
    expect(s.lines).toEqual(['No model calls this month.']);
    expect(table(s, 'Today and this month').rows).toEqual([
      ['today (2026-03-15)', '$0.00', 0, 'no cap', '—'],
      ['this month (2026-03)', '$0.00', 0, 'no cap', '—'],
    ]);
  });

  it('shows today and this month against the caps, by agent type and by process, in the operator’s time zone', async () => {
    await call('c1', '2026-03-15T08:00:00Z', 'reply-drafter', 'reply-drafting', 0.25);
    await call('c2', '2026-03-14T23:30:00Z', 'reply-drafter', 'reply-drafting', 0.125); // 00:30 on the 15th in Berlin
    await call('c3', '2026-03-15T09:00:00Z', 'invoice-reconciler', 'invoice-reconciliation', 1.5);
    await call('c4', '2026-03-03T10:00:00Z', 'reply-drafter', 'reply-drafting', 2);
    await call('c5', '2026-03-14T22:30:00Z', 'summarizer', 'memory-retention', 0.5); // 23:30 on the 14th in Berlin
    await call('c6', '2026-02-28T22:59:00Z', 'summarizer', 'memory-retention', 9); // still February in Berlin
    await ai.budget.setCap('global', 'day', 5);
    await ai.budget.setCap('global', 'month', 40);
    await ai.budget.setCap('process:reply-drafting', 'day', 1);
    // Caps set now count what the call log already has for this day and month (Berlin's), spent
    // before they existed; calls in flight are added here.
    await env.tdb.sql(`UPDATE budget_usage u SET reserved_usd = v.r FROM (VALUES ('global', 'day', '2026-03-15', 0.125), ('global', 'month', '2026-03', 0.125), ('process:reply-drafting', 'day', '2026-03-15', 0.0625)) AS v(s, p, k, r)
      WHERE u.scope = v.s AND u.period = v.p AND u.period_key = v.k`);

    const s = await spendSection();
    expect(s.title).toBe('Model spend');
    expect(s.lines).toEqual([]);
    expect(table(s, 'Today and this month').rows).toEqual([
      ['today (2026-03-15)', '$1.88', 3, '$5.00', '$3.00'],
      ['this month (2026-03)', '$4.38', 5, '$40.00', '$35.50'],
    ]);
    expect(table(s, 'Caps per process').rows).toEqual([['reply-drafting', 'day (2026-03-15)', '$0.3750', '$0.0625', '$1.00']]);
    // The chat's one-line summary counts the same day, the operator's, against the same cap.
    expect((await c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/status' })).reply!.body.text).toContain("Model spend today — $1.88 of today's $5.00 cap over 3 calls");
    expect(table(s, 'By agent type')).toEqual({
      caption: 'By agent type',
      columns: ['agent', 'today', 'this month', 'calls this month'],
      rows: [
        ['reply-drafter', '$0.3750', '$2.38', 3],
        ['invoice-reconciler', '$1.50', '$1.50', 1],
        ['summarizer', '$0.00', '$0.5000', 1],
      ],
    });
    expect(table(s, 'By process').rows).toEqual([
      ['reply-drafting', '$0.3750', '$2.38', 3],
      ['invoice-reconciliation', '$1.50', '$1.50', 1],
      ['memory-retention', '$0.00', '$0.5000', 1],
    ]);
  });

  it('renders the sections and each queue’s workers on the page', async () => {
    const html = await (await app.request('/status', { headers: { authorization: `Bearer ${token}` } })).text();
    expect(html).toContain('<th>workers</th>');
    expect(html).toContain("document.getElementById('sections')");
  });
});
