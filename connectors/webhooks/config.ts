import 'dotenv/config';
import { z } from 'zod';
import { ConfigError } from '../../coordinator/index.ts';

const secret = z.string().min(16, 'must be at least 16 characters (copy the whole signing secret from the provider)').optional();

/**
 * Webhook settings. A connector's endpoint (POST /hooks/<name>) is open only when its secret is set;
 * the secrets are never logged or echoed (errors name the variable, never its value).
 */
export const WebhookConfigSchema = z.object({
  /** Signing secret of the payment provider's endpoint (Stripe: whsec_…); enables /hooks/payments. */
  COO_PAYMENTS_WEBHOOK_SECRET: secret,
  /** `stripe` (Stripe-Signature: t=…,v1=…) or `generic` (X-Coo-Timestamp + X-Coo-Signature: sha256=…). */
  COO_PAYMENTS_WEBHOOK_MODE: z.enum(['stripe', 'generic']).default('stripe'),
  /** Shared secret for form submissions (generic mode); enables /hooks/forms. */
  COO_FORMS_WEBHOOK_SECRET: secret,
  /** Bodies above this are refused with 413 before they are read whole. */
  COO_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(262_144),
  /** How far a request's signed timestamp may be from now, either way. */
  COO_WEBHOOK_TOLERANCE_S: z.coerce.number().int().min(10).max(3600).default(300),
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

export function loadWebhookConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof WebhookConfig, unknown>> = {}): WebhookConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(WebhookConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = WebhookConfigSchema.safeParse({ ...picked, ...overrides });
  if (!parsed.success) {
    // The issue's path and message only: zod's message never contains the value, so no secret is printed.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid webhook configuration (check your environment or .env):\n${lines.join('\n')}`);
  }
  return parsed.data;
}
