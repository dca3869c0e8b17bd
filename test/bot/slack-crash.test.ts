import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairingStore } from '../../bot/core/pairing.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { SLACK_SECRET, SLACK_TOKEN } from '../support/chat-harness.ts';
import { type CooChild, createTestEnv, spawnCoo, type TestEnv, waitFor } from '../support/harness.ts';
import { SlackApiServer, type SlackApiCall } from '../support/slack-api-server.ts';

const SLACK_OP = 'U0OPERATOR';
const SLACK_DM = 'D0OPERATOR';

describe('a crash between chat.postMessage and recording the delivery', () => {
  let env: TestEnv;
  let writer: Coordinator;
  let slack: SlackApiServer;
  let dataDir: string;
  const children: CooChild[] = [];
  const start = async () => {
    const child = spawnCoo(
      {
        ...env.env,
        COO_HTTP_PORT: '0',
        COO_DATA_DIR: dataDir,
        SLACK_BOT_TOKEN: SLACK_TOKEN,
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_API_URL: slack.apiUrl,
        SLACK_PORT: '0',
        LOG_LEVEL: 'info',
      },
      ['--roles', 'chat'],
    );
    children.push(child);
    await child.waitForOutput(/slack started/, 120_000);
    return child;
  };
  const posts = (text: string) => slack.callsOf('chat.postMessage').filter((c) => String(c.args.text).startsWith(text));

  beforeAll(async () => {
    env = await createTestEnv();
    // This process only writes conversation messages (as a worker would); the child delivers them.
    writer = await env.coordinator();
    slack = new SlackApiServer(SLACK_TOKEN);
    await slack.start();
    dataDir = await mkdtemp(join(tmpdir(), 'coo-slack-crash-'));
    const pairing = new PairingStore(env.tdb.db);
    const { code } = await pairing.createPairingCode();
    await pairing.redeem(code, { surface: 'slack', chatId: SLACK_DM, userId: SLACK_OP });
  });
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await slack?.stop();
    await env?.cleanup();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finds the posted message by its metadata after the restart and does not post it again', async () => {
    const first = await start();
    // Slack stores the post, and the process dies before it hears back.
    slack.holdNext('chat.postMessage', (a) => String(a.text).startsWith('Invoice 7731 is overdue'));
    const held = new Promise<SlackApiCall>((r) => slack.once('held', r));
    const m = await writer.operator.post({ kind: 'notice', text: 'Invoice 7731 is overdue by 14 days.' });
    const call = await held;
    await first.kill('SIGKILL');
    const meta = JSON.parse(String(call.args.metadata)) as { event_type: string; event_payload: { delivery_id: string } };
    expect(meta).toMatchObject({ event_type: 'coo_delivery', event_payload: { delivery_id: `${m.id}:${SLACK_DM}`, part: 0, parts: 1 } });
    // The intent was recorded before the post: the restart knows it may have happened.
    expect((await writer.operator.deliveriesOf(m.id)).find((d) => d.surface === 'slack')).toMatchObject({ status: 'pending', externalId: null });

    const second = await start();
    const d = await waitFor('delivery recorded as sent', async () => (await writer.operator.deliveriesOf(m.id)).find((x) => x.surface === 'slack' && x.status === 'sent'), 60_000);
    const stored = slack.channelMessages(SLACK_DM).find((x) => x.text.startsWith('Invoice 7731'))!;
    expect(d.externalId).toBe(`${stored.ts}#${d.externalId!.split('#')[1]}`);
    const lookup = slack.callsOf('conversations.history').find((c) => c.args.channel === SLACK_DM)!;
    expect(String(lookup.args.include_all_metadata)).toBe('true');
    expect(Number(lookup.args.oldest)).toBeGreaterThan(0);
    expect(posts('Invoice 7731')).toHaveLength(1);
    expect(second.output()).toMatch(/found an interrupted delivery in the channel/);

    // The restarted process goes on delivering normally, and a later decision edit finds the same copy.
    await writer.operator.post({ kind: 'notice', text: 'Payroll ran.' });
    await slack.waitForCall((c) => c.method === 'chat.postMessage' && c.args.text === 'Payroll ran.');
    await writer.operator.update(m.id, { kind: 'notice', text: 'Invoice 7731 was paid.' });
    await slack.waitForCall((c) => c.method === 'chat.update' && c.args.ts === stored.ts && c.args.text === 'Invoice 7731 was paid.');
    expect(posts('Invoice 7731')).toHaveLength(1);
    expect(second.output()).not.toContain(SLACK_TOKEN);
  });

  it('posts a message whose intent was recorded but which never reached Slack, once', async () => {
    const child = children.at(-1)!;
    await child.kill('SIGKILL');
    // Written while no process delivers; the row says "pending" as if a process died right before posting.
    const m = await writer.operator.post({ kind: 'notice', text: 'Quarterly VAT return is due.' });
    await writer.operator.recordDelivery({ messageId: m.id, surface: 'slack', chatId: SLACK_DM, externalId: null, status: 'pending' });
    await start();
    await waitFor('delivery recorded as sent', async () => (await writer.operator.deliveriesOf(m.id)).find((x) => x.surface === 'slack' && x.status === 'sent'), 60_000);
    expect(posts('Quarterly VAT return')).toHaveLength(1);
  });
});
