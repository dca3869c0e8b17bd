import type { CoreServices, StatusSectionInput, StepContext, StepResult } from '../../coordinator/index.ts';
import type { AgentResult } from '../define-agent.ts';
import { agentFailureCode, type BudgetExceededDetails } from '../errors.ts';
import { budgetApprovalRequest } from '../budget/budget.approval.ts';
import type { ReplyDraft, ReplyDraftInput } from '../workers/reply-drafter.agent.ts';
import type { InvoiceInput, Reconciliation } from '../workers/invoice-reconciler.agent.ts';
import type { RetentionReport } from '../../memory/index.ts';

/**
 * What the AI layer's process steps may call (the composition root, agents/wiring/ai.layer.ts,
 * implements it). Process files import only these types, so they stay free of Prisma and node:*.
 */
export interface AiServices {
  runTool(tool: string, args: unknown, ctx: { actor: string; surface: string }): Promise<unknown>;
  runRetention(): Promise<RetentionReport>;
  draftReply(input: ReplyDraftInput, meta: { process: string; runId: string; step: string }): Promise<AgentResult<ReplyDraft>>;
  rememberApprovedReply(input: { customer: string; subject: string; body: string; runId: string }): Promise<void>;
  applyBudgetDecision(details: BudgetExceededDetails, option: string): Promise<'raised' | 'kept'>;
  reconcileInvoice(input: InvoiceInput, meta: { process: string; runId: string; step: string }): Promise<AgentResult<Reconciliation>>;
  /** Records an accepted invoice under its vendor (creating the vendor when unknown); returns the episode id. */
  rememberInvoice(input: InvoiceInput, r: Reconciliation, runId: string): Promise<string>;
  /** Lines for the daily digest: model spend, deep passes and their cost, memory mode. */
  digestLines(): Promise<string[]>;
  /** Sections for the console's status page: model spend today and this month against the caps. */
  statusSections(): Promise<StatusSectionInput[]>;
}

export type AiStepServices = CoreServices & { ai: AiServices };

/** The approval group of a cap's question: its envelope (scope, period and the period's key). */
export const budgetGroup = (d: Pick<BudgetExceededDetails, 'scope' | 'period' | 'periodKey'>) => `budget:${d.scope}/${d.period}/${d.periodKey}`;

/**
 * Runs an agent call inside a step. A `budget_exceeded` failure does not fail the step: the run pauses
 * on a durable approval ("… Raise today's cap to $8.00? [Raise] [Keep]") and the step runs again once
 * the operator decides. On Raise the cap is raised first; on Keep the step gets `{ kept: true }`. Runs
 * paused on the same cap share one question (approval group), so one answer resumes them all.
 */
export async function withBudgetApproval<T>(
  ctx: StepContext<any>,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; result: StepResult } | { ok: false; kept: true }> {
  const services = ctx.services as unknown as AiStepServices;
  const asked = (ctx.outputs[ctx.step] as { budget?: BudgetExceededDetails; askedAt?: string } | undefined)?.budget;
  if (asked && ctx.decision && ['raise', 'keep'].includes(ctx.decision.option)) {
    const applied = await services.ai.applyBudgetDecision(asked, ctx.decision.option);
    if (applied === 'kept') return { ok: false, kept: true };
  }
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (agentFailureCode(err) !== 'budget_exceeded') throw err;
    const details = (err as { details: BudgetExceededDetails }).details;
    const ask = budgetApprovalRequest(details);
    // One question per cap and period: every run the cap pauses waits on it, and one answer resumes them all.
    return { ok: false, result: ctx.waitForApproval({ question: ask.question, options: ask.options, group: budgetGroup(details) }, { then: ctx.step, output: { budget: details } }) };
  }
}
