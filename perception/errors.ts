import { AppError } from '../coordinator/errors.ts';

/** Stable codes; the coordinator routes on these, never on message text. */
export const PERCEPTION_ERROR_CODES = [
  'unsupported_type',
  'too_large',
  'corrupt',
  'encrypted',
  'too_many_pages',
  'empty',
  'timeout',
  'aborted',
  'config_invalid',
  'model_invalid',
  'ocr_failed',
] as const;
export type PerceptionErrorCode = (typeof PERCEPTION_ERROR_CODES)[number];

/** Transient faults (ours, not the file's) are worth a retry; bad files are not. */
const RETRYABLE: ReadonlySet<PerceptionErrorCode> = new Set(['timeout', 'ocr_failed']);
const REPORTABLE: ReadonlySet<PerceptionErrorCode> = new Set(['model_invalid', 'ocr_failed']);

/**
 * A perception failure with an operator-facing message (what happened and what to do), never a stack trace.
 * The underlying library error, if any, stays in `cause` for logs.
 */
export class PerceptionError extends AppError {
  declare readonly code: PerceptionErrorCode;

  constructor(code: PerceptionErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { retryable: RETRYABLE.has(code), reportable: REPORTABLE.has(code), ...opts });
    this.name = 'PerceptionError';
  }
}

/** Classifies by `code`, which survives serialisation where `instanceof` does not. */
export function isPerceptionError(e: unknown): e is PerceptionError {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && (PERCEPTION_ERROR_CODES as readonly string[]).includes(code);
}
