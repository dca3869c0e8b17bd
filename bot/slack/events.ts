import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { FileRef } from '../../coordinator/index.ts';
import { guarded, type SlackDeps, SURFACE } from './context.ts';
import { downloadSlackFile, type SlackFile } from './files.ts';

interface MessageLike {
  type: string;
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  channel: string;
  channel_type?: string;
  ts: string;
  /** Set on a reply in a thread: the ts of the message it replies to. */
  thread_ts?: string;
  files?: SlackFile[];
}

const IGNORED_SUBTYPES = new Set(['bot_message', 'message_changed', 'message_deleted', 'channel_join', 'channel_leave', 'message_replied']);

/**
 * DMs to the COO, @mentions in channels, and files shared with it. Events are acknowledged by Bolt at once
 * (processBeforeResponse is off, well inside Slack's 3 s) and the work is done after; Slack's retries carry
 * the same event_id, which is the dedupe key, so a retried event is processed once.
 */
export function registerEvents(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body, client, context }) => {
    const m = event as unknown as MessageLike;
    if (m.bot_id || (m.subtype && m.subtype !== 'file_share' && IGNORED_SUBTYPES.has(m.subtype)) || !m.user) return;
    if (m.subtype && m.subtype !== 'file_share') return;
    if (m.channel_type !== 'im') return; // channel chatter reaches us only as app_mention
    if (context.retryNum) deps.logger.info({ surface: SURFACE, retryNum: context.retryNum, reason: context.retryReason }, 'slack retried an event');
    await guarded('message', deps, { client, channel: m.channel }, () =>
      handle(deps, client, { ...m, text: m.text ?? '' }, (body as { event_id?: string }).event_id, true),
    );
  });

  app.event('app_mention', async ({ event, body, client, context }) => {
    const m = event as unknown as MessageLike;
    if (m.bot_id || !m.user) return;
    if (context.retryNum) deps.logger.info({ surface: SURFACE, retryNum: context.retryNum, reason: context.retryReason }, 'slack retried an event');
    const text = (m.text ?? '').replace(/<@[A-Z0-9]+>/g, '').trim();
    await guarded('mention', deps, { client, channel: m.channel }, () =>
      handle(deps, client, { ...m, text }, (body as { event_id?: string }).event_id, false),
    );
  });

  app.event('file_shared', async ({ event, body, client }) => {
    const e = event as unknown as { file_id: string; user_id: string; channel_id: string };
    await guarded('file_shared', deps, { client, channel: e.channel_id }, async () => {
      if (!(await deps.gateway.isAllowed(SURFACE, e.channel_id, e.user_id))) return; // a message event will carry any refusal
      const info = await client.files.info({ file: e.file_id });
      const file = info.file as SlackFile | undefined;
      if (!file) return;
      const isPrivate = e.channel_id.startsWith('D');
      await handle(deps, client, { type: 'file_shared', user: e.user_id, channel: e.channel_id, ts: '', text: '', files: [file], channel_type: isPrivate ? 'im' : 'channel' }, (body as { event_id?: string }).event_id, isPrivate);
    });
  });
}

async function handle(deps: SlackDeps, client: WebClient, m: MessageLike, eventId: string | undefined, isPrivate: boolean): Promise<void> {
  const files = m.files ?? [];
  const out = await deps.gateway.message({
    surface: SURFACE,
    chatId: m.channel,
    userId: m.user!,
    isPrivate,
    text: m.text ?? '',
    dedupeKey: eventId,
    externalId: m.ts || null,
    // A reply in the thread of a COO message answers that message (a typed value answers only its question).
    replyToExternalId: m.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : null,
    files: files.length === 0 ? undefined : async () => {
      const refs: FileRef[] = [];
      for (const f of files) {
        // A file arrives twice (message + file_shared); whichever event comes first takes it.
        if (!(await deps.gateway.claim(SURFACE, `file:${f.id}`, eventId))) continue;
        refs.push(await downloadSlackFile(f, { token: deps.token, dataDir: deps.dataDir }));
      }
      return refs;
    },
  });
  if (out.kind !== 'handled' && out.reply) await client.chat.postMessage({ channel: m.channel, text: out.reply });
}
