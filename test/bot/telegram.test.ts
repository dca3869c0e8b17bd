import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL } from '../../bot/core/gateway.ts';
import { ChatHarness, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';

const OP = 1001; // the operator's Telegram user id (= their private chat id)

describe('Telegram over long polling', () => {
  let h: ChatHarness;
  const tg = () => h.tg!;
  const client = (userId = OP, chatId = userId, type: 'private' | 'group' = 'private') =>
    tg().server.getClient(TG_TOKEN, { userId, chatId, type, firstName: 'Op', userName: `u${userId}` });
  const sentTo = (chatId: number, text: string) => (c: { method: string; body: Record<string, unknown> }) =>
    c.method === 'sendMessage' && String(c.body.chat_id) === String(chatId) && String(c.body.text).includes(text);

  beforeAll(async () => {
    h = await ChatHarness.start({
      telegram: 'polling',
      // Document reading as a later layer would do it: a progress note replying to the upload, edited when done.
      coordinator: (db) =>
        coordinatorUnderTest(db, {
          handlers: (operator) => ({
            files: async ({ files, inboundId }) => {
              const names = files.map((f) => f.name).join(', ');
              const note = await operator().post({ kind: 'progress', text: `Reading ${names}…` }, { replyTo: inboundId });
              await tg().waitForCall((c) => c.method === 'sendMessage' && String(c.body.text) === `Reading ${names}…`);
              await operator().update(note.id, { kind: 'progress', text: `Reading ${names}… done` });
              return { text: `Got ${names}: ${files.map((f) => `${f.mimeType}, ${f.size} bytes`).join('; ')}` };
            },
          }),
        }),
    });
  });
  afterAll(async () => h?.close());

  it('sets the command menu when it starts', () => {
    const menu = tg().commandsSet.at(-1) as Array<{ command: string }>;
    expect(menu.map((c) => c.command)).toEqual(expect.arrayContaining(['help', 'status', 'inbox', 'approve', 'pair']));
  });

  it('pairs the operator with a one-time code, then answers a command round-trip', async () => {
    const { code } = await h.pairing.createPairingCode();
    const c = client();
    await c.sendCommand(c.makeCommand(`/pair ${code}`));
    await tg().waitForCall(sentTo(OP, 'Paired'));
    await c.sendCommand(c.makeCommand('/help'));
    await tg().waitForCall(sentTo(OP, 'Commands:'));
    const inbound = await h.inbound();
    expect(inbound.map((m) => [m.surface, m.body.text])).toEqual([['telegram', '/help']]);
    // The code is spent: another user cannot reuse it.
    const intruder = client(2002);
    await intruder.sendCommand(intruder.makeCommand(`/pair ${code}`));
    await tg().waitForCall(sentTo(2002, 'not valid'));
  });

  it('refuses an unpaired user in a private chat and ignores an unpaired group, logging both', async () => {
    const group = client(3003, -4004, 'group');
    await group.sendMessage(group.makeMessage('hello bot'));
    const stranger = client(3003);
    await stranger.sendMessage(stranger.makeMessage('run payroll'));
    await tg().waitForCall(sentTo(3003, REFUSAL.slice(0, 30)));
    // Updates are handled in order, so the group's was handled before the refusal went out.
    expect(tg().callsOf('sendMessage').filter((c) => String(c.body.chat_id) === '-4004')).toHaveLength(0);
    expect((await h.inbound()).some((m) => m.body.text === 'run payroll' || m.body.text === 'hello bot')).toBe(false);
    const refusals = h.logs.filter((l) => l.includes('refused a message from an unpaired user or chat'));
    expect(refusals.some((l) => l.includes('"chatId":"-4004"'))).toBe(true);
    expect(refusals.some((l) => l.includes('"chatId":"3003"'))).toBe(true);
    expect(h.logs.some((l) => l.includes('run payroll'))).toBe(false);
  });

  it('hands a photo and a PDF to the coordinator as files in the data dir', async () => {
    const c = client();
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fake-jpeg-body')]);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const photo = tg().addFile(jpeg, 'jpg');
    const doc = tg().addFile(pdf, 'pdf');
    const photoMsg = c.makeMessage('', { caption: 'receipt' } as never) as Record<string, unknown>;
    delete photoMsg.text;
    photoMsg.photo = [{ ...photo, width: 90, height: 90 }];
    await c.sendMessage(photoMsg as never);
    await tg().waitForCall(sentTo(OP, 'Got photo-'));
    const docMsg = c.makeMessage('', { caption: 'invoice' } as never) as Record<string, unknown>;
    delete docMsg.text;
    docMsg.document = { ...doc, file_name: 'invoice 42.pdf', mime_type: 'application/pdf' };
    await c.sendMessage(docMsg as never);
    await tg().waitForCall(sentTo(OP, 'Got invoice_42.pdf'));
    // Progress, edited in place in the chat the file came from, then the result.
    const progress = tg().callsOf('sendMessage').find((c) => c.body.text === 'Reading invoice_42.pdf…')!;
    expect(String(progress.body.chat_id)).toBe(String(OP));
    const done = await tg().waitForCall((c) => c.method === 'editMessageText' && c.body.text === 'Reading invoice_42.pdf… done');
    expect(String(done.body.chat_id)).toBe(String(OP));

    const withFiles = (await h.inbound()).filter((m) => m.body.files.length > 0);
    expect(withFiles.map((m) => m.body.text)).toEqual(['receipt', 'invoice']);
    const [p, d] = withFiles.map((m) => m.body.files[0]);
    expect(p).toMatchObject({ mimeType: 'image/jpeg', size: jpeg.length });
    expect(d).toMatchObject({ name: 'invoice_42.pdf', mimeType: 'application/pdf', size: pdf.length });
    expect(await readFile(p.path!)).toEqual(jpeg);
    expect(await readFile(d.path!)).toEqual(pdf);
    expect(d.path!.startsWith(h.dataDir)).toBe(true);
    // Neither the token (in the download URL) nor file contents reach the log.
    expect(h.logs.some((l) => l.includes(TG_TOKEN) || l.includes('fake-jpeg-body') || l.includes('%PDF'))).toBe(false);
  });

  it('answers "Something went wrong (ref X)" when a handler fails, and keeps polling', async () => {
    const c = client();
    const broken = c.makeMessage('', { caption: 'broken' } as never) as Record<string, unknown>;
    delete broken.text;
    broken.document = { file_id: 'FILE-unknown', file_unique_id: 'nope', file_size: 10, file_name: 'x.pdf', mime_type: 'application/pdf' };
    await c.sendMessage(broken as never);
    const reply = await tg().waitForCall(sentTo(OP, 'Something went wrong (ref '));
    const ref = /ref ([0-9a-f]+)/.exec(String(reply.body.text))![1];
    expect(h.logs.some((l) => l.includes(`"ref":"${ref}"`) && l.includes('telegram handler failed'))).toBe(true);
    await c.sendCommand(c.makeCommand('/runs completed'));
    await tg().waitForCall(sentTo(OP, 'No completed runs'));
  });

  it('processes an update Telegram redelivers after a restart only once', async () => {
    const c = client();
    await c.sendCommand(c.makeCommand('/status'));
    await tg().waitForCall(sentTo(OP, 'Runs — running'));
    const original = tg().server.storage.userMessages.find((u) => 'message' in u && u.message.text === '/status');
    expect(original).toBeDefined();
    await h.restart();
    // Telegram redelivers updates whose offset was never confirmed: put the same update_id back.
    tg().server.storage.userMessages.push({ ...original!, isRead: false });
    await c.sendCommand(c.makeCommand('/runs failed'));
    await tg().waitForCall(sentTo(OP, 'No failed runs'));
    expect(tg().callsOf('sendMessage').filter((x) => String(x.body.text).includes('Runs — running'))).toHaveLength(1);
    expect((await h.inbound()).filter((m) => m.body.text === '/status')).toHaveLength(1);
    await h.waitForLog('dropped a redelivered message');
  });

  it("honours 429 retry_after and delivers every notice, in order", async () => {
    tg().failNext('sendMessage', 1, 1);
    const texts = ['notice one', 'notice two', 'notice three'];
    for (const text of texts) await h.operator.post({ text, kind: 'notice' });
    await tg().waitForCall(sentTo(OP, 'notice three'));
    const limited = tg().calls.find((c) => c.method === 'sendMessage#429')!;
    const sends = tg().callsOf('sendMessage').filter((c) => String(c.body.text).startsWith('notice'));
    expect(sends.map((c) => c.body.text)).toEqual(texts);
    expect(sends[0].at - limited.at).toBeGreaterThanOrEqual(990);
  });
});

describe('Telegram over a webhook', () => {
  let h: ChatHarness;
  const update = (id: number, text: string) => ({
    update_id: id,
    message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: OP, type: 'private', first_name: 'Op' }, from: { id: OP, is_bot: false, first_name: 'Op' }, text },
  });
  const post = (body: unknown, secret?: string) =>
    fetch(h.telegramWebhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    h = await ChatHarness.start({ telegram: 'webhook', coordinator: coordinatorUnderTest });
    await h.bind('telegram', String(OP), String(OP));
  });
  afterAll(async () => h?.close());

  it('registers the webhook with its secret token', () => {
    const call = h.tg!.callsOf('setWebhook').at(-1)!;
    expect(call.body.url).toBe('https://coo.example.com/telegram/webhook');
    expect(call.body.secret_token).toBeTruthy();
  });

  it('rejects a webhook call without the secret, or with a wrong one', async () => {
    expect((await post(update(90, 'no secret'))).status).toBe(401);
    expect((await post(update(91, 'wrong secret'), 'x'.repeat(36))).status).toBe(401);
    expect((await h.inbound()).length).toBe(0);
  });

  it('processes a replayed update once', async () => {
    const { WEBHOOK_SECRET } = await import('../support/chat-harness.ts');
    const u = update(100, '/runs cancelled');
    expect((await post(u, WEBHOOK_SECRET)).status).toBe(200);
    expect((await post(u, WEBHOOK_SECRET)).status).toBe(200);
    await h.tg!.waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).includes('No cancelled runs'));
    await h.waitForLog('dropped a redelivered message');
    expect((await h.inbound()).map((m) => m.body.text)).toEqual(['/runs cancelled']);
    await h.surfaces.hub.idle();
    expect(h.tg!.callsOf('sendMessage').filter((c) => String(c.body.text).includes('No cancelled runs'))).toHaveLength(1);
  });

  it("runs the error boundary in webhook mode too: a failing handler answers with a ref and the webhook still says 200", async () => {
    const { WEBHOOK_SECRET } = await import('../support/chat-harness.ts');
    const broken = update(101, '');
    delete (broken.message as { text?: string }).text;
    Object.assign(broken.message, { document: { file_id: 'FILE-unknown', file_unique_id: 'nope', file_size: 10, file_name: 'x.pdf', mime_type: 'application/pdf' } });
    expect((await post(broken, WEBHOOK_SECRET)).status).toBe(200);
    await h.tg!.waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).startsWith('Something went wrong (ref '));
  });
});
