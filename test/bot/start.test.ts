import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairingStore } from '../../bot/core/pairing.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type CooChild, spawnCoo } from '../support/harness.ts';
import { testQueuePrefix } from '../support/redis.ts';
import { TelegramTestServer } from '../support/telegram-server.ts';

const TOKEN = '900000003:AAstart-test-token-abcdefghijklmnopqrstuvwxyz';

describe('coo start with chat tokens configured', () => {
  let tdb: TestDatabase;
  let tg: TelegramTestServer;
  let child: CooChild;
  const q = testQueuePrefix();

  beforeAll(async () => {
    tdb = await createTestDatabase();
    tg = await TelegramTestServer.start();
    child = spawnCoo({ DATABASE_URL: tdb.url, COO_QUEUE_PREFIX: q.prefix, COO_HTTP_PORT: '0', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.apiRoot, LOG_LEVEL: 'info' }, []);
  });
  afterAll(async () => {
    await child?.kill('SIGTERM');
    await tg?.stop();
    await q.cleanup();
    await tdb?.drop();
  });

  it('starts the Telegram adapter, pairs and answers a command, and never prints the token', async () => {
    await child.waitForOutput(/telegram started/, 60_000);
    const { code } = await new PairingStore(tdb.db).createPairingCode();
    const c = tg.server.getClient(TOKEN, { userId: 5, chatId: 5, type: 'private' });
    await c.sendCommand(c.makeCommand(`/pair ${code}`));
    await tg.waitForCall((x) => x.method === 'sendMessage' && String(x.body.text).includes('Paired'));
    await c.sendCommand(c.makeCommand('/help'));
    await tg.waitForCall((x) => x.method === 'sendMessage' && String(x.body.text).includes('Commands'));
    expect(child.output()).toMatch(/"surface":"slack".*chat surface not configured/);
    expect(child.output()).not.toContain(TOKEN);
  });
});
