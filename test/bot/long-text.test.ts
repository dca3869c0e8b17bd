import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatHarness, SLACK_DM, SLACK_OP, SLACK_SECRET, TG_OP, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { waitFor } from '../support/harness.ts';
import { blockActionBody, postToSlackEndpoint } from '../support/slack-api-server.ts';
import type { TelegramCall } from '../support/telegram-server.ts';

type Keyboard = Array<Array<{ text: string; callback_data: string }>>;

/** A report of numbered lines in paragraphs: order and completeness can be checked line by line. */
const report = (lines: number, tag: string) =>
  Array.from({ length: lines }, (_, i) => `${tag} line ${i}: revenue & costs for item ${i} are within budget.`)
    .reduce((acc, l, i) => acc + (i === 0 ? '' : i % 10 === 0 ? '\n\n' : '\n') + l, '');
const linesOf = (s: string) => s.split('\n').filter((l) => / line \d+:/.test(l));

describe('long messages on Telegram and Slack', () => {
  let h: ChatHarness;
  const tg = () => h.tg!;
  const slack = () => h.slackApi!;

  beforeAll(async () => {
    h = await ChatHarness.startPaired(coordinatorUnderTest);
  });
  afterAll(async () => h?.close());

  it('splits a long approval into messages in order, buttons on the last; a decision edits that one', async () => {
    const { approvalId, runId } = await h.coordinator.escalate('Approve the Q4 report below?');
    const short = await waitFor('approval message', async () => (await h.operator.listMessages({ limit: 1000 })).find((m) => m.approvalId === approvalId));
    const text = report(300, 'Q4');
    expect(text.length).toBeGreaterThan(12_000);
    // A second message carrying the same approval's buttons, with the whole report in it.
    await h.operator.post({ kind: 'approval', text, buttons: short.body.buttons }, { approvalId });

    const parts = await waitFor('every Telegram part', async () => {
      const sent = tg().callsOf('sendMessage').filter((c) => String(c.body.text).includes('Q4 line '));
      return sent.length > 1 && linesOf(sent.map((c) => String(c.body.text)).join('\n')).length === 300 ? sent : null;
    });
    for (const p of parts) expect(String(p.body.text).length).toBeLessThanOrEqual(4096);
    // In order, nothing lost or cut inside a line; only the last part has the keyboard.
    expect(linesOf(parts.map((c) => String(c.body.text)).join('\n'))).toEqual(linesOf(text));
    expect(parts.slice(0, -1).every((c) => c.body.reply_markup === undefined)).toBe(true);
    const kb = (parts.at(-1)!.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard;
    expect(kb.flat().map((b) => b.text)).toEqual(['✅ Approve', '✖ Reject']);

    const sParts = await waitFor('every Slack part', async () => {
      const sent = slack().callsOf('chat.postMessage').filter((c) => String(c.args.text).includes('Q4 line '));
      return sent.length > 1 ? sent : null;
    });
    const sLines = sParts.flatMap((c) => (c.args.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').flatMap((b) => linesOf(b.text!.text.replace(/&amp;/g, '&'))));
    expect(sLines).toEqual(linesOf(text));
    for (const c of sParts) {
      for (const b of c.args.blocks as Array<{ type: string; text?: { text: string } }>) if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    }
    const actionsOn = sParts.map((c) => (c.args.blocks as Array<{ type: string }>).some((b) => b.type === 'actions'));
    expect(actionsOn).toEqual([...Array(sParts.length - 1).fill(false), true]);

    // Press Approve on the last Telegram part: that part is edited (keyboard gone), the others are not.
    const stored = tg().server.storage.botMessages.filter((m: { message: { text?: string } }) => String(m.message.text).includes('Q4 line '));
    const lastId = Math.max(...stored.map((m: { messageId: number }) => m.messageId));
    const c = tg().server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private' });
    await c.sendCallback(c.makeCallbackQuery(kb[0][0].callback_data, { message: { message_id: lastId, chat: { id: TG_OP, type: 'private' } } } as never) as never);
    const edit = await tg().waitForCall((x: TelegramCall) => x.method === 'editMessageText' && Number(x.body.message_id) === lastId && /Approve — by 1001/.test(String(x.body.text)));
    expect((edit.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard).toEqual([]);
    expect(String(edit.body.text).length).toBeLessThanOrEqual(4096);
    await waitFor('run completed', async () => (await h.coordinator.runStatus(runId)) === 'completed');
    await h.surfaces.hub.idle();
    const partIds = new Set(stored.map((m: { messageId: number }) => m.messageId));
    const edits = tg().callsOf('editMessageText').filter((x) => partIds.has(Number(x.body.message_id)));
    expect(edits.map((x) => Number(x.body.message_id))).toEqual([lastId]);

    // On Slack, the last part lost its buttons and shows the outcome; the earlier ones were not touched.
    const lastTs = [...slack().messages.values()].filter((m) => m.text.includes('Q4 line ')).sort((a, b) => Number(a.ts) - Number(b.ts)).at(-1)!.ts;
    const update = await slack().waitForCall((x) => x.method === 'chat.update' && x.args.ts === lastTs);
    expect((update.args.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(update.args.blocks)).toContain('Approve — by 1001 via telegram');
    const sTs = new Set(sParts.map((p) => [...slack().messages.values()].find((m) => m.channel === SLACK_DM && m.text === p.args.text)?.ts));
    expect(slack().callsOf('chat.update').filter((x) => sTs.has(String(x.args.ts))).map((x) => x.args.ts)).toEqual([lastTs]);
  });

  it('a Slack press on the last part of a long message decides', async () => {
    const { approvalId, runId } = await h.coordinator.escalate('Approve the supplier list below?');
    const short = await waitFor('approval message', async () => (await h.operator.listMessages({ limit: 1000 })).find((m) => m.approvalId === approvalId));
    await h.operator.post({ kind: 'approval', text: report(200, 'SUP'), buttons: short.body.buttons }, { approvalId });
    const sParts = await waitFor('Slack parts', async () => {
      const sent = slack().callsOf('chat.postMessage').filter((c) => String(c.args.text).includes('SUP line '));
      return sent.length > 1 && (sent.at(-1)!.args.blocks as Array<{ type: string }>).some((b) => b.type === 'actions') ? sent : null;
    });
    const last = sParts.at(-1)!;
    const ts = [...slack().messages.values()].find((m) => m.channel === SLACK_DM && m.text === last.args.text)!.ts;
    const button = (last.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements![1];
    const res = await postToSlackEndpoint(h.slackEndpoint, {
      secret: SLACK_SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: blockActionBody({ user_id: SLACK_OP, channel_id: SLACK_DM, message_ts: ts, action_id: button.action_id, value: button.value }),
    });
    expect(res.status).toBe(200);
    await waitFor('run completed', async () => (await h.coordinator.runStatus(runId)) === 'completed');
    await slack().waitForCall((x) => x.method === 'chat.update' && x.args.ts === ts && /Reject — by U0OPERATOR via slack/.test(JSON.stringify(x.args.blocks)));
  });
});
