import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatStateStore } from '../../bot/core/store.ts';
import { decodeValue, escapeMrkdwn, renderSlack } from '../../bot/slack/render.ts';
import { decodeCallback, encodeCallback, renderTelegram } from '../../bot/telegram/render.ts';
import { type ConversationMessage, message, type OutboundMessageInput } from '../../coordinator/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const approval = (over: Partial<OutboundMessageInput> = {}): ConversationMessage => ({
  id: '7',
  direction: 'out',
  surface: 'coo',
  approvalId: 'apv_0123456789abcdef',
  replyTo: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  body: message({
    kind: 'approval',
    text: 'Pay <ACME> & co 1,200?',
    buttons: [[
      { label: 'Approve', style: 'primary', action: { type: 'decide', approvalId: 'apv_0123456789abcdef', option: 'approve' } },
      { label: 'Reject', style: 'danger', action: { type: 'decide', approvalId: 'apv_0123456789abcdef', option: 'reject' } },
      { label: 'Ask later', style: 'default', action: { type: 'command', text: '/inbox' } },
    ]],
    ...over,
  }),
});

describe('rendering', () => {
  let tdb: TestDatabase;
  let store: ChatStateStore;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    store = new ChatStateStore(tdb.db);
  });
  afterAll(async () => tdb?.drop());

  it('renders an open approval as a Telegram inline keyboard whose callback data fits 64 bytes', async () => {
    const r = await renderTelegram(approval(), store);
    expect(r.parts).toEqual(['Pay <ACME> & co 1,200?']);
    expect(r.reply_markup.inline_keyboard[0].map((b) => b.text)).toEqual(['✅ Approve', '✖ Reject', 'Ask later']);
    for (const b of r.reply_markup.inline_keyboard.flat()) {
      const data = (b as { callback_data: string }).callback_data;
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    }
    expect(await decodeCallback((r.reply_markup.inline_keyboard[0][0] as { callback_data: string }).callback_data, store)).toEqual({ type: 'decide', approvalId: 'apv_0123456789abcdef', option: 'approve' });
  });

  it('replaces the keyboard with the resolution once decided', async () => {
    const r = await renderTelegram(approval({ resolution: 'Approve — by 1001 via telegram at 2026-11-26 01:00 UTC' }), store);
    expect(r.reply_markup.inline_keyboard).toEqual([]);
    expect(r.parts.at(-1)).toMatch(/Approve — by 1001 via telegram/);
  });

  it('stores payloads too long for callback data and decodes them from a new store instance (restart)', async () => {
    const long = { type: 'command' as const, text: `/run approval-roundtrip ${JSON.stringify({ question: 'x'.repeat(200) })}` };
    const data = await encodeCallback(long, store);
    expect(data).toMatch(/^b\|/);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(await decodeCallback(data, new ChatStateStore(tdb.db))).toEqual(long);
    expect(await decodeCallback('b|unknown-token', store)).toBeNull();
    expect(await decodeCallback('garbage', store)).toBeNull();
  });

  it('renders Block Kit with escaped text and buttons, and the outcome instead of buttons when settled', async () => {
    const open = (await renderSlack(approval(), store)).parts[0];
    expect(open.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Pay &lt;ACME&gt; &amp; co 1,200?' } });
    const actions = open.blocks.find((b) => b.type === 'actions') as { elements: Array<{ style?: string; value: string; action_id: string }> };
    expect(actions.elements.map((e) => e.style)).toEqual(['primary', 'danger', undefined]);
    expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(3);
    expect(await decodeValue(actions.elements[1].value, store)).toEqual({ type: 'decide', approvalId: 'apv_0123456789abcdef', option: 'reject' });

    const done = (await renderSlack(approval({ resolution: 'Reject — by U1 via slack at 2026-11-26 01:00 UTC' }), store)).parts[0];
    expect(done.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(done.blocks)).toContain('Reject — by U1 via slack');
    expect(escapeMrkdwn('<@U1>')).toBe('&lt;@U1&gt;');
  });
});
