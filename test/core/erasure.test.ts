import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, createRedactor, identifiersIn } from '../../coordinator/index.ts';
import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import { threeSteps } from '../fixtures/processes/test-processes.ts';

const echo = defineProcess({
  name: 'echo',
  version: 1,
  description: 'carries a text from its input through an output to its result',
  input: z.object({ text: z.string() }),
  start: 'a',
  steps: {
    a: { next: ['b'], run: (ctx) => ctx.goto('b', { text: ctx.input.text }) },
    b: { run: (ctx) => ctx.complete({ text: (ctx.outputs.a as { text: string }).text }) },
  },
});
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { consistentLog } from '../support/run-log.ts';

describe('the redaction every store shares', () => {
  const r = createRedactor({ names: ['Acme', 'Acme GmbH'], emails: ['billing@acme-gmbh.example'], phones: ['+49 30 5550 1987'] });

  it('erases a name however its words are separated, whole before its parts, and only as whole words', () => {
    expect(r.text('Quote for Acme GmbH today')).toBe('Quote for [forgotten] today');
    expect(r.text('files/console/a1-Acme_GmbH_order.pdf')).toBe('files/console/a1-[forgotten]_order.pdf');
    expect(r.text('ACME-gmbh and acme')).toBe('[forgotten] and [forgotten]');
    expect(r.text('Acmeist planning acmes')).toBe('Acmeist planning acmes');
  });

  it('erases a phone number written with or without its country code and separators, and an address', () => {
    for (const p of ['+49 30 5550 1987', '+49 (30) 5550-1987', '0049 30 55501987', '030 5550 1987', '30/5550 1987']) expect(r.text(`call ${p} now`), p).toBe('call [forgotten] now');
    expect(r.text('Mail BILLING@acme-gmbh.example.')).toBe('Mail [forgotten].');
    expect(r.text('invoice 2026-11-20, 480.00 EUR, +49 30 5550 1988')).toBe('invoice 2026-11-20, 480.00 EUR, +49 30 5550 1988');
  });

  it('rewrites string values of JSON but keeps its keys, and points redacted blobs at their copies', () => {
    const v = { 'Acme GmbH': 'Acme GmbH', list: ['x', { $blob: 'old', size: 10 }], n: 3 };
    const out = r.json(v, new Map([['old', { hash: 'new', size: 12 }]]));
    expect(out).toEqual({ changed: true, value: { 'Acme GmbH': '[forgotten]', list: ['x', { $blob: 'new', size: 12 }], n: 3 } });
    const same = { a: 'nothing here' };
    expect(r.json(same)).toEqual({ changed: false, value: same });
  });

  it('takes e-mail addresses and phone numbers from a subject\'s facts, never a date for a phone', () => {
    expect(identifiersIn([['email', 'Jana <jana@acme.example>'], ['phone', '030 1234567'], ['issueDate', '2026-11-20'], ['note', 'reach her on +41 61 000 00 00'], ['amount', '12345678']])).toEqual({
      emails: ['jana@acme.example'],
      phones: ['030 1234567', '+41 61 000 00 00'],
    });
  });

  it('erases nothing for a subject without a usable name or identifier', () => {
    const none = createRedactor({ names: ['A'], emails: ['not an address'], phones: ['12'] });
    expect(none.empty).toBe(true);
    expect(none.text('A 12 not an address')).toBe('A 12 not an address');
  });
});

describe('the event log stays append-only outside a recorded erasure', () => {
  let env: TestEnv;
  let c: Coordinator;
  let runId: string;
  beforeAll(async () => {
    env = await createTestEnv();
    c = await env.coordinator({ processes: [threeSteps, echo], roles: { workers: true, background: true } });
    runId = (await c.runs.start({ process: 'three-steps', input: { n: 1 } })).runId;
    await waitFor(`run ${runId} to complete`, async () => (await c.runs.get(runId))?.status === 'completed');
  });
  afterAll(async () => env.cleanup());

  const rewrite = (erasure: string, setting: string | null, set = `data = '{"x":1}'`) =>
    env.tdb.pool.connect().then(async (cl) => {
      try {
        await cl.query('BEGIN');
        if (setting !== null) await cl.query(`SELECT set_config('coo.erasure_id', $1, true)`, [setting]);
        if (erasure) await cl.query(`INSERT INTO erasure (id, actor) VALUES ($1, 'test') ON CONFLICT DO NOTHING`, [erasure]);
        await cl.query(`UPDATE run_event SET ${set} WHERE run_id = $1 AND seq = 1`, [runId]);
        await cl.query('COMMIT');
      } catch (err) {
        await cl.query('ROLLBACK');
        throw err;
      } finally {
        cl.release();
      }
    });

  it('refuses an update without an erasure, with an unknown or finished one, and one that changes more than the payload', async () => {
    await expect(rewrite('', null)).rejects.toThrow(/append-only/);
    await expect(rewrite('', 'no-such-erasure')).rejects.toThrow(/append-only/);
    await env.tdb.sql(`INSERT INTO erasure (id, actor, finished_at) VALUES ('done-1', 'test', now())`);
    await expect(rewrite('', 'done-1')).rejects.toThrow(/append-only/);
    await expect(rewrite('open-1', 'open-1', `type = 'run.failed'`)).rejects.toThrow(/append-only/);
    await expect(rewrite('open-2', 'open-2', `seq = 99`)).rejects.toThrow(/append-only/);
    await expect(rewrite('open-3', 'open-3', `at = now() - interval '1 day'`)).rejects.toThrow(/append-only/);
    await consistentLog(c, runId);
  });

  it('lets coo_redact_run_event rewrite one payload under an open erasure, and nothing after it in the transaction', async () => {
    const [first] = await env.tdb.sql<{ data: Record<string, unknown> }>(`SELECT data FROM run_event WHERE run_id = $1 AND seq = 1`, [runId]);
    await env.tdb.sql(`INSERT INTO erasure (id, actor) VALUES ('open-4', 'test')`);
    const cl = await env.tdb.pool.connect();
    try {
      await cl.query('BEGIN');
      await cl.query(`SELECT coo_redact_run_event('open-4', $1, 1, $2::jsonb)`, [runId, JSON.stringify({ ...first.data, note: '[forgotten]' })]);
      await expect(cl.query(`UPDATE run_event SET data = '{}' WHERE run_id = $1 AND seq = 2`, [runId])).rejects.toThrow(/append-only/);
      await cl.query('ROLLBACK');
      await cl.query(`SELECT coo_redact_run_event('open-4', $1, 1, $2::jsonb)`, [runId, JSON.stringify({ ...first.data, note: '[forgotten]' })]);
    } finally {
      cl.release();
    }
    const [after] = await env.tdb.sql<{ data: Record<string, unknown> }>(`SELECT data FROM run_event WHERE run_id = $1 AND seq = 1`, [runId]);
    expect(after.data).toEqual({ ...first.data, note: '[forgotten]' });
  });

  it('erases through the coordinator with fold = snapshot kept, live and archived, and records counts without the subject', async () => {
    const start = async () => {
      const { runId: id } = await c.runs.start({ process: 'echo', input: { text: 'Order from Zora Quill' } });
      await waitFor(`run ${id} to complete`, async () => (await c.runs.get(id))?.status === 'completed');
      return id;
    };
    const archived = await start();
    await c.runs.archive(0);
    const live = await start();
    const subject = { names: ['Zora Quill'] };
    const before = await c.erasure.count(subject);
    expect(before).toMatchObject({ 'run inputs and snapshots': 2, 'archived run logs': 1 });
    expect(before['run events']).toBeGreaterThan(0);
    await c.erasure.erase(subject, { id: 'e-1', actor: 'test' });
    expect(await c.erasure.count(subject)).toMatchObject({ 'run inputs and snapshots': 0, 'run events': 0, 'archived run logs': 0 });
    await c.erasure.record('e-1', { 'run events': { before: before['run events'], after: 0 } });
    for (const id of [archived, live]) {
      const run = (await c.runs.get(id))!;
      expect(run.input).toEqual({ text: 'Order from [forgotten]' });
      expect(run.state).toMatchObject({ result: { text: 'Order from [forgotten]' } });
      await consistentLog(c, id);
    }
    const rows = await env.tdb.sql(`SELECT * FROM erasure WHERE id = 'e-1'`);
    expect(rows).toEqual([expect.objectContaining({ actor: 'test', finished_at: expect.any(Date), counts: { 'run events': { before: before['run events'], after: 0 } } })]);
    expect(JSON.stringify(rows)).not.toMatch(/zora|quill/i);
  });
});
