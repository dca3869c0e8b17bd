import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A bank transaction as processes see it, whatever the bank's export looked like. */
export const BankTransactionSchema = z.object({
  account: z.string().min(1),
  bookingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)'),
  valueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  /** Signed decimal string in the currency's unit: "-12.50" left the account. */
  amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a signed decimal amount such as -12.50'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code'),
  counterparty: z.string().nullable(),
  description: z.string(),
  /** The bank's own reference where the export has one (CAMT AcctSvcrRef). */
  bankReference: z.string().nullable(),
  source: z.enum(['csv', 'camt053']),
});
export type BankTransaction = z.infer<typeof BankTransactionSchema>;

const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Content hashes within one account: what the transaction says (date, amount, currency, party, text),
 * plus its occurrence number among identical ones in the same file, so two equal coffees on one day
 * stay two, and the same or an overlapping statement imported again yields the same keys.
 */
export function contentKeys(txs: Array<Omit<BankTransaction, 'source' | 'bankReference' | 'valueDate'>>): string[] {
  const seen = new Map<string, number>();
  return txs.map((t) => {
    const base = [t.account, t.bookingDate, normalizeAmount(t.amount), t.currency, norm(t.counterparty), norm(t.description)].join('\u0000');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `tx-${createHash('sha256').update(`${base}\u0000${n}`).digest('hex').slice(0, 32)}`;
  });
}

/** "-12.5", "-12.50" and "-0012.500" are one amount. */
export function normalizeAmount(a: string): string {
  const neg = a.startsWith('-');
  const [int, frac = ''] = a.replace(/^[-+]/, '').split('.');
  const f = frac.replace(/0+$/, '');
  const i = int.replace(/^0+(?=\d)/, '');
  const v = f ? `${i}.${f}` : i;
  return neg && v !== '0' ? `-${v}` : v;
}
