import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatDoctorProbe } from '../../scripts/commands/chat-doctor.ts';
import { ChatHarness, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type CooChild, freePort, spawnCoo } from '../support/harness.ts';
import { testQueuePrefix } from '../support/redis.ts';

const TOKEN = '900000005:AAroles-test-token-abcdefghijklmnopqrstuvwxyz';

describe('coo start with a chat surface configured but without the chat role', { timeout: 180_000 }, () => {
  let tdb: TestDatabase;
  let child: CooChild;
  const q = testQueuePrefix();

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await child?.kill('SIGTERM');
    await q.cleanup();
    await tdb?.drop();
  });

  it('says so on the terminal and in the log, naming the surface and the missing role', async () => {
    // The role list the README and `coo start --help` showed before the chat role was documented.
    const port = await freePort();
    child = spawnCoo(
      { DATABASE_URL: tdb.url, COO_QUEUE_PREFIX: q.prefix, COO_HTTP_PORT: String(port), TELEGRAM_BOT_TOKEN: TOKEN, SLACK_BOT_TOKEN: 'xoxb-roles-test', SLACK_SIGNING_SECRET: 'roles-test-secret', LOG_LEVEL: 'info' },
      ['--roles', 'workers,background,http,digest'],
    );
    await child.waitForOutput(/solo-coo is running/, 120_000);
    expect(child.output()).toMatch(/"surface":"telegram".*chat surface configured but not started/);
    expect(child.output()).toMatch(/"surface":"slack".*chat surface configured but not started/);
    expect(child.output()).toContain('Warning: telegram and slack are configured but not started here: add the chat role (--roles …,chat)');
    expect(child.output()).not.toContain(TOKEN);
  });

  it('coo doctor warns that the configured surfaces are not started by any running COO, and says how to start them', async () => {
    const checks = await chatDoctorProbe({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9', SLACK_BOT_TOKEN: 'xoxb-roles-test', SLACK_SIGNING_SECRET: 'roles-test-secret' }, { db: tdb.db });
    for (const name of ['telegram', 'slack']) {
      const c = checks.find((x) => x.name === name)!;
      expect(c.ok, name).toBe(false);
      expect(c.optional, name).toBe(true);
      expect(c.detail, name).toContain('but not started by any running COO process');
      expect(c.detail, name).toContain('--roles workers,background,http,digest,chat');
    }
  });
});

describe('coo doctor with the chat role running', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await ChatHarness.start({ telegram: 'polling', coordinator: (db) => coordinatorUnderTest(db) });
  });
  afterAll(async () => h?.close());
  const telegramCheck = async () =>
    (await chatDoctorProbe({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: h.tg!.apiRoot }, { db: h.db.db })).find((x) => x.name === 'telegram')!;

  it('reports the surface as running in this process, and as not started once it stopped', async () => {
    const up = await telegramCheck();
    expect(up.ok).toBe(true);
    expect(up.detail).toContain(`configured (long polling), running in pid ${process.pid}`);
    await h.surfaces.stop();
    const down = await telegramCheck();
    expect(down.ok).toBe(false);
    expect(down.detail).toContain('but not started by any running COO process');
  });
});
