import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinator } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ roles: { workers: true, background: true } });
});
afterAll(async () => env.cleanup());

const say = async (text: string, dedupeKey?: string) => (await c.operator.handleMessage({ surface: 'test', actor: 'op', text, dedupeKey })).reply!.body;

/** Counts of everything a bad command must not touch. */
async function worldState() {
  const [r] = await env.tdb.sql("SELECT (SELECT count(*) FROM run)::int AS runs, (SELECT count(*) FROM run_event)::int AS events, (SELECT count(*) FROM approval WHERE status = 'pending')::int AS pending, (SELECT count(*) FROM outbox)::int AS outbox");
  return r;
}

describe('operator commands', () => {
  it('answers /help with every command and /help <command> with details', async () => {
    const help = await say('/help');
    for (const cmd of ['/help', '/status', '/runs', '/run', '/inbox', '/approve', '/reject', '/retry', '/cancel']) expect(help.text).toContain(cmd);
    expect((await say('/help run')).text).toMatch(/Starts a run of a process with optional JSON input/);
    expect((await say('/help nosuch')).text).toMatch(/There is no \/nosuch command/);
  });

  it('lists processes for /run without arguments and starts a run with JSON input', async () => {
    expect((await say('/run')).text).toMatch(/approval-roundtrip \(v1\)/);
    const r = await say('/run approval-roundtrip {"question":"Order more stock?"}');
    const runId = /run (run_\w+)/.exec(r.text)![1];
    await waitFor('approval', async () => (await c.runs.get(runId))?.status === 'waiting');
    const inbox = await say('/inbox');
    expect(inbox.text).toMatch(/Order more stock\?/);
    expect((await say('/status')).text).toMatch(/waiting 1/);
    expect((await say('/runs waiting')).text).toContain(runId);
  });

  it('gives a short useful answer to bad input and changes nothing', async () => {
    const before = await worldState();
    const cases: Array<[string, RegExp]> = [
      ['/', /couldn't read that command/],
      ['/frobnicate', /There is no \/frobnicate command/],
      ['/stauts', /There is no \/stauts command\. Did you mean \/status\?/],
      ['/run no-such-process', /There is no process called "no-such-process"\. Known processes: approval-roundtrip, daily-digest/],
      ['/run approval-roundtrip {"question": ', /must be JSON/],
      ['/run approval-roundtrip [1,2]', /not valid/],
      ['/run approval-roundtrip {"question":"x","options":[{"id":"only","label":"Only"}]}', /Input for approval-roundtrip is not valid: options: /],
      ['/approve', /Which approval\?/],
      ['/approve apv_doesnotexist', /There is no approval "apv_doesnotexist"/],
      ['/reject', /Which approval\?/],
      ['/retry', /Which run\?/],
      ['/retry run_nope', /There is no run "run_nope"/],
      ['/cancel run_nope', /There is no run "run_nope"/],
      ['/runs sideways', /"sideways" is not a run status/],
    ];
    for (const [text, expected] of cases) {
      const reply = await say(text);
      expect(reply.text, text).toMatch(expected);
      expect(reply.text, text).not.toMatch(/at .*\.ts:\d+|Error:|stack/i);
      expect(reply.kind, text).toBe('error');
    }
    expect(await worldState()).toEqual(before);
  });

  it('refuses a second decision on an already-decided approval and changes nothing', async () => {
    const r = await say('/run approval-roundtrip {"question":"Hire a freelancer?"}');
    const runId = /run (run_\w+)/.exec(r.text)![1];
    const approval = await waitFor('approval', async () => env.tdb.db.approval.findFirst({ where: { runId, status: 'pending' } }));
    expect((await say(`/approve ${approval.id} looks good`)).text).toMatch(/Approve: recorded/);
    await waitFor('completion', async () => (await c.runs.get(runId))?.status === 'completed');
    const before = await worldState();
    const again = await say(`/reject ${approval.id}`);
    expect(again.text).toMatch(new RegExp(`Approval ${approval.id} was already decided: approve by op via test at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\. Nothing changed\\.`));
    const press = await c.operator.handleAction({ surface: 'telegram', actor: 'someone', payload: { type: 'decide', approvalId: approval.id, option: 'reject' } });
    expect(press.ok).toBe(false);
    expect(await worldState()).toEqual(before);
    const decided = await env.tdb.db.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect([decided.decision, decided.decidedBy, decided.reason]).toEqual(['approve', 'op', 'looks good']);
    expect((await say(`/cancel ${runId}`)).text).toMatch(/already completed; nothing to cancel/);
    expect((await say(`/retry ${runId}`)).text).toMatch(/only failed runs/);
  });

  it('processes a redelivered message once', async () => {
    const first = await c.operator.handleMessage({ surface: 'test', actor: 'op', text: '/run approval-roundtrip', dedupeKey: 'update-77' });
    const second = await c.operator.handleMessage({ surface: 'test', actor: 'op', text: '/run approval-roundtrip', dedupeKey: 'update-77' });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ duplicate: true, inbound: null, reply: null });
    const runs = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run_event WHERE type = 'run.started' AND data->>'startedBy' = 'op' AND data->'input'->>'question' = 'Approve this action?'");
    expect(runs[0].n).toBe(1);
  });

  it('answers plain text and empty messages helpfully without a model', async () => {
    expect((await say('what is waiting for me?')).text).toMatch(/^\(\/inbox\)\n/);
    expect((await say('please write a poem about invoices')).text).toMatch(/try \/help/);
    expect((await say('   ')).text).toMatch(/\/help/);
  });
});
