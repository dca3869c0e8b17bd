import { bankConnector } from './bank/bank.connector.ts';
import type { ConnectorDefinition } from './bus/connector.define.ts';
import { formsConnector } from './webhooks/forms.connector.ts';
import { paymentsConnector } from './webhooks/payments.connector.ts';

/** The connectors this product ships; the composition root and the CLI register the same ones. */
export const builtInConnectors: ConnectorDefinition<any, any>[] = [paymentsConnector, formsConnector, bankConnector];
