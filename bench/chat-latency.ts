/**
 * Chat latency benchmark: p50/p95 from an escalation being created (the approval message's row in
 * operator_message) to its arrival at each local platform server (telegram-test-api, the local Slack Web
 * API server), and from a button press (Telegram callback / signed Slack block action) to the run resuming
 * (the `step.started` event of the step after the approval). Real coordinator, Postgres and Redis; the
 * production rate limits (1 message/s per chat); samples are spaced so each escalation finds its chats idle.
 *
 *   npx tsx bench/chat-latency.ts [samples=30]
 */
import { cpus, loadavg } from 'node:os';
import pino from 'pino';
import { loadBotConfig, startSurfaces } from '../bot/index.ts';
import { PairingStore } from '../bot/core/pairing.ts';
import { createCoordinator, createLogger } from '../coordinator/index.ts';
import { createTestDatabase } from '../test/support/db.ts';
import globalSetup from '../test/support/global-setup.ts';
import { waitFor } from '../test/support/harness.ts';
import { testQueuePrefix } from '../test/support/redis.ts';
import { TEST_REDIS_URL } from '../test/support/services.ts';
import { blockActionBody, postToSlackEndpoint, SlackApiServer } from '../test/support/slack-api-server.ts';
import { TelegramTestServer } from '../test/support/telegram-server.ts';

const SAMPLES = Number(process.argv[2] ?? 30);
const TG_TOKEN = '700000002:AAbench-token-0123456789abcdef';
const SLACK_TOKEN = 'xoxb-bench-token';
const SLACK_SECRET = 'bench-signing-secret';
const TG_OP = 1001;
const SLACK_OP = 'U0OPERATOR';
const SLACK_DM = 'D0OPERATOR';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const fmt = (xs: number[]) => xs.length === 0 ? 'no samples' : `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;

await globalSetup();
const tdb = await createTestDatabase();
const q = testQueuePrefix();
const coordinator = await createCoordinator({
  log: createLogger({ level: 'warn' }),
  config: { DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, COO_POLL_MS: 100, COO_HTTP_PORT: 0, LOG_LEVEL: 'warn' },
});
await coordinator.start({ workers: true, background: true });
const tg = await TelegramTestServer.start();
const slack = new SlackApiServer(SLACK_TOKEN);
await slack.start();
const pairing = new PairingStore(tdb.db);
for (const [surface, chatId, userId] of [['telegram', String(TG_OP), String(TG_OP)], ['slack', SLACK_DM, SLACK_OP]]) {
  const { code } = await pairing.createPairingCode();
  await pairing.redeem(code, { surface, chatId, userId });
}
// Breakdown probes: when the LISTEN/NOTIFY event for a message reaches this process, and when the
// surfaces call handleAction (start/end), so the report can say where the time goes.
const heard = new Map<string, number>();
coordinator.operator.subscribe((e) => {
  if (e.kind === 'created') heard.set(e.message.id, Date.now());
});
const actionCalls: Array<{ start: number; end: number }> = [];
const op = coordinator.operator;
const timedOperator = new Proxy(op, {
  get(target, key) {
    if (key === 'handleAction') {
      return async (a: Parameters<typeof op.handleAction>[0]) => {
        const start = Date.now();
        const r = await target.handleAction(a);
        actionCalls.push({ start, end: Date.now() });
        return r;
      };
    }
    const v = Reflect.get(target, key) as unknown;
    return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
  },
});
const createdToHeard: number[] = [];
const pressToAction: number[] = [];
const actionTime: number[] = [];
const actionToResume: number[] = [];

const surfaces = await startSurfaces({
  operator: timedOperator,
  db: tdb.db,
  logger: pino({ level: 'warn' }),
  config: loadBotConfig({}, {
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_API_ROOT: tg.apiRoot,
    SLACK_BOT_TOKEN: SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: 0,
    COO_DATA_DIR: '/tmp/coo-bench',
  }),
});
const slackEndpoint = `http://127.0.0.1:${surfaces.slack!.port()}/slack/events`;
const tgClient = tg.server.getClient(TG_TOKEN, { userId: TG_OP, chatId: TG_OP, type: 'private' });

const toTelegram: number[] = [];
const toSlack: number[] = [];
const resumeTg: number[] = [];
const resumeSlack: number[] = [];

try {
  for (let i = 0; i < SAMPLES; i++) {
    const question = `Bench ${i}: pay supplier?`;
    const { runId } = await coordinator.runs.start({ process: 'approval-roundtrip', input: { question }, startedBy: 'bench' });
    const tgCall = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).startsWith(question), 20_000);
    const slackCall = await slack.waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith(question), 20_000);
    const approval = await coordinator.db.approval.findFirstOrThrow({ where: { runId } });
    const msg = await coordinator.db.operatorMessage.findFirstOrThrow({ where: { approvalId: approval.id } });
    toTelegram.push(tgCall.wall - msg.createdAt.getTime());
    const h = heard.get(msg.id.toString());
    if (h) createdToHeard.push(h - msg.createdAt.getTime());
    toSlack.push(slackCall.wall - msg.createdAt.getTime());

    // Press Approve, alternating platforms.
    let pressedAt: number;
    if (i % 2 === 0) {
      const stored = tg.server.storage.botMessages.find((m: { message: { text?: string } }) => String(m.message.text).startsWith(question))!;
      const kb = (tgCall.body.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard;
      pressedAt = Date.now();
      await tgClient.sendCallback(tgClient.makeCallbackQuery(kb[0][0].callback_data, { message: { message_id: stored.messageId, chat: { id: TG_OP, type: 'private' } } } as never) as never);
    } else {
      const button = (slackCall.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements![0];
      const ts = [...slack.messages.values()].find((m) => m.text.startsWith(question))!.ts;
      pressedAt = Date.now();
      const res = await postToSlackEndpoint(slackEndpoint, {
        secret: SLACK_SECRET,
        contentType: 'application/x-www-form-urlencoded',
        body: blockActionBody({ user_id: SLACK_OP, channel_id: SLACK_DM, message_ts: ts, action_id: button.action_id, value: button.value }),
      });
      if (res.status !== 200) throw new Error(`Slack press answered ${res.status}`);
    }
    const resumed = await waitFor('run resumed', () => coordinator.db.runEvent.findFirst({ where: { runId, type: 'step.started', step: 'confirm' } }), 20_000, 2);
    (i % 2 === 0 ? resumeTg : resumeSlack).push(resumed.at.getTime() - pressedAt);
    const call = await waitFor('handleAction returned', async () => actionCalls.find((c) => c.start >= pressedAt), 20_000, 2);
    pressToAction.push(call.start - pressedAt);
    actionTime.push(call.end - call.start);
    actionToResume.push(resumed.at.getTime() - call.end);

    const tDone0 = Date.now();
    await waitFor("run completed", async () => (await coordinator.runs.get(runId))?.status === "completed", 20_000, 10);
    const tDone1 = Date.now();
    await surfaces.hub.idle();
    if (process.env.BENCH_TRACE) console.log(`sample ${i}: completed after ${tDone1 - tDone0} ms, idle after ${Date.now() - tDone1} ms`);
    // Let the per-chat pacing (1 message/s) run out, so the next escalation finds its chats idle.
    await new Promise((r) => setTimeout(r, 1_050));
  }
  const all = [...resumeTg, ...resumeSlack];
  console.log(`Chat latency, ${SAMPLES} escalations (real coordinator, Postgres, Redis; local platform servers):`);
  console.log(`  machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min)`);
  console.log(`  escalation created → arrived at Telegram server: ${fmt(toTelegram)}`);
  console.log(`  escalation created → arrived at Slack server:    ${fmt(toSlack)}`);
  console.log(`  button press → run resumed (Telegram):           ${fmt(resumeTg)}`);
  console.log(`  button press → run resumed (Slack):              ${fmt(resumeSlack)}`);
  console.log(`  button press → run resumed (both):               ${fmt(all)}`);
  console.log('  breakdown:');
  console.log(`    message row created → NOTIFY heard in this process:   ${fmt(createdToHeard)}`);
  console.log(`    press → surfaces call handleAction:                   ${fmt(pressToAction)}`);
  console.log(`    handleAction (decision transaction, dispatch):        ${fmt(actionTime)}`);
  console.log(`    handleAction returned → next step started (worker):   ${fmt(actionToResume)}`);
  const goal = Math.max(pct(toTelegram, 95), pct(toSlack, 95), pct(all, 95) ?? 0) <= 150;
  console.log(`  goal ≤ 150 ms p95 for both: ${goal ? 'met' : 'NOT met'}`);
} finally {
  const trace = (what: string) => process.env.BENCH_TRACE && console.log(`${new Date().toISOString()} teardown: ${what}`);
  await surfaces.stop();
  trace('surfaces stopped');
  await tg.stop();
  trace('telegram server stopped');
  await slack.stop();
  trace('slack server stopped');
  await coordinator.stop();
  trace('coordinator stopped');
  await q.cleanup();
  await tdb.drop();
  trace('database dropped');
}
if (process.env.BENCH_TRACE) {
  const handles = (process as unknown as { _getActiveHandles(): Array<{ constructor: { name: string }; remoteAddress?: string; remotePort?: number; localPort?: number; _idleTimeout?: number }> })._getActiveHandles();
  console.log('active handles:', handles.map((h) => `${h.constructor.name}${h.remotePort ? ` ${h.remoteAddress}:${h.remotePort} (local ${h.localPort})` : ''}${h._idleTimeout ? ` timeout ${h._idleTimeout}` : ''}`));
}
// coordinator.stop() leaves one Redis socket open (reported to the core); without this the process idles for minutes.
process.exit(0);
