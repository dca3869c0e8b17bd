import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatDoctorProbe } from '../../scripts/commands/chat-doctor.ts';
import { ChatHarness, TG_OP, TG_TOKEN, WEBHOOK_SECRET } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';

const HOOK = 'https://coo.example.com/telegram/webhook';

describe('Telegram: from webhook mode back to long polling', () => {
  let h: ChatHarness;
  const api = (method: string, params: Record<string, string> = {}) =>
    fetch(`${h.tg!.apiRoot}/bot${TG_TOKEN}/${method}?${new URLSearchParams(params)}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; result?: { url: string }; description?: string } }));
  const sentTo = (chatId: number, text: string) => (c: { method: string; body: Record<string, unknown> }) =>
    c.method === 'sendMessage' && String(c.body.chat_id) === String(chatId) && String(c.body.text).includes(text);
  const doctor = async (extra: Record<string, string> = {}) => {
    const checks = await chatDoctorProbe({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: h.tg!.apiRoot, ...extra }, { db: h.db.db });
    return checks.find((c) => c.name === 'telegram webhook')!;
  };
  const webhookEnv = { TELEGRAM_WEBHOOK_URL: HOOK, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET };

  beforeAll(async () => {
    h = await ChatHarness.start({ telegram: 'webhook', coordinator: coordinatorUnderTest });
    await h.bind('telegram', String(TG_OP), String(TG_OP));
  });
  afterAll(async () => h?.close());

  it('(the local Bot API) keeps the webhook and refuses getUpdates with 409 while it is set, as Telegram does', async () => {
    expect((await api('getWebhookInfo')).body.result!.url).toBe(HOOK);
    const r = await api('getUpdates');
    expect(r.status).toBe(409);
    expect(r.body.description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
  });

  it('coo doctor finds the webhook registered as configured', async () => {
    const check = await doctor(webhookEnv);
    expect(check.ok).toBe(true);
    expect(check.detail).toContain(`Telegram posts updates to ${HOOK}`);
  });

  it('deletes the webhook when polling starts, then receives and answers the operator', async () => {
    const conflictsBefore = h.tg!.callsOf('getUpdates#409').length;
    h.opts.telegram = 'polling';
    await h.restart();
    expect(h.tg!.callsOf('deleteWebhook')).toHaveLength(1);
    expect(h.tg!.webhookOf(TG_TOKEN)).toBeNull();
    expect((await api('getWebhookInfo')).body.result!.url).toBe('');
    await h.waitForLog('removed the webhook left from webhook mode');
    const c = h.tg!.server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private', firstName: 'Op', userName: 'op' });
    await c.sendCommand(c.makeCommand('/help'));
    await h.tg!.waitForCall(sentTo(TG_OP, 'Commands:'), 30_000);
    // The poller never met the old webhook: it was gone before the first getUpdates.
    expect(h.tg!.callsOf('getUpdates#409')).toHaveLength(conflictsBefore);
  });

  it('says in the log what is wrong when a webhook is set while it polls, and coo doctor says what to fix', async () => {
    expect((await doctor()).ok).toBe(true);
    // Another process (an old webhook-mode deployment) registers a webhook with the same token.
    expect((await api('setWebhook', { url: 'https://old.example.com/hook' })).body.ok).toBe(true);
    await h.waitForLog('Telegram refuses long polling (409 Conflict)', 60_000);
    const check = await doctor();
    expect(check.ok).toBe(false);
    expect(check.optional).toBeFalsy();
    expect(check.detail).toContain('a webhook is set (https://old.example.com/hook) but the COO is configured for long polling');
    expect(check.detail).toContain('restart the COO');
    expect(check.detail).not.toContain(TG_TOKEN);
  });

  it('coo doctor names both URLs when the webhook differs from TELEGRAM_WEBHOOK_URL, and says when none is set', async () => {
    const differs = await doctor(webhookEnv);
    expect(differs.ok).toBe(false);
    expect(differs.detail).toContain(`Telegram posts updates to https://old.example.com/hook, not to TELEGRAM_WEBHOOK_URL (${HOOK})`);
    expect((await api('deleteWebhook')).body.ok).toBe(true);
    const none = await doctor(webhookEnv);
    expect(none.ok).toBe(false);
    expect(none.detail).toContain('no webhook is set');
    expect(none.detail).not.toContain(TG_TOKEN);
  });

  it('coo doctor warns, without failing, when it cannot reach the Bot API', async () => {
    const check = (await chatDoctorProbe({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' }, { db: h.db.db })).find((c) => c.name === 'telegram webhook')!;
    expect(check.ok).toBe(false);
    expect(check.optional).toBe(true);
    expect(check.detail).toMatch(/^could not ask Telegram/);
    expect(check.detail).not.toContain(TG_TOKEN);
  });
});
