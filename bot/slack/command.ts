import type { App } from '@slack/bolt';
import { slashCooToText } from '../core/commands.ts';
import { pairingCodeIn } from '../core/commands.ts';
import { REFUSAL } from '../core/gateway.ts';
import { guarded, type SlackDeps, SURFACE } from './context.ts';

/**
 * `/coo <command or text>`. Refusals and pairing are answered in the ack itself (ephemeral, fast); other
 * work is acknowledged at once and done after, its reply arriving through the hub like every other.
 */
export function registerCommand(app: App, deps: SlackDeps): void {
  app.command('/coo', async ({ command, ack, client }) => {
    const text = slashCooToText(command.text ?? '');
    const who = { surface: SURFACE, chatId: command.channel_id, userId: command.user_id, isPrivate: true };
    if (!pairingCodeIn(text) && !(await deps.gateway.isAllowed(who.surface, who.chatId, who.userId))) {
      deps.logger.warn({ surface: SURFACE, chatId: who.chatId, userId: who.userId }, 'refused a slash command from an unpaired user or chat');
      await ack({ response_type: 'ephemeral', text: REFUSAL });
      return;
    }
    if (pairingCodeIn(text)) {
      const out = await deps.gateway.message({ ...who, text, label: command.channel_name });
      await ack({ response_type: 'ephemeral', text: out.kind === 'handled' ? 'OK' : (out.reply ?? 'OK') });
      return;
    }
    await ack();
    await guarded('command', deps, { client, channel: command.channel_id, user: command.user_id }, async () => {
      const out = await deps.gateway.message({ ...who, text, dedupeKey: `cmd:${command.trigger_id}`, label: command.channel_name });
      if (out.kind !== 'handled' && out.reply) await client.chat.postEphemeral({ channel: who.chatId, user: who.userId, text: out.reply });
    });
  });
}
