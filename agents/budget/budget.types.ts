/** The budget's shared vocabulary, on its own so the ledger and its leases need not import each other. */
export type BudgetPeriod = 'day' | 'month';

/** One cap's bucket for one period: what a reservation holds headroom in. */
export interface Envelope {
  scope: string;
  period: BudgetPeriod;
  periodKey: string;
}
