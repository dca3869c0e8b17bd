import { Api } from 'grammy';
import type { BotConfig } from '../config.ts';
import { safeErr } from '../core/redact.ts';

export interface WebhookStateCheck {
  ok: boolean;
  /** True when the answer could not be had (Telegram unreachable): a warning, not a fault. */
  optional?: boolean;
  detail: string;
}

const DELETE_HINT = 'restart the COO with the chat role (starting long polling removes the webhook), or call deleteWebhook: curl "https://api.telegram.org/bot<TELEGRAM_BOT_TOKEN>/deleteWebhook"';

/**
 * `coo doctor`'s view of Telegram's side: asks getWebhookInfo and compares it with the configured mode.
 * Telegram keeps a webhook after the process that set it is gone, and while one is set it refuses long
 * polling (409 Conflict), so a bot switched back to polling would otherwise go silent without a word.
 */
export async function checkTelegramWebhook(config: BotConfig): Promise<WebhookStateCheck | null> {
  if (!config.TELEGRAM_BOT_TOKEN) return null;
  const api = new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT ?? 'https://api.telegram.org', timeoutSeconds: 10 });
  let info: Awaited<ReturnType<Api['getWebhookInfo']>>;
  try {
    info = await api.getWebhookInfo();
  } catch (err) {
    return { ok: false, optional: true, detail: `could not ask Telegram for the webhook state (${safeErr(err).message}); check the network and TELEGRAM_BOT_TOKEN` };
  }
  const lastError = info.last_error_message ? `; Telegram's last delivery error: "${info.last_error_message}" (check your reverse proxy)` : '';
  const wanted = config.TELEGRAM_WEBHOOK_URL;
  if (!wanted) {
    if (!info.url) return { ok: true, detail: 'no webhook is set at Telegram, as long polling needs' };
    return { ok: false, detail: `a webhook is set (${info.url}) but the COO is configured for long polling, so Telegram refuses to hand it updates (409 Conflict). Fix: ${DELETE_HINT}; or set TELEGRAM_WEBHOOK_URL if webhook mode was meant` };
  }
  if (!info.url) return { ok: false, detail: `no webhook is set at Telegram, so no updates arrive. Fix: start the COO with the chat role (it registers TELEGRAM_WEBHOOK_URL, ${wanted}); or unset TELEGRAM_WEBHOOK_URL for long polling` };
  if (info.url !== wanted) return { ok: false, detail: `Telegram posts updates to ${info.url}, not to TELEGRAM_WEBHOOK_URL (${wanted}). Fix: restart the COO with the chat role (it calls setWebhook with the configured URL), or correct TELEGRAM_WEBHOOK_URL` };
  return { ok: !lastError, detail: `Telegram posts updates to ${info.url} (${info.pending_update_count} pending)${lastError}` };
}
