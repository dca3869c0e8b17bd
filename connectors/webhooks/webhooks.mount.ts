import type { Hono } from 'hono';
import type { Logger } from '../../coordinator/index.ts';
import type { ConnectorBus } from '../bus/connector.layer.ts';
import type { WebhookConfig } from './config.ts';
import { formsConnector } from './forms.connector.ts';
import { paymentKindOf, paymentsConnector } from './payments.connector.ts';
import { type WebhookEndpoint, webhookRoutes } from './webhook.routes.ts';

/** The endpoints the configuration enables: a connector without its secret has no endpoint (404). */
export function webhookEndpoints(config: WebhookConfig): WebhookEndpoint[] {
  const out: WebhookEndpoint[] = [];
  if (config.COO_PAYMENTS_WEBHOOK_SECRET) out.push({ connector: paymentsConnector, mode: config.COO_PAYMENTS_WEBHOOK_MODE, secret: config.COO_PAYMENTS_WEBHOOK_SECRET, kindOf: paymentKindOf });
  if (config.COO_FORMS_WEBHOOK_SECRET) out.push({ connector: formsConnector, mode: 'generic', secret: config.COO_FORMS_WEBHOOK_SECRET, kindOf: () => 'form.submission' });
  return out;
}

/** Mounts POST /hooks/<connector> on the coordinator's HTTP app (which lets /hooks/ past the login). */
export function mountWebhooks(app: Hono, opts: { bus: ConnectorBus; config: WebhookConfig; log: Logger; now?: () => number }): void {
  app.route('/', webhookRoutes({ bus: opts.bus, endpoints: webhookEndpoints(opts.config), maxBytes: opts.config.COO_WEBHOOK_MAX_BYTES, toleranceS: opts.config.COO_WEBHOOK_TOLERANCE_S, now: opts.now ?? Date.now, log: opts.log }));
}
