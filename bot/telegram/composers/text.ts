import { Composer } from 'grammy';
import { normalizeTelegramText } from '../../core/commands.ts';
import { type BotContext, dedupeKeyOf, SURFACE, type TelegramDeps } from '../context.ts';
import { boundary } from './boundary.ts';

/** Commands (/status, /pair CODE …) and free text for the COO. */
export function textComposer(deps: TelegramDeps): Composer<BotContext> {
  const root = new Composer<BotContext>();
  const inner = root.errorBoundary(boundary('text', deps));
  inner.on('message:text', async (ctx) => {
    const chat = ctx.chat;
    const out = await deps.gateway.message({
      surface: SURFACE,
      chatId: String(chat.id),
      userId: String(ctx.from.id),
      isPrivate: chat.type === 'private',
      text: normalizeTelegramText(ctx.message.text),
      dedupeKey: dedupeKeyOf(ctx),
      externalId: String(ctx.message.message_id),
      replyToExternalId: ctx.message.reply_to_message ? String(ctx.message.reply_to_message.message_id) : null,
      label: chat.type === 'private' ? ctx.from.username ?? ctx.from.first_name : 'title' in chat ? chat.title : undefined,
    });
    if (out.kind !== 'handled' && out.reply) await ctx.reply(out.reply);
  });
  return root;
}
