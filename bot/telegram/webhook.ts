import { timingSafeEqual } from 'node:crypto';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { safeErr } from '../core/redact.ts';
import type { BotContext } from './context.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Telegram's webhook endpoint, mountable in any Hono app (the web console's, or its own listener). A request
 * without the right X-Telegram-Bot-Api-Secret-Token is refused with 401 before anything is parsed. The
 * update is handled before answering 200, so a crash makes Telegram redeliver; redeliveries are dropped by
 * update_id downstream. Answers after 9 s at the latest (Telegram's own timeout is longer) and keeps working.
 */
export function telegramWebhookRoutes(bot: Bot<BotContext>, opts: { secret: string; logger: Logger; answerWithinMs?: number }): Hono {
  const app = new Hono();
  app.post(TELEGRAM_WEBHOOK_PATH, async (c) => {
    if (!sameSecret(c.req.header('x-telegram-bot-api-secret-token'), opts.secret)) {
      opts.logger.warn({ surface: 'telegram', ip: c.req.header('x-forwarded-for') ?? null }, 'refused a webhook call without the secret token');
      return c.json({ ok: false, error: 'unauthorized' }, 401);
    }
    let update: Update;
    try {
      update = (await c.req.json()) as Update;
    } catch {
      return c.json({ ok: false, error: 'bad json' }, 400);
    }
    if (typeof update?.update_id !== 'number') return c.json({ ok: false, error: 'not an update' }, 400);
    const work = bot.handleUpdate(update).catch((err) => opts.logger.error({ surface: 'telegram', err: safeErr(err) }, 'webhook update failed'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, opts.answerWithinMs ?? 9_000)))]);
    clearTimeout(timer);
    return c.json({ ok: true });
  });
  return app;
}
