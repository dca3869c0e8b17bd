import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountPairing } from '../../bot/index.ts';
import { describeSurfaces, loadBotConfig } from '../../bot/index.ts';
import { PairingStore } from '../../bot/core/pairing.ts';
import { pairCommand } from '../../scripts/commands/pair.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('pairing', () => {
  let tdb: TestDatabase;
  let pairing: PairingStore;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    pairing = new PairingStore(tdb.db, { ttlMinutes: 15 });
  });
  afterAll(async () => tdb?.drop());

  it('stores only a hash of the code, and binds exactly one chat with it', async () => {
    const { code } = await pairing.createPairingCode();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const rows = await tdb.sql<{ code_hash: string }>('SELECT code_hash FROM pairing_code');
    expect(rows.some((r) => r.code_hash.includes(code.replace('-', '')))).toBe(false);
    const who = { surface: 'telegram', chatId: '42', userId: '42' };
    const both = await Promise.all([pairing.redeem(code.toLowerCase(), who), pairing.redeem(code, { ...who, chatId: '43', userId: '43' })]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toEqual({ ok: false, reason: 'used' });
    const winner = both.find((r) => r.ok)! as { ok: true; binding: { chatId: string } };
    expect(await pairing.isAllowed('telegram', winner.binding.chatId, winner.binding.chatId)).toBe(true);
    // Bound means that user in that chat, not anyone in it, nor that user elsewhere.
    expect(await pairing.isAllowed('telegram', winner.binding.chatId, '999')).toBe(false);
    expect(await pairing.isAllowed('slack', winner.binding.chatId, winner.binding.chatId)).toBe(false);
  });

  it('refuses an expired code and an unknown one', async () => {
    const past = new Date(Date.now() - 16 * 60_000);
    const { code } = await pairing.createPairingCode(past);
    expect(await pairing.redeem(code, { surface: 'slack', chatId: 'D1', userId: 'U1' })).toEqual({ ok: false, reason: 'expired' });
    expect(await pairing.redeem('ZZZZ-ZZZZ', { surface: 'slack', chatId: 'D1', userId: 'U1' })).toEqual({ ok: false, reason: 'invalid' });
    expect(await pairing.isAllowed('slack', 'D1', 'U1')).toBe(false);
  });

  it('`coo pair` prints a working code, lists and unbinds chats', async () => {
    const lines: string[] = [];
    const deps = { open: async () => ({ pairing, close: async () => {} }), out: (l: string) => void lines.push(l) };
    await pairCommand(deps).parseAsync([], { from: 'user' });
    const code = /Pairing code: (\S+)/.exec(lines.join('\n'))![1];
    expect((await pairing.redeem(code, { surface: 'slack', chatId: 'D9', userId: 'U9' })).ok).toBe(true);
    lines.length = 0;
    await pairCommand(deps).parseAsync(['--list'], { from: 'user' });
    expect(lines.join('\n')).toContain('slack:D9  user U9');
    await pairCommand(deps).parseAsync(['--unbind', 'slack:D9'], { from: 'user' });
    expect(await pairing.isAllowed('slack', 'D9', 'U9')).toBe(false);
  });
});

describe('console pairing API', () => {
  let tdb: TestDatabase;
  let app: Hono;
  let pairing: PairingStore;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    pairing = new PairingStore(tdb.db);
    app = new Hono();
    mountPairing(app, { pairing });
  });
  afterAll(async () => tdb?.drop());

  it('creates a code the bot accepts, lists the paired chat and unpairs it', async () => {
    const res = await app.request('/api/pairing-codes', { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { code: string; telegram: string };
    expect(body.telegram).toBe(`/pair ${body.code}`);
    expect((await pairing.redeem(body.code, { surface: 'telegram', chatId: '77', userId: '77', label: 'op' })).ok).toBe(true);
    const chats = (await (await app.request('/api/chats')).json()) as Array<{ surface: string; chatId: string }>;
    expect(chats.map((c) => [c.surface, c.chatId])).toEqual([['telegram', '77']]);
    expect((await app.request('/api/chats/telegram/77', { method: 'DELETE' })).status).toBe(204);
    expect((await app.request('/api/chats/telegram/77', { method: 'DELETE' })).status).toBe(404);
    expect(await pairing.isAllowed('telegram', '77', '77')).toBe(false);
  });
});

describe('describeSurfaces (coo doctor)', () => {
  it('says which surfaces start and names what is missing, never values', () => {
    const none = describeSurfaces(loadBotConfig({}));
    expect(none.map((s) => [s.surface, s.configured])).toEqual([['telegram', false], ['slack', false]]);
    expect(none[0].missing).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(none[1].missing).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)']);

    const some = describeSurfaces(loadBotConfig({ TELEGRAM_BOT_TOKEN: '1:secret-value', SLACK_BOT_TOKEN: 'xoxb-secret', SLACK_APP_TOKEN: 'xapp-secret' }));
    expect(some.map((s) => [s.surface, s.configured, s.mode])).toEqual([['telegram', true, 'long polling'], ['slack', true, 'socket mode']]);
    expect(JSON.stringify(some)).not.toMatch(/secret/);
  });

  it('rejects a webhook URL without its secret at start-up, naming the variables', () => {
    expect(() => loadBotConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_WEBHOOK_URL: 'https://coo.example.com/telegram/webhook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});
