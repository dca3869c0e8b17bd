import type { Button } from '../../coordinator/index.ts';
import type { BudgetExceededDetails } from '../errors.ts';
import type { BudgetLedger, BudgetPeriod } from './budget.ledger.ts';

/** The approval a paused run raises when a call would not fit its envelope; options are stable ids. */
export interface BudgetApprovalRequest {
  question: string;
  options: Array<{ id: 'raise' | 'keep'; label: string; style?: 'primary' | 'danger' | 'default' }>;
  details: BudgetExceededDetails;
}

/** Cents, except below a cent, where two significant digits say what a cap of "$0.00" would hide. */
export const money = (x: number) => (x !== 0 && Math.abs(x) < 0.01 ? `$${Number(x.toPrecision(2))}` : `$${x.toFixed(2)}`);
const label = (scope: string) =>
  scope === 'global' ? 'Everything together' : scope.replace(/^process:/, '').replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * Words the question the way an operator reads it: "Invoice intake has spent $4.80 of today's $5.00.
 * Raise today's cap to $8.00?" — the same text on every surface, decided like any other approval.
 */
export function budgetApprovalRequest(d: BudgetExceededDetails): BudgetApprovalRequest {
  const when = d.period === 'day' ? "today's" : "this month's";
  const held = d.reservedUsd > 0 ? ` (${money(d.reservedUsd)} more is in flight)` : '';
  return {
    question: `${label(d.scope)} has spent ${money(d.spentUsd)} of ${when} ${money(d.capUsd)}${held}. The next model call needs up to ${money(d.estimateUsd)}. Raise ${when} cap to ${money(d.suggestedCapUsd)}?`,
    options: [
      { id: 'raise', label: 'Raise', style: 'primary' },
      { id: 'keep', label: 'Keep', style: 'default' },
    ],
    details: d,
  };
}

/**
 * Applies the operator's decision: `raise` sets the suggested cap, never lowering one raised meanwhile.
 * Every run of a group applies it with its own numbers, so the cap ends at the largest suggestion of
 * the runs that waited (what they need to go on); one already high enough is left alone.
 */
export async function applyBudgetDecision(ledger: BudgetLedger, d: BudgetExceededDetails, option: string): Promise<'raised' | 'kept'> {
  if (option !== 'raise') return 'kept';
  const current = (await ledger.usage({ process: d.scope.startsWith('process:') ? d.scope.slice(8) : undefined })).find((u) => u.scope === d.scope && u.period === d.period);
  if (current?.capUsd == null || current.capUsd < d.suggestedCapUsd) await ledger.setCap(d.scope, d.period as BudgetPeriod, d.suggestedCapUsd);
  return 'raised';
}

/**
 * The same Raise / Keep choice for a request that is not a run (the operator's chat message): Raise
 * runs the `/budget set` that the run's approval would apply, Keep shows the caps and changes nothing.
 */
export function budgetChatButtons(d: BudgetExceededDetails): Button[][] {
  const who = d.scope === 'global' ? 'global' : d.scope.replace(/^process:/, '');
  return [[
    { label: 'Raise', style: 'primary', action: { type: 'command', text: `/budget set ${who} ${d.period} ${d.suggestedCapUsd}` } },
    { label: 'Keep', style: 'default', action: { type: 'command', text: '/budget' } },
  ]];
}
