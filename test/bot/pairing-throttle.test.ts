import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairingStore, pairFailureReply } from '../../bot/core/pairing.ts';
import { ChatHarness, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const LIMITS = { maxWrongPerChat: 5, maxWrongGlobal: 12, windowMinutes: 15 };
const minutes = (n: number, from: Date) => new Date(from.getTime() + n * 60_000);

describe('pairing attempts are throttled', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb?.drop());
  // Each test gets its own store and clock, and starts with no failures on record.
  const fresh = async () => {
    await tdb.sql('DELETE FROM pairing_failure');
    return new PairingStore(tdb.db, { ttlMinutes: 60, ...LIMITS });
  };

  it('refuses even the right code from a chat after 5 wrong ones, says for how long, and lets it in once the window has passed', async () => {
    const pairing = await fresh();
    const t0 = new Date();
    const { code } = await pairing.createPairingCode(t0);
    const who = { surface: 'telegram', chatId: '501', userId: '501' };
    for (let i = 0; i < 5; i++) expect(await pairing.redeem(`ZZZZ-ZZZ${i + 2}`, who, minutes(i, t0))).toEqual({ ok: false, reason: 'invalid' });
    // The first wrong code was at t0: the chat may try again once it is 15 minutes old.
    const refused = await pairing.redeem(code, who, minutes(5, t0));
    expect(refused).toEqual({ ok: false, reason: 'throttled', retryAfterMinutes: 10 });
    expect(pairFailureReply(refused as Extract<typeof refused, { ok: false }>)).toBe('Too many wrong codes; try again in 10 minutes.');
    expect(await pairing.isAllowed('telegram', '501', '501')).toBe(false);
    // Other chats are not locked out by one chat's guesses.
    const other = await pairing.createPairingCode(t0);
    expect((await pairing.redeem(other.code, { surface: 'slack', chatId: 'D502', userId: 'U502' }, minutes(5, t0))).ok).toBe(true);
    // Refusals while throttled do not extend the lock-out; the window rolls.
    expect(await pairing.redeem(code, who, minutes(14, t0))).toEqual({ ok: false, reason: 'throttled', retryAfterMinutes: 1 });
    expect((await pairing.redeem(code, who, minutes(15.1, t0))).ok).toBe(true);
  });

  it('counts malformed, expired and already used codes as wrong too', async () => {
    const pairing = await fresh();
    const t0 = new Date();
    const used = await pairing.createPairingCode(t0);
    expect((await pairing.redeem(used.code, { surface: 'telegram', chatId: '600', userId: '600' }, t0)).ok).toBe(true);
    const old = await pairing.createPairingCode(minutes(-120, t0));
    const who = { surface: 'telegram', chatId: '601', userId: '601' };
    const tries = ['ABC', used.code, old.code, 'ZZZZ-ZZZZ', used.code];
    for (const c of tries) expect((await pairing.redeem(c, who, t0)).ok).toBe(false);
    const { code } = await pairing.createPairingCode(t0);
    expect(await pairing.redeem(code, who, t0)).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('limits wrong codes across all chats, so many chats cannot share the guessing', async () => {
    const pairing = await fresh();
    const t0 = new Date();
    // 12 wrong codes from 6 chats, each well under its own limit.
    for (let i = 0; i < 12; i++) expect(await pairing.redeem('ZZZZ-ZZZZ', { surface: 'telegram', chatId: `7${i % 6}`, userId: `7${i % 6}` }, minutes(i / 4, t0))).toEqual({ ok: false, reason: 'invalid' });
    const { code } = await pairing.createPairingCode(t0);
    const r = await pairing.redeem(code, { surface: 'slack', chatId: 'D799', userId: 'U799' }, minutes(4, t0));
    expect(r).toEqual({ ok: false, reason: 'throttled', retryAfterMinutes: 11 });
    expect((await pairing.redeem(code, { surface: 'slack', chatId: 'D799', userId: 'U799' }, minutes(15.1, t0))).ok).toBe(true);
  });

  it('holds the limit under concurrent guesses: no more than 5 codes are checked for one chat', async () => {
    const pairing = await fresh();
    const who = { surface: 'telegram', chatId: '801', userId: '801' };
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => pairing.redeem(`ZZZZ-ZZ${'23456789ABCDEFGHJKMN'[i]}Z`, who)));
    expect(rs.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(5);
    expect(rs.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(15);
  });
});

describe('pairing throttle in a chat (Telegram)', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await ChatHarness.start({ telegram: 'polling', coordinator: (db) => coordinatorUnderTest(db) });
  });
  afterAll(async () => h?.close());

  it('answers "Too many wrong codes; try again in N minutes" after 5 wrong codes, even to the right one', async () => {
    const c = h.tg!.server.getClient(TG_TOKEN, { userId: 9009, chatId: 9009, type: 'private', firstName: 'X', userName: 'x9009' });
    const replies = () => h.tg!.callsOf('sendMessage').filter((x) => String(x.body.chat_id) === '9009').map((x) => String(x.body.text));
    for (let i = 0; i < 5; i++) {
      await c.sendCommand(c.makeCommand(`/pair ZZZZ-ZZZ${i + 2}`));
      await h.tg!.waitForCall(() => replies().length === i + 1, 20_000);
    }
    expect(replies().every((t) => t.includes('not valid'))).toBe(true);
    const { code } = await h.pairing.createPairingCode();
    await c.sendCommand(c.makeCommand(`/pair ${code}`));
    await h.tg!.waitForCall(() => replies().length === 6, 20_000);
    expect(replies()[5]).toMatch(/^Too many wrong codes; try again in 1[45] minutes\.$/);
    expect(await h.pairing.isAllowed('telegram', '9009', '9009')).toBe(false);
    await h.waitForLog('pairing code refused');
  });
});
