import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../scripts/app.ts';
import { createTestEnv, FAST, ROOT, type TestEnv, waitFor } from '../support/harness.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

let env: TestEnv;
let app: Awaited<ReturnType<typeof buildApp>>;
const dir = mkdtempSync(join(tmpdir(), 'coo-intake-'));

beforeAll(async () => {
  env = await createTestEnv();
  app = await buildApp({ config: { DATABASE_URL: env.tdb.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: env.prefix, ...FAST } });
  await app.coordinator.start({ workers: true, background: true });
});
afterAll(async () => {
  await app.coordinator.stop();
  await env.cleanup();
});

function fixture(name: string): { name: string; mimeType: string; size: number; path: string } {
  const path = join(dir, name);
  copyFileSync(join(ROOT, 'test/fixtures/perception', name), path);
  return { name, mimeType: name.endsWith('.pdf') ? 'application/pdf' : 'image/png', size: 1, path };
}

describe('documents sent in chat', () => {
  it('runs perception as a job on the perception queue and reports the invoice once', async () => {
    const file = fixture('03-invoice-en-pdf-digital.pdf');
    const r = await app.coordinator.operator.handleMessage({ surface: 'telegram', actor: 'op', text: '', files: [file], dedupeKey: 'upd-1' });
    expect(r.reply!.body.text).toMatch(/^Reading 03-invoice-en-pdf-digital\.pdf \(run run_\w+\)… I'll post what I find\.$/);
    const runId = /\(run (run_\w+)\)/.exec(r.reply!.body.text)![1];
    await waitFor('the intake to finish or ask', async () => ['completed', 'waiting'].includes((await app.coordinator.runs.get(runId))!.status), 120_000, 200);
    const report = await env.tdb.sql<{ text: string }>("SELECT body->>'text' AS text FROM operator_message WHERE body->>'ref' = $1", [`${runId}-report`]);
    expect(report).toHaveLength(1);
    expect(report[0].text).toMatch(/^Read 03-invoice-en-pdf-digital\.pdf:\ninvoice \(\d+% sure\)/);
    expect(report[0].text).toMatch(/Total: \d/);
    const queue = await env.tdb.sql<{ queue: string }>("SELECT queue FROM outbox WHERE run_id = $1 AND payload->>'step' = 'read'", [runId]);
    expect(queue[0].queue).toBe('perception');
    // A confirmed (or certain) invoice goes on to reconciliation, once.
    const run = (await app.coordinator.runs.get(runId))!;
    if (run.status === 'waiting') {
      const approval = await env.tdb.db.approval.findFirstOrThrow({ where: { runId, status: 'pending' } });
      await app.coordinator.approvals.decide({ approvalId: approval.id, option: 'confirm', actor: 'op', via: 'test' });
      await waitFor('the intake to complete', async () => (await app.coordinator.runs.get(runId))!.status === 'completed', 60_000, 200);
    }
    const recon = await env.tdb.sql<{ process: string; n: number }>('SELECT process, count(*)::int AS n FROM run WHERE parent_key = $1 GROUP BY process', [`${runId}-reconcile-reconcile`]);
    expect(recon).toEqual([{ process: 'invoice-reconciliation', n: 1 }]);
    const result = ((await app.coordinator.runs.get(runId))!.state as { result: { reconciliationRun: string } }).result;
    expect(result.reconciliationRun).toMatch(/^run_/);
  }, 180_000);

  it('answers a corrupt file with a clear message, not a retry loop or a stack trace', async () => {
    const path = join(dir, 'broken.pdf');
    (await import('node:fs')).writeFileSync(path, '%PDF-1.7\nthis is not really a pdf');
    const r = await app.coordinator.operator.handleMessage({ surface: 'console', actor: 'op', text: 'here', files: [{ name: 'broken.pdf', mimeType: 'application/pdf', size: 30, path }] });
    const runId = /\(run (run_\w+)\)/.exec(r.reply!.body.text)![1];
    await waitFor('the intake to fail', async () => (await app.coordinator.runs.get(runId))!.status === 'failed', 60_000, 200);
    const [report] = await env.tdb.sql<{ text: string }>("SELECT body->>'text' AS text FROM operator_message WHERE body->>'ref' = $1", [`${runId}-report`]);
    expect(report.text).toMatch(/^Could not read broken\.pdf: /);
    expect(report.text).not.toMatch(/at .*\.ts:\d+/);
    const failures = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE run_id = $1 AND type = 'step.failed'", [runId]);
    expect(failures[0].n).toBe(0);
  }, 120_000);
});
