import { Bot } from 'grammy';
import { safeErr } from '../core/redact.ts';
import { callbacksComposer } from './composers/callbacks.ts';
import { filesComposer } from './composers/files.ts';
import { textComposer } from './composers/text.ts';
import type { BotContext, TelegramDeps } from './context.ts';

/** Builds the grammY bot: one composer per feature, each inside its own error boundary. */
export function createTelegramBot(deps: TelegramDeps): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.token, { client: { apiRoot: deps.apiRoot } });
  bot.use(textComposer(deps));
  bot.use(filesComposer(deps));
  bot.use(callbacksComposer(deps));
  // Last resort for errors outside the boundaries (there should be none); never rethrows into the poller.
  bot.catch((err) => deps.logger.error({ surface: 'telegram', updateId: err.ctx.update.update_id, err: safeErr(err.error) }, 'unhandled telegram error'));
  return bot;
}
