import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatHarness, SLACK_APP_TOKEN, SLACK_TOKEN } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';
import { waitFor } from '../support/harness.ts';
import type { SlackApiCall } from '../support/slack-api-server.ts';

const OP = 'U0OPERATOR';
const DM = 'D0OPERATOR';

describe('Slack in Socket Mode', () => {
  let h: ChatHarness;
  const api = () => h.slackApi!;
  const postedTo = (channel: string, text: string) => (c: SlackApiCall) =>
    c.method === 'chat.postMessage' && c.args.channel === channel && String(c.args.text).includes(text);

  beforeAll(async () => {
    h = await ChatHarness.start({ slack: 'socket', coordinator: coordinatorUnderTest });
    await h.bind('slack', DM, OP);
  });
  afterAll(async () => h?.close());

  it('connects with the app token (apps.connections.open, then the WebSocket) and opens no HTTP port', () => {
    expect(api().callsOf('apps.connections.open')[0].auth).toBe(`Bearer ${SLACK_APP_TOKEN}`);
    expect(api().socket.connected).toBe(true);
    expect(h.surfaces.slack!.mode).toBe('socket');
    expect(h.surfaces.slack!.port()).toBeNull();
  });

  it('acks a DM event and a /coo command envelope, and answers both', async () => {
    const ack = await api().socket.push('events_api', {
      token: 'legacy', team_id: 'T0SOLO', api_app_id: 'A0COO', type: 'event_callback', event_id: `Ev${randomBytes(4).toString('hex')}`, event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: DM, channel_type: 'im', user: OP, text: '/runs failed', ts: `${Date.now() / 1000}` },
    });
    expect(ack.envelope_id).toBeTruthy();
    await api().waitForCall(postedTo(DM, 'No failed runs'));

    await api().socket.push('slash_commands', {
      token: 'legacy', team_id: 'T0SOLO', channel_id: DM, channel_name: 'directmessage', user_id: OP, command: '/coo', text: 'help', trigger_id: `trig.${randomBytes(4).toString('hex')}`, api_app_id: 'A0COO', response_url: 'http://127.0.0.1:9/unused',
    });
    await api().waitForCall(postedTo(DM, 'Commands:'));
  });

  it('decides an escalation from a button pressed over the socket, and the run resumes', async () => {
    const { runId } = await h.coordinator.escalate('Ship order 77 today?');
    const posted = await api().waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Ship order 77'));
    const button = (posted.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements![0];
    const ts = [...api().messages.values()].find((m) => m.text.startsWith('Ship order 77'))!.ts;
    await api().socket.push('interactive', {
      type: 'block_actions', team: { id: 'T0SOLO' }, user: { id: OP }, api_app_id: 'A0COO', token: 'legacy',
      container: { type: 'message', message_ts: ts, channel_id: DM }, channel: { id: DM }, message: { ts }, trigger_id: 'trig.x', response_url: 'http://127.0.0.1:9/unused',
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'coo_actions_0', value: button.value, action_ts: `${Date.now() / 1000}` }],
    });
    await waitFor('run completed', async () => (await h.coordinator.runStatus(runId)) === 'completed');
    const update = await api().waitForCall((c) => c.method === 'chat.update' && c.args.ts === ts);
    expect((update.args.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
    expect(h.logs.some((l) => l.includes(SLACK_APP_TOKEN) || l.includes(SLACK_TOKEN))).toBe(false);
  });
});
