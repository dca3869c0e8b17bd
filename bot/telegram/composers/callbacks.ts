import { Composer } from 'grammy';
import { type BotContext, dedupeKeyOf, SURFACE, type TelegramDeps } from '../context.ts';
import { decodeCallback } from '../render.ts';
import { boundary } from './boundary.ts';

/**
 * Inline keyboard presses. The decision goes to the coordinator (first one wins); the message itself is
 * edited by the hub when the coordinator announces the resolution, on every surface that holds a copy.
 */
export function callbacksComposer(deps: TelegramDeps): Composer<BotContext> {
  const root = new Composer<BotContext>();
  const inner = root.errorBoundary(boundary('callbacks', deps));
  inner.on('callback_query:data', async (ctx) => {
    const cq = ctx.callbackQuery;
    const chat = cq.message?.chat;
    const payload = await decodeCallback(cq.data, deps.store);
    if (!payload || !chat) {
      await ctx.answerCallbackQuery({ text: 'This button is not one of mine.', show_alert: true });
      return;
    }
    const out = await deps.gateway.action({
      surface: SURFACE,
      chatId: String(chat.id),
      userId: String(cq.from.id),
      isPrivate: chat.type === 'private',
      payload,
      dedupeKey: dedupeKeyOf(ctx),
    });
    if (out.kind === 'refused') await ctx.answerCallbackQuery({ text: 'Not paired.', show_alert: true });
    else await ctx.answerCallbackQuery({ text: out.text.slice(0, 200), show_alert: !out.ok });
  });
  return root;
}
