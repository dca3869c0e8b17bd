import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type CooChild, freePort, spawnCoo } from '../support/harness.ts';
import { testQueuePrefix } from '../support/redis.ts';

const TOKEN = '900000005:AAroles-test-token-abcdefghijklmnopqrstuvwxyz';

describe('coo start with a chat surface configured but without the chat role', () => {
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
});
