/**
 * connectors/: the integration bus. Every outside system is a connector (defineConnector): it pulls
 * or receives items, normalizes them with versioned schemas, and offers typed writes that go through
 * `ctx.effect` (the write ledger). Processes see normalized items and write functions only; an item is
 * recorded, its cursor moved and its run started in one transaction (bus/record-items.ts).
 */

// Defining connectors
export {
  defineConnector,
  connectorWrites,
  writeHandlers,
  type ConnectorDefinition,
  type ConnectorHealth,
  type ConnectorWrites,
  type InboundItemInput,
  type ItemKind,
  type PulledItem,
  type PullResult,
  type WriteDefinition,
} from './bus/connector.define.ts';

// The bus
export { createConnectorLayer, type ConnectorBus, type ConnectorLayer } from './bus/connector.layer.ts';
export { recordItems, itemRunKey, type RecordBatch, type RecordedItem } from './bus/record-items.ts';
export { pullOnce, type PullOutcome } from './bus/pull.ts';
export { connectorStatus, type ConnectorStatus } from './bus/connector-status.ts';
export { retryItem, skipItem, rawItem } from './bus/quarantine.ts';
export { inboundItem } from './processes/inbound-item.process.ts';

// Webhooks (POST /hooks/<connector>)
export { loadWebhookConfig, WebhookConfigSchema, type WebhookConfig } from './webhooks/config.ts';
export { verifySignature, signBody, type SignatureMode } from './webhooks/signature.ts';
export { webhookRoutes, type WebhookEndpoint } from './webhooks/webhook.routes.ts';
export { mountWebhooks, webhookEndpoints } from './webhooks/webhooks.mount.ts';
export { paymentsConnector, paymentKindOf, PaymentEventSchema, type PaymentEvent } from './webhooks/payments.connector.ts';
export { formsConnector, FormSubmissionSchema, type FormSubmission } from './webhooks/forms.connector.ts';

// Bank statements (coo import bank)
export { bankConnector } from './bank/bank.connector.ts';
export { BankTransactionSchema, type BankTransaction } from './bank/bank-transaction.ts';
export { importBankStatement, settingsMappingStore, isCamt, type BankImportRequest, type BankImportResult, type MappingStore } from './bank/bank-import.ts';
export { detectCsvMapping } from './bank/csv-detect.ts';
export type { CsvMapping } from './bank/csv-mapping.ts';
export { readCamt053 } from './bank/camt053.ts';

export { builtInConnectors } from './built-in.ts';
