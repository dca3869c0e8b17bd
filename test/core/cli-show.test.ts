import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Coordinator } from '../../coordinator/index.ts';
import { showCommand } from '../../scripts/commands/runs.commands.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;
beforeAll(async () => {
  env = await createTestEnv();
  Object.assign(process.env, env.env, { COO_CHROMA_URL: '' });
  c = await env.coordinator({ roles: { workers: true, background: true } });
});
afterAll(async () => env.cleanup());

const say = async (text: string) => (await c.operator.handleMessage({ surface: 'test', actor: 'op', text })).reply!.body;

async function show(args: string[]): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await showCommand().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('coo show <run>', () => {
  it('opens with a summary (process, outcome, who decided what and when, durations, final output), then the event log', async () => {
    const r = await say('/run approval-roundtrip {"question":"Hire a freelancer?"}');
    const runId = /run (run_\w+)/.exec(r.text)![1];
    const approval = await waitFor('the approval to be asked', async () => env.tdb.db.approval.findFirst({ where: { runId, status: 'pending' } }));
    await say(`/approve ${approval.id} looks good`);
    await waitFor('the run to complete', async () => (await c.runs.get(runId))?.status === 'completed');

    const out = await show([runId]);
    const [head, log] = out.split('\nevents\n');
    expect(log).toMatch(/#1 .* run\.started/);
    expect(head).toMatch(/process {3}approval-roundtrip v1 — completed/);
    expect(head).toMatch(/started {3}\d{4}-\d\d-\d\dT.* by op/);
    expect(head).toMatch(/finished {2}\d{4}-\d\d-\d\dT.* \(took [\d.]+ (ms|s)\)/);
    expect(head).toMatch(/steps {5}ask [\d.]+ (ms|s), confirm [\d.]+ (ms|s)/);
    expect(head).toMatch(/decisions\n {4}\d{4}-\d\d-\d\dT\S+ op chose "approve" on "Hire a freelancer\?" at ask via test — "looks good"/);
    expect(head).toMatch(/output {4}\{.*approve/);

    const json = JSON.parse(await show([runId, '--json']));
    expect(json.summary).toMatchObject({ process: 'approval-roundtrip', status: 'completed', startedBy: 'op', decisions: [{ who: 'op', via: 'test', reason: 'looks good' }] });
    expect(json.summary.steps.map((s: { step: string }) => s.step)).toEqual(['ask', 'confirm']);
  });

  it('names who cancelled a run and when, and says it has not finished while it waits', async () => {
    const r = await say('/run approval-roundtrip {"question":"Order stock?"}');
    const runId = /run (run_\w+)/.exec(r.text)![1];
    await waitFor('the run to wait for its approval', async () => (await c.runs.get(runId))?.status === 'waiting');
    expect(await show([runId])).toMatch(/finished {2}not yet\n {2}steps {5}ask [\d.]+ (ms|s)\n {2}decisions none/);
    await c.runs.cancel(runId, 'kim', 'not needed');
    const out = await show([runId]);
    expect(out).toMatch(/process {3}approval-roundtrip v1 — cancelled/);
    expect(out).toMatch(/ kim cancelled the run — "not needed"/);
  });
});
