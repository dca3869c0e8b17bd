import { type Bot, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { safeErr } from '../core/redact.ts';
import type { BotContext } from './context.ts';

/**
 * Long polling with explicit offsets. An update is confirmed (offset moves past it) only after it was
 * handled, so a crash mid-update makes Telegram redeliver it on the next start; the coordinator's durable
 * inbound receipt (keyed by update_id) then drops what was already processed. Errors never stop the loop.
 */
export class TelegramPoller {
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private stopped = false;
  private offset: number | undefined;

  constructor(private readonly bot: Bot<BotContext>, private readonly opts: { logger: Logger; timeoutSeconds?: number }) {}

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const started = Date.now();
      let updates: Update[];
      try {
        updates = await this.bot.api.getUpdates(
          { offset: this.offset, timeout: this.opts.timeoutSeconds ?? 30, allowed_updates: ['message', 'callback_query'] },
          // grammY types its signal parameter with the abort-controller shim; the runtime takes Node's.
          this.abort.signal as unknown as Parameters<Bot<BotContext>['api']['getUpdates']>[1],
        );
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        failures++;
        if (err instanceof GrammyError && err.error_code === 409) {
          // Not a passing fault: a webhook was set or another process polls with this token. Say so plainly.
          this.opts.logger.error({ surface: 'telegram', err: safeErr(err), failures }, 'Telegram refuses long polling (409 Conflict): a webhook is set for this bot or another process polls with its token; run `coo doctor`, and restart the COO to remove the webhook');
        } else {
          this.opts.logger.warn({ surface: 'telegram', err: safeErr(err), failures }, 'getUpdates failed; retrying');
        }
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), this.abort.signal);
        continue;
      }
      for (const update of updates) {
        // handleUpdate does not throw for handler errors (boundaries and bot.catch take them).
        await this.bot.handleUpdate(update).catch((err) => this.opts.logger.error({ surface: 'telegram', err: safeErr(err) }, 'update failed'));
        this.offset = update.update_id + 1;
      }
      // A server that answers an empty poll at once (not holding the request) must not spin the CPU.
      if (updates.length === 0 && Date.now() - started < 20) await sleep(200, this.abort.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
