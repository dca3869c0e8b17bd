import { defineConnector } from '../bus/connector.define.ts';
import { BankTransactionSchema } from './bank-transaction.ts';

/**
 * Bank statements, imported from files (`coo import bank`): no pull and no credentials. Each row or
 * entry is an item keyed by its content hash within the account; a row that does not read reaches the
 * operator as an incident with the row as it was.
 */
export const bankConnector = defineConnector({
  name: 'bank',
  version: 1,
  normalize: { 'bank.transaction': { version: 1, schema: BankTransactionSchema, process: 'inbound-item' } },
});
