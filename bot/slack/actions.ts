import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { guarded, type SlackDeps, SURFACE } from './context.ts';
import { BUTTON_ACTION_PREFIX, decodeValue } from './render.ts';

/**
 * Block Kit button presses: acknowledged at once, then the decision goes to the coordinator. The message
 * is rewritten by the hub (chat.update) when the coordinator announces the outcome; a late press gets
 * "already decided by X at T" as an ephemeral note.
 */
export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${BUTTON_ACTION_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const user = body.user.id;
    await guarded('action', deps, { client, channel, user }, async () => {
      if (!channel) return;
      const payload = await decodeValue(action.value ?? '', deps.store);
      if (!payload) {
        await client.chat.postEphemeral({ channel, user, text: 'That button is not one of mine.' });
        return;
      }
      const out = await deps.gateway.action({
        surface: SURFACE,
        chatId: channel,
        userId: user,
        isPrivate: channel.startsWith('D'),
        payload,
        dedupeKey: `action:${body.container?.message_ts ?? ''}:${action.action_ts}`,
      });
      if (out.kind === 'refused') await client.chat.postEphemeral({ channel, user, text: 'Not paired.' });
      else if (!out.ok && !out.duplicate) await client.chat.postEphemeral({ channel, user, text: out.text });
    });
  });
}
