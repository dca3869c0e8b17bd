import type { z } from 'zod';
import type { Logger } from '../logger.ts';

/** How a step is retried and what happens when it finally fails. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** 0..1: the share of each delay that is randomised, so retries of many runs do not arrive together. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1_000, maxBackoffMs: 60_000, jitter: 0.3 };

export interface ApprovalRequest {
  question: string;
  /** Option ids; the first is shown as the primary button. Defaults to approve/reject. */
  options?: Array<{ id: string; label: string; style?: 'primary' | 'danger' | 'default' }>;
  /** After this long the approval is decided by `onTimeout` (a timer, durable like the approval). */
  timeoutMs?: number;
  onTimeout?: string;
  /** Re-post a reminder this often while pending. */
  remindEveryMs?: number;
  /**
   * Runs that ask the same question with the same group share it: only the first run's question is
   * posted, and the operator's answer decides every run waiting in the group (a budget cap that
   * paused many runs asks once, and one Raise resumes them all).
   */
  group?: string;
  /**
   * The question also takes a typed value: the operator's reply to its message (never any other text)
   * is validated as this kind and decides the option `typed`, carrying the value (ctx.decision.value).
   * For "what is the right total?" where the printed candidates are the buttons.
   */
  answer?: { kind: TypedAnswerKind; label: string };
}

/** What a typed answer must be: an amount (396.27), a calendar date (2026-01-04) or a short text. */
export type TypedAnswerKind = 'amount' | 'date' | 'text';

export interface Decision {
  approvalId: string;
  option: string;
  decidedBy: string;
  via: string;
  reason: string | null;
  at: string;
  /** The validated value of a typed answer (option `typed`), as text: "396.27", "2026-01-04", "Brightline". */
  value?: string | null;
}

/** What a step's handler returns: its output and where the run goes next. */
export type StepResult =
  | { kind: 'goto'; next: string; output: unknown }
  | { kind: 'complete'; output: unknown }
  | { kind: 'fail'; reason: string; output: unknown }
  | { kind: 'approval'; then: string; request: ApprovalRequest; output: unknown }
  | { kind: 'sleep'; then: string; until: string; output: unknown }
  | { kind: 'parallel'; then: string; branches: Branch[]; output: unknown };

/**
 * One branch of ctx.parallel, run as a child run: a step of this process (on this run's version, with
 * this run's input and outputs so far), or another process from its start with its own input.
 */
export type Branch = { name?: string; step: string } | { name: string; process: string; input?: unknown };

/** What a join step finds under each branch's name in ctx.outputs. */
export interface BranchOutcome {
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  result: unknown;
  error: string | null;
}

export interface EffectSpec {
  /** Unique within the step; the ledger key is scoped by run and step. */
  key: string;
  connector: string;
  intent: string;
  request: unknown;
}

export interface EffectHandlers<T> {
  /** Performs the write, passing the idempotency key to the outside system where it supports one. */
  perform(idempotencyKey: string): Promise<{ externalId?: string | null; result: T }>;
  /** Looks the write up after a crash left its outcome unknown; null when it did not happen. */
  reconcile?(idempotencyKey: string): Promise<{ externalId?: string | null; result: T } | null>;
}

/** What a handler can see and do. Everything read from the world must come back as the step's output. */
export interface StepContext<I = unknown, S extends Services = Services> {
  runId: string;
  step: string;
  attempt: number;
  input: I;
  /** Outputs of the steps completed so far (the latest output of each). */
  outputs: Record<string, unknown>;
  /** The latest operator decision in this run, if any. */
  decision: Decision | null;
  signal: AbortSignal;
  services: S;
  log: Logger;
  /** An external write that happens at most once per key, even when the step is retried or replayed. */
  effect<T>(spec: EffectSpec, handlers: EffectHandlers<T>): Promise<T>;
  goto(next: string, output?: unknown): StepResult;
  complete(output?: unknown): StepResult;
  fail(reason: string, output?: unknown): StepResult;
  waitForApproval(request: ApprovalRequest, opts: { then: string; output?: unknown }): StepResult;
  sleepUntil(until: Date | string, opts: { then: string; output?: unknown }): StepResult;
  /**
   * Runs branches in parallel as child runs and waits for all of them; then `then` runs with each
   * branch's BranchOutcome in ctx.outputs under the branch's name (its step name by default). A
   * failed branch does not fail this run: the join step decides.
   */
  parallel(branches: Branch[], opts: { then: string; output?: unknown }): StepResult;
}

/** Services the composition root injects into handlers (agents, perception, connectors, operator). */
export interface Services {
  [name: string]: unknown;
}

export interface StepDefinition<I = unknown> {
  /** The agent type whose BullMQ queue runs this step. */
  agent?: string;
  /** Declared successors (goto/then targets), so the graph can be listed and drawn and checked. */
  next?: string[];
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** On final failure: ask the operator (retry or cancel) or fail the run. */
  onFinalFailure?: 'escalate' | 'fail';
  description?: string;
  run(ctx: StepContext<I>): Promise<StepResult> | StepResult;
}

export interface ProcessDefinition<I = unknown> {
  name: string;
  version: number;
  description: string;
  input: z.ZodType<I>;
  start: string;
  steps: Record<string, StepDefinition<I>>;
}

export class ProcessDefinitionError extends Error {}

/**
 * Declares a process graph. Checked at definition time: the start step exists, every declared successor
 * exists, names are safe to use in job ids. Handlers are checked at run time against `next`.
 */
export function defineProcess<I>(def: ProcessDefinition<I>): ProcessDefinition<I> {
  const nameOk = /^[a-z][a-z0-9-]{1,62}$/;
  if (!nameOk.test(def.name)) throw new ProcessDefinitionError(`Process name "${def.name}" must be lower-case letters, digits and dashes.`);
  if (!Number.isInteger(def.version) || def.version < 1) throw new ProcessDefinitionError(`Process ${def.name}: version must be a positive integer.`);
  if (!def.steps[def.start]) throw new ProcessDefinitionError(`Process ${def.name}: start step "${def.start}" is not defined.`);
  for (const [name, step] of Object.entries(def.steps)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(name)) throw new ProcessDefinitionError(`Process ${def.name}: step name "${name}" must be letters, digits and _.`);
    if (step.agent && !/^[a-z][a-z0-9-]{0,40}$/.test(step.agent)) throw new ProcessDefinitionError(`Process ${def.name}: agent "${step.agent}" must be lower-case letters, digits and dashes.`);
    for (const n of step.next ?? []) {
      if (!def.steps[n]) throw new ProcessDefinitionError(`Process ${def.name}: step "${name}" names unknown successor "${n}".`);
    }
  }
  return def;
}

export function retryPolicyOf(step: StepDefinition<unknown>): RetryPolicy {
  return { ...DEFAULT_RETRY, ...step.retry };
}
