import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';

const InboundItemInputSchema = z.object({
  connector: z.string(),
  account: z.string(),
  externalId: z.string(),
  kind: z.string(),
  schemaVersion: z.number().int(),
  item: z.unknown(),
});

/** A one-line account of the item for the run's output (amount and party where the item has them). */
function summarize(kind: string, item: unknown): string {
  const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const amount = typeof o.amount === 'string' || typeof o.amount === 'number' ? `${o.amount}${typeof o.currency === 'string' ? ` ${o.currency}` : ''}` : null;
  const party = [o.counterparty, o.customerEmail, o.email, o.description].find((v) => typeof v === 'string' && v) as string | undefined;
  return [kind, amount, party?.slice(0, 80)].filter(Boolean).join(' · ');
}

/**
 * The built-in receiver of normalized items (payment events, bank transactions, form submissions):
 * it records the item as the run's output, so every inbound item has a run the operator can find.
 * Richer handling (matching a payment to an invoice) is a process of its own that an item kind names.
 * Pure: it sees the normalized item only, never the connector or its protocol.
 */
export const inboundItem = defineProcess({
  name: 'inbound-item',
  version: 1,
  description: 'Records an item a connector delivered (payment event, bank transaction, form submission)',
  input: InboundItemInputSchema,
  start: 'record',
  steps: {
    record: {
      description: 'Keep the normalized item as this run\'s result',
      run: (ctx) => ctx.complete({ connector: ctx.input.connector, account: ctx.input.account, externalId: ctx.input.externalId, kind: ctx.input.kind, summary: summarize(ctx.input.kind, ctx.input.item) }),
    },
  },
});
