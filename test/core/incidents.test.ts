import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Coordinator, defineProcess } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

// Issue 15 §2: incidents close when their cause is handled (retried, cancelled, dismissed), carry only
// advice that works, and the status page lists exactly the failed runs it counts.
const healed = new Set<string>();

/** Fails at its step until the test marks its key healed; then the retried step completes. */
const flaky = defineProcess({
  name: 'flaky-step',
  version: 1,
  description: 'A step that fails until healed',
  input: z.object({ key: z.string(), onFinalFailure: z.enum(['escalate', 'fail']).default('escalate') }),
  start: 'work',
  steps: {
    work: {
      retry: { attempts: 1 },
      run: (ctx) => {
        if (!healed.has(ctx.input.key)) throw new Error(`the outside system refused ${ctx.input.key}`);
        return ctx.complete({ ok: true });
      },
    },
  },
});
/** The same step, but a final failure fails the run (no escalation question). */
const flakyFail = defineProcess({ ...flaky, name: 'flaky-fail', steps: { work: { ...flaky.steps.work, onFinalFailure: 'fail' as const } } });
/** A run that ends with an answer: the step decides the input cannot be used (a file that cannot be read). */
const refuses = defineProcess({
  name: 'refuses-input',
  version: 1,
  description: 'Ends with an answer',
  input: z.object({}),
  start: 'check',
  steps: { check: { run: (ctx) => ctx.fail('the file is empty (0 bytes)') } },
});

let env: TestEnv;
let c: Coordinator;
beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ processes: [flaky, flakyFail, refuses], roles: { workers: true, background: true } });
});
afterAll(async () => env.cleanup());

const say = async (text: string) => (await c.operator.handleMessage({ surface: 'test', actor: 'op', text })).reply!.body;
const press = (approvalId: string, option: string) => c.operator.handleAction({ surface: 'test', actor: 'op', payload: { type: 'decide', approvalId, option } });
const incidentOf = (runId: string) => waitFor(`an incident for ${runId}`, () => env.tdb.db.incident.findFirst({ where: { runId } }), 30_000, 50);
const statusOf = (id: string) => env.tdb.db.incident.findUniqueOrThrow({ where: { id } }).then((i) => i.status);

/** Starts a flaky run and waits for its escalation ("Retry or cancel?"). */
async function escalated(key: string) {
  const { runId } = await c.runs.start({ process: 'flaky-step', input: { key }, startedBy: 'test' });
  const approval = await waitFor('the escalation', () => env.tdb.db.approval.findFirst({ where: { runId, status: 'pending' } }), 30_000, 50);
  return { runId, approval, incident: await incidentOf(runId) };
}

describe('incidents close when their cause is handled', () => {
  it.each([
    ['the Retry button', async (e: Awaited<ReturnType<typeof escalated>>) => press(e.approval.id, 'retry')],
    ['/retry', async (e: Awaited<ReturnType<typeof escalated>>) => say(`/retry ${e.runId}`)],
    ['/approve on the escalation (its primary option, Retry)', async (e: Awaited<ReturnType<typeof escalated>>) => say(`/approve ${e.approval.id}`)],
  ])('closes the incident when the escalation is answered with %s, and the retried step completes', async (_how, answer) => {
    const key = `retry-${Math.random()}`;
    const e = await escalated(key);
    expect(await statusOf(e.incident.id)).toBe('open');
    healed.add(key);
    await answer(e);
    await waitFor('the retried run to complete', async () => (await c.runs.get(e.runId))?.status === 'completed', 30_000, 50);
    expect(await statusOf(e.incident.id)).toBe('resolved');
    expect((await say('/inbox')).text).not.toContain(e.incident.id);
  });

  it.each([
    ['the Cancel button', async (e: Awaited<ReturnType<typeof escalated>>) => press(e.approval.id, 'cancel')],
    ['/cancel', async (e: Awaited<ReturnType<typeof escalated>>) => say(`/cancel ${e.runId}`)],
    ['/reject on the escalation', async (e: Awaited<ReturnType<typeof escalated>>) => say(`/reject ${e.approval.id}`)],
  ])('closes the incident when the escalation is answered with %s', async (_how, answer) => {
    const e = await escalated(`cancel-${Math.random()}`);
    await answer(e);
    await waitFor('the run to be cancelled', async () => (await c.runs.get(e.runId))?.status === 'cancelled', 30_000, 50);
    expect(await statusOf(e.incident.id)).toBe('resolved');
  });

  it('opens a new incident when a retried step fails again, so the failure is never hidden', async () => {
    const e = await escalated(`again-${Math.random()}`);
    await press(e.approval.id, 'retry');
    await waitFor('a second incident', async () => (await env.tdb.db.incident.count({ where: { runId: e.runId } })) === 2, 30_000, 50);
    expect(await env.tdb.db.incident.count({ where: { runId: e.runId, status: 'open' } })).toBe(1);
  });

  it.each(['dismiss', 'resolve'])('closes an incident with /%s (one command, two names) once its run needs no answer', async (word) => {
    const { runId } = await c.runs.start({ process: 'flaky-fail', input: { key: `dismiss-${word}` }, startedBy: 'test' });
    const incident = await incidentOf(runId);
    await waitFor('the run to fail', async () => (await c.runs.get(runId))?.status === 'failed', 30_000, 50);
    expect((await say(`/${word} ${incident.id}`)).text).toBe(`${word === 'dismiss' ? 'Dismissed' : 'Resolved'} incident ${incident.id}.`);
    expect(await statusOf(incident.id)).toBe('resolved');
    expect((await say(`/${word} ${incident.id}`)).text).toContain(`There is no open incident "${incident.id}"`);
  });

  it('does not dismiss an incident whose run still waits for Retry or Cancel: it says which answer closes it', async () => {
    const e = await escalated(`waits-${Math.random()}`);
    const r = await say(`/dismiss ${e.incident.id}`);
    expect(r.text).toBe(`Run ${e.runId} is waiting for you to retry or cancel it after this failure: /retry ${e.runId} or /cancel ${e.runId} (either closes ${e.incident.id}).`);
    expect(await statusOf(e.incident.id)).toBe('open');
    await say(`/cancel ${e.runId}`);
  });
});

describe('advice that works, and a status page that lists what it counts', () => {
  it('answers /retry on a run that ended with an answer without calling it "failed; only failed runs can be retried"', async () => {
    const { runId } = await c.runs.start({ process: 'refuses-input', input: {}, startedBy: 'test' });
    await waitFor('the run to end', async () => (await c.runs.get(runId))?.status === 'failed', 30_000, 50);
    const r = await say(`/retry ${runId}`);
    expect(r.text).toBe(`Run ${runId} (refuses-input) ended with an answer, not a fault: the file is empty (0 bytes). Retrying would give the same answer; nothing to retry.`);
    expect(r.text).not.toMatch(/only failed runs/);
  });

  it('suggests /retry in the digest only for a run that failed at a step', async () => {
    const answer = await c.runs.start({ process: 'refuses-input', input: {}, startedBy: 'test' });
    const fault = await c.runs.start({ process: 'flaky-fail', input: { key: `digest-${Math.random()}` }, startedBy: 'test' });
    for (const id of [answer.runId, fault.runId]) await waitFor(`run ${id} to fail`, async () => (await c.runs.get(id))?.status === 'failed', 30_000, 50);
    const digest = await c.runs.start({ process: 'daily-digest', input: {}, startedBy: 'test' });
    await waitFor('the digest', async () => (await c.runs.get(digest.runId))?.status === 'completed', 30_000, 50);
    const [row] = await env.tdb.sql<{ text: string }>("SELECT body->>'text' AS text FROM operator_message WHERE body->>'ref' = $1", [`${digest.runId}-digest`]);
    const lineOf = (id: string) => row.text.split('\n').find((l) => l.includes(id))!;
    expect(lineOf(answer.runId)).toBe(`  ✗ ${answer.runId} refuses-input: the file is empty (0 bytes)`);
    expect(lineOf(fault.runId)).toMatch(new RegExp(`^  ✗ ${fault.runId} flaky-fail: .* — /retry ${fault.runId}$`));
    // And the advice works.
    expect((await say(`/retry ${fault.runId}`)).text).toBe(`Retrying run ${fault.runId} at step "work".`);
  });

  it('lists every failed run it counts, on /api/status (the status page) and in /status', async () => {
    const report = await c.status();
    expect(report.runs.failed).toBeGreaterThanOrEqual(2);
    expect(report.failedRuns).toHaveLength(report.runs.failed);
    const failedIds = (await env.tdb.db.run.findMany({ where: { status: 'failed' }, select: { id: true } })).map((r) => r.id).sort();
    expect(report.failedRuns.map((r) => r.id).sort()).toEqual(failedIds);
    const status = (await say('/status')).text;
    for (const r of report.failedRuns.slice(0, 5)) expect(status).toContain(r.id);
    const answered = report.failedRuns.find((r) => r.process === 'refuses-input')!;
    expect(answered.retryable).toBe(false);
    expect(status).not.toContain(`/retry ${answered.id}`);
  });
});
