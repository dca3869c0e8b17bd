import { AppError } from '../../coordinator/index.ts';

/**
 * Errors raised by the chat surfaces. Classified by `code`, never by instanceof once they leave bot/.
 * Messages never contain tokens, signatures or file contents.
 */
export class ChatError extends AppError {
  constructor(code: ChatErrorCode, message: string, opts: { retryable?: boolean; reportable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'ChatError';
  }
}

export type ChatErrorCode =
  | 'chat_rate_limited'
  | 'chat_send_failed'
  | 'chat_file_too_large'
  | 'chat_file_download_failed'
  | 'chat_queue_stopped'
  | 'chat_pairing_invalid'
  | 'chat_button_unknown';

/** A platform said "slow down": the lane pauses for `retryAfterMs` and retries the same item, keeping order. */
export class RateLimitedError extends ChatError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, cause?: unknown) {
    super('chat_rate_limited', `Rate limited; retry after ${retryAfterMs} ms`, { retryable: true, cause });
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A short reference shown to the operator ("ref 7f3a2c") and written to the log with the full error. */
export function errorRef(): string {
  return Math.random().toString(16).slice(2, 8);
}
