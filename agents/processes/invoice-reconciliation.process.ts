import { defineProcess } from '../../coordinator/index.ts';
import { InvoiceInput, type Reconciliation } from '../workers/invoice-reconciler.agent.ts';
import { withBudgetApproval, type AiStepServices } from './ai.services.ts';

/**
 * An invoice from perception → reconcile against vendors, earlier invoices and open payables
 * (invoice-reconciler queue) → the operator confirms when anything is flagged → the invoice is
 * remembered, so the next duplicate or price change is caught.
 */
export const invoiceReconciliation = defineProcess({
  name: 'invoice-reconciliation',
  version: 1,
  description: 'Match an invoice to its vendor, earlier invoices and open payables; flag duplicates and amount changes',
  input: InvoiceInput,
  start: 'reconcile',
  steps: {
    reconcile: {
      agent: 'invoice-reconciler',
      next: ['reconcile', 'review', 'record'],
      run: async (ctx) => {
        const s = ctx.services as unknown as AiStepServices;
        const r = await withBudgetApproval(ctx, () => s.ai.reconcileInvoice(ctx.input as never, { process: 'invoice-reconciliation', runId: ctx.runId, step: ctx.step }));
        if (!r.ok && 'kept' in r) return ctx.fail('The operator kept the budget cap; the invoice was not reconciled.');
        if (!r.ok) return r.result;
        const out = { reconciliation: r.value.output, mode: r.value.mode, callIds: r.value.callIds };
        const clean = r.value.output.flags.length === 0 || (r.value.output.flags.length === 1 && r.value.output.flags[0] === 'no_open_payable' && r.value.output.vendor.match === 'exact');
        return clean ? ctx.goto('record', out) : ctx.goto('review', out);
      },
    },
    review: {
      next: ['record'],
      run: (ctx) => {
        const { reconciliation: r, mode } = ctx.outputs.reconcile as { reconciliation: Reconciliation; mode: string };
        const i = ctx.input;
        // Flags are computed by code; a model's note was written from the invoice's own (untrusted) text.
        const note = mode === 'model' ? `Note written by the model from the invoice text (not checked): ${r.note}` : r.note;
        return ctx.waitForApproval(
          {
            question: `Invoice ${i.invoiceNumber} from ${i.vendorName}: ${i.amount.toFixed(2)} ${i.currency}.\nFlags: ${r.flags.join(', ')}.\n${note}`,
            options: [
              { id: 'accept', label: 'Accept', style: 'primary' },
              { id: 'reject', label: 'Reject', style: 'danger' },
            ],
          },
          { then: 'record', output: { asked: true } },
        );
      },
    },
    record: {
      run: async (ctx) => {
        const { reconciliation: r } = ctx.outputs.reconcile as { reconciliation: Reconciliation };
        const flagged = (ctx.outputs.review as { asked?: boolean } | undefined)?.asked === true;
        if (flagged && ctx.decision?.option !== 'accept') return ctx.complete({ accepted: false, flags: r.flags });
        const s = ctx.services as unknown as AiStepServices;
        const episodeId = await ctx.effect(
          { key: 'remember', connector: 'memory', intent: 'remember invoice', request: { number: ctx.input.invoiceNumber } },
          { perform: async () => ({ result: await s.ai.rememberInvoice(ctx.input as never, r, ctx.runId) }) },
        );
        return ctx.complete({ accepted: true, flags: r.flags, episodeId });
      },
    },
  },
});
