import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import { ReplyDraftInput } from '../workers/reply-drafter.agent.ts';
import { withBudgetApproval, type AiStepServices } from './ai.services.ts';

/**
 * Customer message → draft (reply-drafter queue) → the operator approves, edits or discards. Without a
 * model the draft is a template and the approval says so (the escalation); nothing is ever sent
 * without the operator's decision. Approved replies become memory for future drafts.
 */
export const replyDrafting = defineProcess({
  name: 'reply-drafting',
  version: 1,
  description: 'Draft a reply to a customer message and ask the operator before it goes out',
  input: ReplyDraftInput,
  start: 'draft',
  steps: {
    draft: {
      agent: 'reply-drafter',
      next: ['draft', 'review'],
      run: async (ctx) => {
        const s = ctx.services as unknown as AiStepServices;
        const r = await withBudgetApproval(ctx, () => s.ai.draftReply(ctx.input as z.infer<typeof ReplyDraftInput>, { process: 'reply-drafting', runId: ctx.runId, step: ctx.step }));
        if (!r.ok && 'kept' in r) return ctx.fail('The operator kept the budget cap; no draft was made.');
        if (!r.ok) return r.result;
        const d = r.value;
        return ctx.goto('review', { draft: d.output, mode: d.mode, escalate: d.escalate, reason: d.escalateReason, callIds: d.callIds, retrievalIds: d.context.retrievalIds });
      },
    },
    review: {
      next: ['done'],
      run: (ctx) => {
        const d = ctx.outputs.draft as { draft: { subject: string; body: string; checks: string[] }; mode: string; reason: string | null };
        const head = d.mode === 'template' ? 'No model is configured, so this is a template draft — edit it before sending.' : d.reason === 'low_confidence' ? 'I am not confident about this draft — please check it.' : 'Draft reply ready.';
        const checks = d.draft.checks.length ? `\nCheck: ${d.draft.checks.join('; ')}` : '';
        return ctx.waitForApproval(
          {
            question: `${head}\nTo: ${ctx.input.customer.name}\nSubject: ${d.draft.subject}\n\n${d.draft.body}${checks}`,
            options: [
              { id: 'send', label: 'Send', style: 'primary' },
              { id: 'discard', label: 'Discard', style: 'danger' },
            ],
          },
          { then: 'done' },
        );
      },
    },
    done: {
      run: async (ctx) => {
        const d = ctx.outputs.draft as { draft: { subject: string; body: string }; mode: string };
        if (ctx.decision?.option !== 'send') return ctx.complete({ approved: false });
        const s = ctx.services as unknown as AiStepServices;
        await ctx.effect(
          { key: 'remember', connector: 'memory', intent: 'remember approved reply', request: { subject: d.draft.subject } },
          { perform: async () => ({ result: await s.ai.rememberApprovedReply({ customer: ctx.input.customer.name, subject: d.draft.subject, body: d.draft.body, runId: ctx.runId }) }) },
        );
        // Delivery belongs to the email connector (issue 5); this layer records the approval and learns from it.
        return ctx.complete({ approved: true, approvedBy: ctx.decision.decidedBy, mode: d.mode });
      },
    },
  },
});
