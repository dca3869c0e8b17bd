import { z } from 'zod';
import { defineConnector } from '../bus/connector.define.ts';

/** Currencies whose smallest unit is the unit itself (Stripe's list): 500 JPY is ¥500, not ¥5.00. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

function fromMinor(amount: number, currency: string): string {
  if (ZERO_DECIMAL.has(currency.toLowerCase())) return `${amount}`;
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export const PaymentEventSchema = z.object({
  event: z.enum(['payment.succeeded', 'payment.failed', 'payment.refunded']),
  provider: z.enum(['stripe', 'generic']),
  eventId: z.string(),
  paymentId: z.string(),
  /** Decimal string in the currency's unit ("12.34"), never a float. */
  amount: z.string().regex(/^-?\d+(\.\d+)?$/),
  currency: z.string().length(3),
  customerEmail: z.string().nullable(),
  description: z.string().nullable(),
  /** Why a payment failed, where the provider says. */
  reason: z.string().nullable(),
  occurredAt: z.string().nullable(),
});
export type PaymentEvent = z.infer<typeof PaymentEventSchema>;

const STRIPE_KINDS: Record<string, PaymentEvent['event']> = {
  'payment_intent.succeeded': 'payment.succeeded',
  'charge.succeeded': 'payment.succeeded',
  'checkout.session.completed': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  'charge.failed': 'payment.failed',
  'charge.refunded': 'payment.refunded',
};

/** A Stripe event (payment intent, charge or checkout session) as the normalized payment event. */
const StripeEvent = z
  .object({
    id: z.string().min(1),
    type: z.string(),
    created: z.number().int(),
    data: z.object({
      object: z.object({
        id: z.string(),
        amount: z.number().int().optional(),
        amount_total: z.number().int().optional(),
        amount_refunded: z.number().int().optional(),
        currency: z.string().length(3),
        receipt_email: z.string().nullish(),
        customer_email: z.string().nullish(),
        customer_details: z.object({ email: z.string().nullish() }).nullish(),
        billing_details: z.object({ email: z.string().nullish() }).nullish(),
        description: z.string().nullish(),
        last_payment_error: z.object({ message: z.string().nullish() }).nullish(),
        failure_message: z.string().nullish(),
      }),
    }),
  })
  .transform((e, ctx): PaymentEvent => {
    const o = e.data.object;
    const event = STRIPE_KINDS[e.type];
    const minor = event === 'payment.refunded' ? o.amount_refunded : (o.amount ?? o.amount_total);
    if (!event || minor === undefined) {
      ctx.addIssue({ code: 'custom', message: event ? `${e.type} carries no amount` : `event type ${e.type} is not a payment event` });
      return z.NEVER;
    }
    return {
      event,
      provider: 'stripe',
      eventId: e.id,
      paymentId: o.id,
      amount: fromMinor(minor, o.currency),
      currency: o.currency.toUpperCase(),
      customerEmail: o.receipt_email ?? o.customer_email ?? o.customer_details?.email ?? o.billing_details?.email ?? null,
      description: o.description ?? null,
      reason: o.last_payment_error?.message ?? o.failure_message ?? null,
      occurredAt: new Date(e.created * 1000).toISOString(),
    };
  });

/** The generic shape, for a provider (or a bridge) that posts decimal amounts in its own JSON. */
const GenericEvent = z
  .object({
    id: z.string().min(1),
    type: z.enum(['payment.succeeded', 'payment.failed', 'payment.refunded']),
    created: z.string().datetime({ offset: true }).optional(),
    payment: z.object({ id: z.string(), amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as "12.34"'), currency: z.string().length(3), email: z.string().nullish(), description: z.string().nullish(), reason: z.string().nullish() }),
  })
  .transform((e): PaymentEvent => ({
    event: e.type,
    provider: 'generic',
    eventId: e.id,
    paymentId: e.payment.id,
    amount: e.payment.amount,
    currency: e.payment.currency.toUpperCase(),
    customerEmail: e.payment.email ?? null,
    description: e.payment.description ?? null,
    reason: e.payment.reason ?? null,
    occurredAt: e.created ? new Date(e.created).toISOString() : null,
  }));

const paymentSchema = z.union([StripeEvent, GenericEvent]);

/** Which kind an incoming event is, by its type (Stripe's or the generic one); null: not a payment event. */
export function paymentKindOf(body: unknown): string | null {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return null;
  if (type in STRIPE_KINDS) return STRIPE_KINDS[type];
  return ['payment.succeeded', 'payment.failed', 'payment.refunded'].includes(type) ? type : null;
}

/** Payment providers' events, received on POST /hooks/payments; each starts the inbound-item process. */
export const paymentsConnector = defineConnector({
  name: 'payments',
  version: 1,
  normalize: {
    'payment.succeeded': { version: 1, schema: paymentSchema, process: 'inbound-item' },
    'payment.failed': { version: 1, schema: paymentSchema, process: 'inbound-item' },
    'payment.refunded': { version: 1, schema: paymentSchema, process: 'inbound-item' },
  },
});
