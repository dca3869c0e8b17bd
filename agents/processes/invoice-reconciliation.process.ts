import { defineProcess } from '../../coordinator/index.ts';
import { InvoiceInput, type Reconciliation } from '../workers/invoice-reconciler.agent.ts';
import { withBudgetApproval, type AiStepServices } from './ai.services.ts';

/**
 * The review's buttons. A duplicate's safe answer is Reject, so it is the primary button; accepting
 * stays possible, named for what it does.
 */
export function reviewOptions(r: Pick<Reconciliation, 'flags'>): Array<{ id: string; label: string; style: 'primary' | 'danger' | 'default' }> {
  if (r.flags.includes('duplicate')) {
    return [
      { id: 'reject', label: 'Reject (duplicate)', style: 'primary' },
      { id: 'accept', label: 'Accept anyway', style: 'danger' },
    ];
  }
  return [
    { id: 'accept', label: 'Accept', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger' },
  ];
}

/** A calendar date (2027-01-04) as people read it: "4 Jan 2027". It is a day, not an instant, so no zone shifts it. */
function day(d: unknown): string | null {
  const iso = d instanceof Date ? d.toISOString().slice(0, 10) : typeof d === 'string' ? d.slice(0, 10) : null;
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/** "Recorded: Brightline Studio invoice 2026-118, 396.27 EUR, due 4 Jan 2027." — or why it was not. */
export function outcomeText(i: { vendorName: string; invoiceNumber: string; amount: number; currency: string; dueDate?: unknown }, accepted: boolean, r: Pick<Reconciliation, 'flags'>): string {
  const what = `${i.vendorName} invoice ${i.invoiceNumber}, ${i.amount.toFixed(2)} ${i.currency}`;
  const due = day(i.dueDate);
  if (accepted) return `Recorded: ${what}${due ? `, due ${due}` : ''}.${r.flags.includes('duplicate') ? ' It was flagged as a duplicate; you accepted it anyway.' : ''}`;
  return `Rejected: ${what} — not recorded${r.flags.includes('duplicate') ? ' (a duplicate of one already recorded)' : ''}.`;
}

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
            options: reviewOptions(r),
          },
          { then: 'record', output: { asked: true } },
        );
      },
    },
    record: {
      run: async (ctx) => {
        const { reconciliation: r } = ctx.outputs.reconcile as { reconciliation: Reconciliation };
        const flagged = (ctx.outputs.review as { asked?: boolean } | undefined)?.asked === true;
        const s = ctx.services as unknown as AiStepServices;
        const accepted = !flagged || ctx.decision?.option === 'accept';
        let episodeId: string | null = null;
        if (accepted) {
          episodeId = await ctx.effect(
            { key: 'remember', connector: 'memory', intent: 'remember invoice', request: { number: ctx.input.invoiceNumber } },
            { perform: async () => ({ result: await s.ai.rememberInvoice(ctx.input as never, r, ctx.runId) }) },
          );
        }
        // The operator is told what became of the invoice, whichever way it went.
        const text = outcomeText(ctx.input, accepted, r);
        const ref = `${ctx.runId}-outcome`;
        await ctx.effect(
          { key: 'outcome', connector: 'operator', intent: 'tell the operator what was recorded', request: { text } },
          {
            perform: async () => ({ result: await s.operator.post({ text, kind: 'notice', ref }) }),
            reconcile: async () => {
              const found = await s.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        return ctx.complete(accepted ? { accepted: true, flags: r.flags, episodeId } : { accepted: false, flags: r.flags });
      },
    },
  },
});
