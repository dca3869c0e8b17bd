import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import { ChatHarness, SLACK_SECRET } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { waitFor } from '../support/harness.ts';
import { eventEnvelope, postToSlackEndpoint, slashCommandBody } from '../support/slack-api-server.ts';

// Issue 15: a typed value answers only the question it replies to. On Slack, a reply in the thread of
// the question's message is that reply, whatever else the COO posted meanwhile.
const OP = 'U0OPERATOR';
const DM = 'D0OPERATOR';

const askAmount = defineProcess({
  name: 'ask-amount',
  version: 1,
  description: 'Asks for an amount that may be typed',
  input: z.object({ what: z.string() }),
  start: 'ask',
  steps: {
    ask: {
      next: ['done'],
      run: (ctx) => ctx.waitForApproval({ question: `What is the right ${ctx.input.what}?`, options: [{ id: 'skip', label: 'Skip' }], answer: { kind: 'amount', label: `the right ${ctx.input.what}` } }, { then: 'done' }),
    },
    done: { run: (ctx) => ctx.complete({ option: ctx.decision?.option ?? null, value: ctx.decision?.value ?? null }) },
  },
});

describe('a typed value sent as a reply on Slack', () => {
  let h: ChatHarness;
  const dm = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'message', channel: DM, channel_type: 'im', user: OP, text, ts: `${Date.now() / 1000}`, ...extra });
  const send = (event: Record<string, unknown>) => postToSlackEndpoint(h.slackEndpoint, { secret: SLACK_SECRET, body: eventEnvelope(event).body, contentType: 'application/json' });

  beforeAll(async () => {
    h = await ChatHarness.start({ slack: true, coordinator: (db) => coordinatorUnderTest(db, { processes: [askAmount] }) });
    const { code } = await h.pairing.createPairingCode();
    await postToSlackEndpoint(h.slackEndpoint, { secret: SLACK_SECRET, body: slashCommandBody({ text: `pair ${code}`, user_id: OP, channel_id: DM }), contentType: 'application/x-www-form-urlencoded' });
  });
  afterAll(async () => h?.close());

  it('answers the question whose thread it replies in, and nothing else', async () => {
    const runId = await h.coordinator.start('ask-amount', { what: 'total' });
    const question = await waitFor('the question on Slack', async () => h.slackApi!.channelMessages(DM).find((m) => m.text.includes('What is the right total?')), 30_000, 50);
    // Something else is posted after it, so only the thread ties the value to the question.
    await h.coordinator.operator.post({ text: 'Another notice', kind: 'notice' });
    await waitFor('the notice on Slack', async () => h.slackApi!.channelMessages(DM).find((m) => m.text.includes('Another notice')), 30_000, 50);
    await send(dm('396,27'));
    await waitFor('the COO to answer the stray value', async () => h.slackApi!.channelMessages(DM).find((m) => /396,27/.test(m.text) || /I understand commands/.test(m.text)), 30_000, 50);
    expect(await h.coordinator.runStatus(runId)).toBe('waiting');
    await send(dm('396,27', { thread_ts: question.ts }));
    await waitFor('the run to complete', async () => (await h.coordinator.runStatus(runId)) === 'completed', 30_000, 50);
    expect(await h.coordinator.runResult(runId)).toEqual({ option: 'typed', value: '396.27' });
  });
});
