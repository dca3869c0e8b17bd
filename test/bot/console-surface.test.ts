import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountConsole } from '../../bot/index.ts';
import type { ConversationMessage } from '../../coordinator/index.ts';
import { ChatHarness, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { waitFor } from '../support/harness.ts';

const TG_OP = 1001;
type Keyboard = Array<Array<{ text: string; callback_data: string }>>;

/** The console's live stream as a browser tab reads it: the route's SSE, parsed into events. */
class StreamReader {
  readonly events: Array<{ kind: string; message: ConversationMessage }> = [];
  private reader!: ReadableStreamDefaultReader<Uint8Array>;
  private ready!: Promise<void>;

  constructor(private readonly app: Hono) {}

  async open(): Promise<void> {
    const res = await this.app.request('/api/stream');
    this.reader = res.body!.getReader();
    let markReady!: () => void;
    this.ready = new Promise((r) => (markReady = r));
    void (async () => {
      let buf = '';
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await this.reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buf += dec.decode(value);
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const kind = /^event: (\w+)$/m.exec(chunk)?.[1];
          if (kind === 'ready') markReady();
          const data = /^data: (.*)$/m.exec(chunk)?.[1];
          if ((kind === 'created' || kind === 'updated') && data) this.events.push({ kind, message: JSON.parse(data) });
        }
      }
    })();
    await this.ready;
  }

  find(kind: string, pred: (m: ConversationMessage) => boolean) {
    return waitFor(`console ${kind}`, async () => this.events.find((e) => e.kind === kind && pred(e.message)));
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

describe('the web console is a surface adapter on the same hub as Telegram', () => {
  let h: ChatHarness;
  let app: Hono;
  let stream: StreamReader;
  const tg = () => h.tg!;

  beforeAll(async () => {
    h = await ChatHarness.start({ telegram: 'polling', console: true, coordinator: coordinatorUnderTest });
    await h.bind('telegram', String(TG_OP), String(TG_OP));
    app = new Hono();
    mountConsole(app, { operator: h.operator, surface: h.console!, filesDir: `${h.dataDir}/console` });
    stream = new StreamReader(app);
    await stream.open();
  });
  afterAll(async () => {
    await stream?.close();
    await h?.close();
  });

  it('is registered with the hub like the platforms, and gets escalations through it', async () => {
    expect(h.surfaces.adapters.map((a) => a.name).sort()).toEqual(['console', 'telegram']);
    const { approvalId } = await h.coordinator.escalate('Order 300 labels from PrintCo?');
    const e = await stream.find('created', (m) => m.approvalId === approvalId);
    expect(e.message.body.buttons.flat().map((b) => b.label)).toEqual(['Approve', 'Reject']);
    // The platforms' copies are recorded for edits to find; the console's copy is the message itself.
    await waitFor('telegram delivery', async () => (await h.operator.deliveriesOf(e.message.id)).find((x) => x.surface === 'telegram' && x.status === 'sent'));
    expect((await h.operator.deliveriesOf(e.message.id)).some((x) => x.surface === 'console')).toBe(false);
  });

  it('closes a decision made on Telegram in the console, and one made in the console on Telegram', async () => {
    const first = await h.coordinator.escalate('Book the venue for the 12th?');
    const tgCall = await tg().waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).startsWith('Book the venue'));
    const stored = tg().server.storage.botMessages.find((m: { message: { text?: string } }) => String(m.message.text).startsWith('Book the venue'))!;
    const kb = (tgCall.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard;
    const c = tg().server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private' });
    await c.sendCallback(c.makeCallbackQuery(kb[0][0].callback_data, { message: { message_id: stored.messageId, chat: { id: TG_OP, type: 'private' } } } as never) as never);
    const closed = await stream.find('updated', (m) => m.approvalId === first.approvalId && Boolean(m.body.resolution));
    expect(closed.message.body.resolution).toMatch(/Approve — by 1001 via telegram/);
    expect(closed.message.body.buttons).toEqual([]);

    const second = await h.coordinator.escalate('Renew the insurance?');
    const tg2 = await tg().waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).startsWith('Renew the insurance'));
    await stream.find('created', (m) => m.approvalId === second.approvalId);
    const res = await app.request('/api/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId: second.approvalId, option: 'reject' }) });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    const id = tg().server.storage.botMessages.find((m: { message: { text?: string } }) => String(m.message.text).startsWith('Renew the insurance'))!.messageId;
    const edit = await tg().waitForCall((x) => x.method === 'editMessageText' && Number(x.body.message_id) === id && /Reject — by operator via console/.test(String(x.body.text)));
    expect((edit.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard).toEqual([]);
    expect(tg2).toBeDefined();
    await stream.find('updated', (m) => m.approvalId === second.approvalId && /Reject — by operator via console/.test(m.body.resolution ?? ''));
  });

  it('routes replies like the hub does for every surface: a Telegram question is answered on Telegram only', async () => {
    const c = tg().server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private' });
    await c.sendCommand(c.makeCommand('/runs cancelled'));
    await tg().waitForCall((x) => x.method === 'sendMessage' && String(x.body.text).includes('No cancelled runs'));
    // A console question is answered in the console (over the stream, not only in the POST's answer).
    const r = await app.request('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '/runs failed' }) });
    const { reply } = (await r.json()) as { reply: ConversationMessage };
    await stream.find('created', (m) => m.id === reply.id);
    await h.surfaces.hub.idle();
    expect(stream.events.some((e) => e.message.body.text.includes('No cancelled runs'))).toBe(false);
    expect(tg().callsOf('sendMessage').some((x) => String(x.body.text).includes('No failed runs'))).toBe(false);
    // The history the page loads shows the same: the console's own exchange, not Telegram's.
    const history = (await (await app.request('/api/messages?limit=1000')).json()) as ConversationMessage[];
    expect(history.some((m) => m.body.text === '/runs failed')).toBe(true);
    expect(history.some((m) => m.body.text.includes('No failed runs'))).toBe(true);
    expect(history.some((m) => m.body.text === '/runs cancelled' || m.body.text.includes('No cancelled runs'))).toBe(false);
  });
});
