import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorsCommand, connectorsDoctorProbe, importCommand } from '../../scripts/commands/import.commands.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testQueuePrefix } from '../support/redis.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import pg from 'pg';
import { captureConsole as capture } from '../support/console-capture.ts';

let t: TestDatabase;
let dir: string;
const q = testQueuePrefix();
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'coo-import-'));
  Object.assign(process.env, { DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await q.cleanup();
  await t.drop();
});


const coo = (...args: string[]) => capture(() => importCommand().parseAsync(args, { from: 'user' }));

async function count(sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0].n);
  } finally {
    await c.end();
  }
}

describe('coo import bank', () => {
  it('previews a new CSV, imports it with --yes, then imports the next export without asking and adds nothing twice', async () => {
    const file = join(dir, 'umsaetze.csv');
    await writeFile(file, 'Buchungstag;Empfänger;Verwendungszweck;Betrag\n01.12.2026;Acme GmbH;Rechnung 18;1.000,00\n02.12.2026;Bäckerei;Brot;-4,20\n');
    const preview = await coo('bank', file, '--account', 'giro');
    expect(preview).toMatch(/separator ";", decimal comma, dates dd\.mm\.yyyy/);
    expect(preview).toMatch(/2026-12-01 +1000\.00 EUR {2}Acme GmbH/);
    expect(preview).toMatch(/run again with --yes/);
    expect(await count('SELECT count(*) AS n FROM connector_item')).toBe(0);
    const done = JSON.parse(await coo('bank', file, '--account', 'giro', '--yes', '--json')) as { status: string; added: number };
    expect(done).toMatchObject({ status: 'imported', added: 2 });
    expect(await count("SELECT count(*) AS n FROM run WHERE process = 'inbound-item'")).toBe(2);
    const again = await coo('bank', file, '--account', 'giro');
    expect(again).toMatch(/0 new transactions, 2 already known/);
    const status = JSON.parse(await capture(() => connectorsCommand().parseAsync(['--json'], { from: 'user' }))) as Array<{ connector: string; account: string; items24h: number }>;
    expect(status.find((x) => x.connector === 'bank' && x.account === 'giro')).toMatchObject({ items24h: 2 });
    expect(status.map((x) => x.connector)).toEqual(expect.arrayContaining(['payments', 'forms', 'bank']));
  });
});

describe('coo doctor: connectors', () => {
  it('names a bad webhook secret without printing it, and lists the open endpoints', async () => {
    const saved = { ...process.env };
    try {
      process.env.COO_PAYMENTS_WEBHOOK_SECRET = 'short-secret';
      const bad = await connectorsDoctorProbe();
      expect(bad[0]).toMatchObject({ name: 'webhooks', ok: false });
      expect(bad[0].detail).toMatch(/COO_PAYMENTS_WEBHOOK_SECRET: must be at least 16 characters/);
      expect(bad[0].detail).not.toContain('short-secret');
      process.env.COO_PAYMENTS_WEBHOOK_SECRET = 'whsec_0123456789abcdef';
      const good = await connectorsDoctorProbe();
      expect(good.find((c) => c.name === 'connector payments')).toMatchObject({ ok: true, detail: 'receives POST /hooks/payments (stripe signatures, secret set)' });
      expect(good.find((c) => c.name === 'connector forms')!.detail).toMatch(/not configured/);
      expect(JSON.stringify(good)).not.toContain('whsec_0123456789abcdef');
    } finally {
      process.env = saved;
    }
  });
});
