import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatHarness, SLACK_DM, SLACK_OP, SLACK_SECRET, TG_OP, TG_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { blockActionBody, postToSlackEndpoint, type SlackApiCall } from '../support/slack-api-server.ts';
import type { TelegramCall } from '../support/telegram-server.ts';
import { waitFor } from '../support/harness.ts';


type Keyboard = Array<Array<{ text: string; callback_data: string }>>;
type Blocks = Array<{ type: string; elements?: Array<{ action_id?: string; value?: string; text?: unknown }> }>;

describe('Escalations on Telegram and Slack at once', () => {
  let h: ChatHarness;
  const tg = () => h.tg!;
  const slack = () => h.slackApi!;

  beforeAll(async () => {
    h = await ChatHarness.startPaired(coordinatorUnderTest);
  });
  afterAll(async () => h?.close());

  /** Waits for the escalation to arrive on both platforms and returns what each received. */
  async function arrived(question: string) {
    const tgCall = await tg().waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).includes(question));
    const slackCall = await slack().waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).includes(question));
    const stored = tg().server.storage.botMessages.find((m: { message: { text?: string } }) => String(m.message.text).includes(question))!;
    const ts = slack().messages.get([...slack().messages.keys()].find((k) => slack().messages.get(k)!.text.includes(question))!)!.ts;
    return {
      tgMessageId: stored.messageId as number,
      keyboard: (tgCall.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard,
      slackTs: ts,
      slackBlocks: slackCall.args.blocks as Blocks,
    };
  }

  async function pressOnTelegram(messageId: number, data: string) {
    const c = tg().server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private' });
    await c.sendCallback(c.makeCallbackQuery(data, { message: { message_id: messageId, chat: { id: TG_OP, type: 'private' } } } as never) as never);
  }

  async function pressOnSlack(ts: string, blocks: Blocks, label: string) {
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => JSON.stringify(e.text).includes(label))!;
    const res = await postToSlackEndpoint(h.slackEndpoint, {
      secret: SLACK_SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: blockActionBody({ user_id: SLACK_OP, channel_id: SLACK_DM, message_ts: ts, action_id: button.action_id!, value: button.value! }),
    });
    expect(res.status).toBe(200);
  }

  const tgEdited = (messageId: number, text: RegExp) => (c: TelegramCall) =>
    c.method === 'editMessageText' && Number(c.body.message_id) === messageId && text.test(String(c.body.text));
  const slackUpdated = (ts: string, text: RegExp) => (c: SlackApiCall) => c.method === 'chat.update' && c.args.ts === ts && text.test(JSON.stringify(c.args.blocks));

  it('reaches every bound chat; approving on Telegram closes it on Slack; a late Slack press is told who decided', async () => {
    const { runId } = await h.coordinator.escalate('Pay invoice #42 (EUR 1,200) to ACME?');
    const a = await arrived('Pay invoice #42');
    expect(a.keyboard.flat().map((b) => b.text)).toEqual(['✅ Approve', '✖ Reject']);
    expect(a.slackBlocks.some((b) => b.type === 'actions')).toBe(true);

    await pressOnTelegram(a.tgMessageId, a.keyboard[0][0].callback_data);
    const edit = await tg().waitForCall(tgEdited(a.tgMessageId, /approve/i));
    expect((edit.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard).toEqual([]);
    expect(String(edit.body.text)).toMatch(/telegram/);
    const update = await slack().waitForCall(slackUpdated(a.slackTs, /approve/i));
    expect((update.args.blocks as Blocks).some((b) => b.type === 'actions')).toBe(false);
    // The Slack copy's text is the same resolution line the Telegram copy shows.
    expect(slack().messages.get(`${SLACK_DM}:${a.slackTs}`)!.edits).toBe(1);
    // The run resumed on the decision and told the operator on both surfaces.
    await waitFor('run completed', async () => (await h.coordinator.runStatus(runId)) === 'completed');
    await tg().waitForCall((c) => c.method === 'sendMessage' && /Noted: “Pay invoice #42.*→ approve/.test(String(c.body.text)));
    await slack().waitForCall((c) => c.method === 'chat.postMessage' && /Noted: “Pay invoice #42.*→ approve/.test(String(c.args.text)));

    await pressOnSlack(a.slackTs, a.slackBlocks, 'Reject');
    const note = await slack().waitForCall((c) => c.method === 'chat.postEphemeral' && c.args.user === SLACK_OP);
    expect(String(note.args.text)).toMatch(/already decided/i);
    await h.surfaces.hub.idle();
    // Nothing re-opened or re-decided: the message still shows the first decision.
    expect(String(tg().botMessage(a.tgMessageId)!.text)).toMatch(/approve/i);
    expect(String(tg().botMessage(a.tgMessageId)!.text)).not.toMatch(/reject by/i);
  });

  it('a button pressed after a restart between escalation and press still decides, and edits both copies', async () => {
    const { runId } = await h.coordinator.escalate('Renew the domain for 2 years?');
    const a = await arrived('Renew the domain');
    await h.restart();
    await pressOnSlack(a.slackTs, a.slackBlocks, 'Approve');
    await waitFor('run completed', async () => (await h.coordinator.runStatus(runId)) === 'completed');
    await slack().waitForCall(slackUpdated(a.slackTs, /approve/i));
    const edit = await tg().waitForCall(tgEdited(a.tgMessageId, /approve/i));
    expect((edit.body.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard).toEqual([]);
    expect(slack().calls.some((c) => c.method === 'chat.postEphemeral' && /expired|not one of mine/i.test(String(c.args.text)))).toBe(false);
  });

  it('delivers what was escalated while the surfaces were down, and applies a decision made elsewhere meanwhile', async () => {
    await h.coordinator.escalate('Refund order 981?');
    const before = await arrived('Refund order 981');
    await h.surfaces.stop();
    await h.coordinator.escalate('Hire the freelancer for March?');
    // Decided in the web console while the chat surfaces were down.
    const msg = (await h.operator.listMessages({ limit: 1000 })).find((m) => m.body.text.includes('Refund order 981'))!;
    const decide = msg.body.buttons[0][0].action;
    await h.operator.handleAction({ surface: 'web', actor: 'operator', payload: decide });
    await h.startSurfaces();
    await arrived('Hire the freelancer');
    await tg().waitForCall(tgEdited(before.tgMessageId, /approve/i));
    await slack().waitForCall(slackUpdated(before.slackTs, /approve/i));
    await h.surfaces.hub.idle();
    // Delivered once each, not replayed.
    // (The run's "Noted: …" confirmation quotes the question, hence startsWith.)
    expect(tg().callsOf('sendMessage').filter((c) => String(c.body.text).startsWith('Hire the freelancer'))).toHaveLength(1);
    expect(tg().callsOf('sendMessage').filter((c) => String(c.body.text).startsWith('Refund order 981'))).toHaveLength(1);
    expect(slack().callsOf('chat.postMessage').filter((c) => String(c.args.text).startsWith('Refund order 981'))).toHaveLength(1);
  });
});
