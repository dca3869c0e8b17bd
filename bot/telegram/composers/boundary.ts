import type { BotError, NextFunction } from 'grammy';
import { errorRef } from '../../core/errors.ts';
import { safeErr } from '../../core/redact.ts';
import type { BotContext, TelegramDeps } from '../context.ts';

/**
 * An error boundary for one feature: the failure is logged with a short reference and the operator gets
 * "Something went wrong (ref X)" instead of a silent bot or a crashed poller (grammY#324, #702).
 */
export function boundary(feature: string, deps: Pick<TelegramDeps, 'logger'>) {
  return async (err: BotError<BotContext>, _next: NextFunction): Promise<void> => {
    const ref = errorRef();
    deps.logger.error({ surface: 'telegram', feature, ref, updateId: err.ctx.update.update_id, err: safeErr(err.error) }, 'telegram handler failed');
    const ctx = err.ctx;
    const text = `Something went wrong (ref ${ref}).`;
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
      else if (ctx.chat) await ctx.reply(text);
    } catch (replyErr) {
      deps.logger.warn({ ref, err: safeErr(replyErr) }, 'could not tell the operator about a failure');
    }
  };
}
