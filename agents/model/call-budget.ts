import { agentFailureCode, PriceUnknownError } from '../errors.ts';
import type { BudgetLedger, Reservation } from '../budget/budget.ledger.ts';
import { costOf, type Price, type PriceTable } from './prices.ts';

/** The most a request can cost: what its reservation holds and what an honest answer stays within. */
export interface WorstCase {
  model: string;
  price: Price | null;
  /** Input tokens the request can be billed for at most (every byte a token, plus per-item overhead). */
  tokensIn: number;
  /** Output tokens it allows (max_tokens; 0 for embeddings). */
  tokensOut: number;
  usd: number;
}

/** Tokens a provider may add per embedded text (begin/end markers), on top of one per byte. */
export const EMBED_TOKENS_PER_TEXT = 8;

export async function worstCase(prices: PriceTable, model: string, tokensIn: number, tokensOut: number): Promise<WorstCase> {
  const price = await prices.priceOf(model);
  return { model, price, tokensIn, tokensOut, usd: costOf(price, tokensIn, tokensOut) };
}

/**
 * Reserves a priced call's worst case before it is made, chat or embedding alike (the lease path when
 * the ledger has one). A model with no known price reserves nothing and, if any cap applies to the
 * call, is refused with how to set a price: a call counted as $0 would never trip a cap.
 */
export async function reserveCall(budget: BudgetLedger | null | undefined, process: string | undefined, w: WorstCase): Promise<Reservation | null> {
  if (!budget) return null;
  if (w.price) return budget.reserve({ process, amountUsd: w.usd }); // throws budget_exceeded: the call is not made
  const probe = await budget.reserve({ process, amountUsd: 0 }).catch((err) => {
    if (agentFailureCode(err) === 'budget_exceeded') throw new PriceUnknownError(w.model);
    throw err;
  });
  if (probe.envelopes.length === 0) return probe;
  await budget.release(probe);
  throw new PriceUnknownError(w.model);
}

/**
 * What a provider billed beyond what the request allows, in words for an incident, or null. The
 * true cost is what gets counted (the figure shown is the real spend); this only makes it visible.
 */
export function overReport(w: WorstCase, provider: string, used: { tokensIn: number; tokensOut: number; costUsd: number }): string | null {
  const parts: string[] = [];
  if (used.tokensOut > w.tokensOut) parts.push(`${used.tokensOut} output tokens where the request allowed ${w.tokensOut}`);
  if (used.tokensIn > w.tokensIn) parts.push(`${used.tokensIn} input tokens where the request could use at most ${w.tokensIn}`);
  if (parts.length === 0 && used.costUsd <= w.usd + 1e-9) return null;
  return `${provider}:${w.model} reported ${parts.join(' and ') || 'more than the request allows'}: the call cost $${used.costUsd.toFixed(6)} against the $${w.usd.toFixed(6)} reserved for it. The true cost is counted against the caps, so later calls see it; check the provider's bill.`;
}

/** "14:32 Europe/Berlin" (with the date when it is not today there): when a rate limit ends. */
export function untilInWords(at: Date, timeZone: string, now = new Date()): string {
  const day = (d: Date) => d.toLocaleDateString('en-CA', { timeZone });
  const time = at.toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${day(at) === day(now) ? '' : `${day(at)} `}${time} ${timeZone}`;
}
