/**
 * Every error the product raises extends AppError so that it can be classified by its stable `code`
 * after crossing a queue or the event log, where `instanceof` no longer holds.
 */
export class AppError extends Error {
  readonly code: string;
  /** Worth retrying with backoff (transient); false for bad input and policy refusals. */
  readonly retryable: boolean;
  /** Our fault rather than the operator's: worth an incident. */
  readonly reportable: boolean;
  readonly details?: Record<string, unknown>;
  /** The soonest a retry can succeed (a provider's Retry-After): a step retry waits at least this long. */
  readonly retryAfterMs?: number;

  constructor(
    code: string,
    message: string,
    opts: { retryable?: boolean; reportable?: boolean; retryAfterMs?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.reportable = opts.reportable ?? false;
    this.details = opts.details;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Bad input from the operator or a caller: never retried, answered with the message. */
export class UserInputError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { retryable: false, reportable: false, details });
    this.name = 'UserInputError';
  }
}

/** A step failure that retrying cannot fix (validation, policy): goes straight to final failure. */
export class PermanentError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { retryable: false, reportable: true, details });
    this.name = 'PermanentError';
  }
}

export class ConfigError extends AppError {
  constructor(message: string) {
    super('config_invalid', message, { retryable: false, reportable: false });
    this.name = 'ConfigError';
  }
}

/** A plain, serialisable view of any thrown value, for events, incidents and replies. */
export function describeError(err: unknown): { code: string; message: string; retryable: boolean; retryAfterMs?: number; stack?: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message, retryable: err.retryable, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}), stack: err.stack };
  if (err instanceof Error) return { code: 'unexpected', message: err.message, retryable: true, stack: err.stack };
  return { code: 'unexpected', message: String(err), retryable: true };
}
