import { AppError } from '../coordinator/errors.ts';

/**
 * The named failure modes of an agent call. The coordinator classifies by these codes (never by
 * `instanceof`, which does not survive a queue): retry, deep pass or escalation to the operator.
 */
export const AGENT_FAILURE_CODES = [
  'invalid_output',
  'low_confidence',
  'budget_exceeded',
  'provider_unavailable',
  'policy_blocked',
  'model_not_configured',
  'price_unknown',
] as const;
export type AgentFailureCode = (typeof AGENT_FAILURE_CODES)[number];

/** What the coordinator should do with each failure mode when the agent does not say otherwise. */
export const DEFAULT_FAILURE_HANDLING: Record<AgentFailureCode, 'retry' | 'deep_pass' | 'escalate'> = {
  invalid_output: 'deep_pass',
  low_confidence: 'deep_pass',
  budget_exceeded: 'escalate',
  provider_unavailable: 'retry',
  policy_blocked: 'escalate',
  model_not_configured: 'escalate',
  price_unknown: 'escalate',
};

export class AgentError extends AppError {
  declare readonly code: AgentFailureCode;
  constructor(code: AgentFailureCode, message: string, opts: { retryable?: boolean; retryAfterMs?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { retryable: opts.retryable ?? false, retryAfterMs: opts.retryAfterMs, reportable: code === 'invalid_output' || code === 'provider_unavailable', details: opts.details, cause: opts.cause });
    this.name = 'AgentError';
  }
}

/** Structured output did not validate, even after one repair attempt. Details carry the zod issues and call ids. */
export class InvalidOutputError extends AgentError {
  constructor(message: string, details: Record<string, unknown>) {
    super('invalid_output', message, { details });
    this.name = 'InvalidOutputError';
  }
}

/**
 * Every model in the tier's fallback chain failed or had its circuit open; worth retrying later, and
 * not before `retryAfterMs` when a provider said how long it is rate limited for.
 */
export class ProviderUnavailableError extends AgentError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown, retryAfterMs?: number) {
    super('provider_unavailable', message, { retryable: true, retryAfterMs, details, cause });
    this.name = 'ProviderUnavailableError';
  }
}

/** What an approval message needs to ask the operator to raise a cap. */
export interface BudgetExceededDetails {
  scope: string;
  period: 'day' | 'month';
  periodKey: string;
  capUsd: number;
  spentUsd: number;
  reservedUsd: number;
  estimateUsd: number;
  /** A cap that would let this call (and a little more) through. */
  suggestedCapUsd: number;
  [key: string]: unknown;
}

/** The call was not made because its estimate does not fit an envelope; the run should pause for the operator. */
export class BudgetExceededError extends AgentError {
  declare readonly details: BudgetExceededDetails;
  constructor(message: string, details: BudgetExceededDetails) {
    super('budget_exceeded', message, { details });
    this.name = 'BudgetExceededError';
  }
}

/**
 * A cap applies to the call but nothing says what the model costs: counting it as free would let it
 * spend past every cap, so it is not made until the operator sets a price.
 */
export class PriceUnknownError extends AgentError {
  constructor(model: string) {
    super('price_unknown', `No price is known for model "${model}", and a budget cap applies to this call, so it was not made. Set its price (USD per million tokens): /costs price ${model} <input> <output> — or COO_MODEL_DEFAULT_PRICE="<input>,<output>" for every model without one.`, { details: { model } });
    this.name = 'PriceUnknownError';
  }
}

/** No model is configured: the caller should produce a template draft and escalate instead of failing. */
export class ModelNotConfiguredError extends AgentError {
  constructor(tier: string) {
    super('model_not_configured', `No model is configured for tier "${tier}"; running without a model.`, { details: { tier } });
    this.name = 'ModelNotConfiguredError';
  }
}

export class PolicyBlockedError extends AgentError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('policy_blocked', message, { details });
    this.name = 'PolicyBlockedError';
  }
}

export class LowConfidenceError extends AgentError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('low_confidence', message, { details });
    this.name = 'LowConfidenceError';
  }
}

/** Classifies any error by its code, after serialisation too. */
export function agentFailureCode(err: unknown): AgentFailureCode | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (AGENT_FAILURE_CODES as readonly string[]).includes(code) ? (code as AgentFailureCode) : null;
}
