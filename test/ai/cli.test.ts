import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallRecorder } from '../../agents/index.ts';
import { costsCommand, forgetCommand, registerAiDoctorProbe, replayCallCommand } from '../../scripts/commands/ai.commands.ts';
import { runDoctor } from '../../scripts/commands/doctor.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testQueuePrefix } from '../support/redis.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';
import { captureConsole as capture } from '../support/console-capture.ts';

let t: TestDatabase;
let srv: FakeOpenAi;
const q = testQueuePrefix();
beforeAll(async () => {
  [t, srv] = await Promise.all([createTestDatabase(), startFakeOpenAi()]);
  Object.assign(process.env, { DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, COO_MODEL_BASE_URL: srv.baseURL, COO_MODEL_FAST: 'fast-1', COO_MODEL_DEEP: 'deep-1', COO_CHROMA_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await srv.close();
  await q.cleanup();
  await t.drop();
});


describe('coo CLI (AI layer)', () => {
  it('coo replay-call shows the recorded and the new output side by side', async () => {
    await createCallRecorder(t.db).record({ id: 'call-cli-1', agent: 'summarizer', tier: 'fast', provider: 'primary', model: 'fast-1', request: { tier: 'fast', messages: [{ role: 'user', content: 'Summarise Acme' }] }, output: 'old summary', tokensIn: 1, tokensOut: 1, costUsd: 0, latencyMs: 5, outcome: 'invalid_output', attempt: 1, entityIds: [] });
    srv.script('deep-1', { content: 'new summary from deep' });
    const out = await capture(() => replayCallCommand().parseAsync(['call-cli-1', '--model', 'deep-1', '--width', '40'], { from: 'user' }));
    const first = out.split('\n')[0];
    expect(first).toMatch(/^ORIGINAL call-cli-1\s+\| REPLAY /);
    expect(out).toContain('old summary');
    expect(out).toContain('new summary from deep');
    expect(srv.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'Summarise Acme' }]);
  });

  it('coo costs rolls up spend, and coo doctor says which model and memory mode is active', async () => {
    const out = await capture(() => costsCommand().parseAsync(['--json'], { from: 'user' }));
    expect(JSON.parse(out).calls).toBeGreaterThanOrEqual(2);
    registerAiDoctorProbe();
    const checks = await runDoctor();
    expect(checks.find((c) => c.name === 'model')!.detail).toBe('model mode — fast: primary:fast-1; deep: primary:deep-1');
    expect(checks.find((c) => c.name === 'memory')!.detail).toMatch(/^Postgres only — Chroma is not reachable/);
    expect(checks.find((c) => c.name === 'budgets')!.detail).toContain('no caps');
  });

  it('coo doctor creates the caps COO_BUDGET_DAY_USD / COO_BUDGET_MONTH_USD ask for, and shows them with what they have spent', async () => {
    Object.assign(process.env, { COO_BUDGET_DAY_USD: '0.01', COO_BUDGET_MONTH_USD: '0.02' });
    try {
      const checks = await runDoctor();
      const line = checks.find((c) => c.name === 'budgets')!;
      expect(line.ok).toBe(true);
      expect(line.detail).toMatch(/^global day cap \$0\.01 \(COO_BUDGET_DAY_USD\): \$0\.00 spent today \(\d{4}-\d{2}-\d{2}\); global month cap \$0\.02 \(COO_BUDGET_MONTH_USD\): \$0\.00 spent this month/);
      expect(await t.sql(`SELECT scope, period, cap_usd::float8 AS cap FROM budget_cap ORDER BY period`)).toEqual([{ scope: 'global', period: 'day', cap: 0.01 }, { scope: 'global', period: 'month', cap: 0.02 }]);
    } finally {
      delete process.env.COO_BUDGET_DAY_USD;
      delete process.env.COO_BUDGET_MONTH_USD;
    }
  });

  it('coo forget lists every place with counts without erasing, and with --yes erases and prints before → after', async () => {
    // The replay-call above sent "Summarise Acme" twice: the recorded call and its replay.
    const calls = (await t.sql(`SELECT 1 FROM model_call WHERE request::text LIKE '%Acme%'`)).length;
    expect(calls).toBe(2);
    const preview = JSON.parse(await capture(() => forgetCommand().parseAsync(['Acme', '--json'], { from: 'user' })));
    expect(preview.places).toMatchObject({ 'model calls': calls, 'run events': 0, 'archived run logs': 0, 'files in the data folder': 0 });
    expect(await t.sql(`SELECT 1 FROM model_call WHERE request::text LIKE '%Acme%'`)).toHaveLength(calls);
    const receipt = JSON.parse(await capture(() => forgetCommand().parseAsync(['Acme', '--yes', '--json'], { from: 'user' })));
    expect(receipt.places['model calls']).toEqual({ before: calls, after: 0 });
    expect(JSON.stringify(receipt)).not.toContain('Acme');
    expect(await t.sql(`SELECT 1 FROM model_call WHERE request::text LIKE '%Acme%'`)).toHaveLength(0);
    expect(await t.sql(`SELECT actor FROM erasure`)).toEqual([{ actor: 'cli' }]);
  });
});
