import type { Context } from 'grammy';
import type { Logger } from 'pino';
import type { ChatGateway } from '../core/gateway.ts';
import type { ChatStateStore } from '../core/store.ts';

/** What every Telegram composer gets: the gateway into the coordinator and bot/'s own state. */
export interface TelegramDeps {
  gateway: ChatGateway;
  store: ChatStateStore;
  logger: Logger;
  dataDir: string;
  /** Bot API root used for file downloads (https://api.telegram.org unless testing). */
  apiRoot: string;
  token: string;
}

export type BotContext = Context;

export const SURFACE = 'telegram';

/** Durable per-bot delivery id: Telegram's update_id is unique per bot, not across bots. */
export function dedupeKeyOf(ctx: BotContext): string {
  return `${ctx.me.id}:${ctx.update.update_id}`;
}
