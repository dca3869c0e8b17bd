import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CooChild, createTestEnv, freePort, spawnCoo, type TestEnv, waitFor } from '../support/harness.ts';

describe('restarts', () => {
  let env: TestEnv;
  const children: CooChild[] = [];
  const start = (extra: Record<string, string>, roles: string) => {
    const ch = spawnCoo({ ...env.env, ...extra }, ['--roles', roles]);
    children.push(ch);
    return ch;
  };

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await env.cleanup();
  });

  it('keeps a pending approval across a SIGKILL of the whole COO, and its button still works after', async () => {
    const port = String(await freePort());
    const a = start({ COO_HTTP_PORT: port }, 'workers,background,http');
    await a.waitForOutput(/Log in:/);
    const [{ token }] = await env.tdb.sql<{ token: string }>("SELECT value #>> '{}' AS token FROM setting WHERE key = 'console.token'");
    const api = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const started = await api('/api/messages', { text: '/run approval-roundtrip {"question":"Refund order 1042?"}' });
    const runId = /run (run_\w+)/.exec(started.reply.body.text)![1];
    const approval = await waitFor('the approval to be pending', async () => (await env.tdb.db.approval.findFirst({ where: { runId, status: 'pending' } })));

    expect((await a.kill('SIGKILL')).signal).toBe('SIGKILL');
    const b = start({ COO_HTTP_PORT: port }, 'workers,background,http');
    await b.waitForOutput(/Log in:/);

    const press = await api('/api/actions', { approvalId: approval.id, option: 'approve', requestId: 'press-1' });
    expect(press.ok).toBe(true);
    const again = await api('/api/actions', { approvalId: approval.id, option: 'reject', requestId: 'press-2' });
    expect(again.ok).toBe(false);
    expect(again.reply.text).toMatch(/already decided: approve by operator via console/);
    await waitFor('the run to complete', async () => (await env.tdb.db.run.findUnique({ where: { id: runId } }))?.status === 'completed');
    const confirmations = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM operator_message WHERE body->>'ref' = $1", [`${runId}-confirm`]);
    expect(confirmations[0].n).toBe(1);
    const msg = await env.tdb.db.operatorMessage.findFirstOrThrow({ where: { approvalId: approval.id } });
    expect((msg.body as { buttons: unknown[] }).buttons).toEqual([]);
    await b.kill();
  }, 300_000);

  it('fires the daily digest exactly once per due time across restarts, overlapping coordinators and downtime', async () => {
    const tz = { COO_TIMEZONE: 'Europe/Berlin', COO_DIGEST_CRON: '0 8 * * *' }; // 08:00 Berlin = 07:00Z in November
    const firings = () => env.tdb.sql<{ due: string; n: number }>("SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS due, count(*)::int AS n FROM schedule_firing WHERE schedule_id = 'daily-digest' GROUP BY due_at ORDER BY due_at");
    const digests = () => env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM operator_message WHERE body->>'kind' = 'digest'").then((r) => r[0].n);

    // Running across the due time: fires on time.
    const a = start({ ...tz, COO_CLOCK_START: '2026-11-20T06:59:58Z' }, 'workers,background,digest');
    await waitFor('the on-time digest', async () => (await digests()) === 1, 150_000);
    await a.kill('SIGKILL');

    // Two coordinators restarting together just after: nothing fires again.
    const b = start({ ...tz, COO_CLOCK_START: '2026-11-20T07:00:40Z' }, 'workers,background,digest');
    const c = start({ ...tz, COO_CLOCK_START: '2026-11-20T07:00:41Z' }, 'workers,background,digest');
    await Promise.all([b.waitForOutput(/started/), c.waitForOutput(/started/)]);
    await waitFor('both schedulers to tick', async () => (await env.tdb.sql("SELECT 1 FROM run WHERE process = 'daily-digest' AND status <> 'completed'")).length === 0);
    await new Promise((r) => setTimeout(r, 1500)); // some 15 scheduler ticks each, in which nothing may fire
    await Promise.all([b.kill('SIGKILL'), c.kill('SIGKILL')]);
    expect(await firings()).toEqual([{ due: '2026-11-20 07:00', n: 1 }]);

    // Down across the next day's due time: one catch-up run on start-up, from two coordinators at once.
    const d = start({ ...tz, COO_CLOCK_START: '2026-11-21T09:30:00Z' }, 'workers,background,digest');
    const e = start({ ...tz, COO_CLOCK_START: '2026-11-21T09:30:00Z' }, 'workers,background,digest');
    await waitFor('the catch-up digest', async () => (await digests()) === 2, 150_000);
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all([d.kill('SIGKILL'), e.kill('SIGKILL')]);
    expect(await firings()).toEqual([
      { due: '2026-11-20 07:00', n: 1 },
      { due: '2026-11-21 07:00', n: 1 },
    ]);
    expect(await digests()).toBe(2);
    const runs = await env.tdb.sql<{ n: number }>("SELECT count(*)::int AS n FROM run WHERE process = 'daily-digest'");
    expect(runs[0].n).toBe(2);
    const [digest] = await env.tdb.sql<{ text: string }>("SELECT body->>'text' AS text FROM operator_message WHERE body->>'kind' = 'digest' ORDER BY id LIMIT 1");
    expect(digest.text).toMatch(/^Daily digest — since/);
    expect(digest.text).toMatch(/What ran:/);
  }, 400_000);
});
