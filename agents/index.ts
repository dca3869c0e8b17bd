// agents/: the model port (the only way to a model), budgets, defineAgent and the shipped agents,
// the operator assistant and the wiring that plugs them into the coordinator.

// Configuration and errors
export { loadAgentsConfig, AgentsConfigSchema, type AgentsConfig } from './config.ts';
export {
  AgentError,
  InvalidOutputError,
  ProviderUnavailableError,
  BudgetExceededError,
  ModelNotConfiguredError,
  PolicyBlockedError,
  LowConfidenceError,
  AGENT_FAILURE_CODES,
  DEFAULT_FAILURE_HANDLING,
  agentFailureCode,
  type AgentFailureCode,
  type BudgetExceededDetails,
} from './errors.ts';

// Model port
export type { ModelPort, ChatRequest, ChatResult, ChatMessage, ToolSpec, ToolCall, Tier, CallMeta, StructuredResult, EmbedResult, ChatProvider } from './model/model.port.ts';
export { createModelStack, type ModelStack } from './model/model.factory.ts';
export { createModelService, type ModelServiceOptions } from './model/model.service.ts';
export { worstCase, reserveCall, type WorstCase } from './model/call-budget.ts';
export { createOpenAiProvider, parseRetryAfter } from './model/openai.adapter.ts';
export { createCircuitBreaker, backoffDelay, type CircuitBreaker } from './model/resilience.ts';
export { createPriceTable, type PriceTable, type Price, type PriceSource } from './model/prices.ts';
export { SHIPPED_PRICES, SHIPPED_PRICES_AS_OF, shippedPrice } from './model/price-list.ts';
export { createCallRecorder, type CallRecorder, type CallRecord } from './model/call-recorder.ts';
export { replayCall, formatReplay, type ReplayResult } from './model/replay.ts';
export { createModelEmbedder } from './model/model.embedder.ts';

// Budgets
export { createBudgetLedger, periodKey, processScope, type BudgetLedger, type BudgetPeriod, type Reservation, type EnvelopeUsage } from './budget/budget.ledger.ts';
export { budgetApprovalRequest, applyBudgetDecision, type BudgetApprovalRequest } from './budget/budget.approval.ts';
export { costReport, type CostReport } from './budget/cost-report.ts';

// Agents
export { defineAgent, type Agent, type AgentDefinition, type AgentDeps, type AgentResult, type AgentContext } from './define-agent.ts';
export { replyDrafter, ReplyDraftInput, ReplyDraft } from './workers/reply-drafter.agent.ts';
export { summarizer, agentSummarizer, summarizeDay, SummarizeInput, SummaryOutput } from './workers/summarizer.agent.ts';
export { invoiceReconciler, computeReconciliation, InvoiceInput, Reconciliation } from './workers/invoice-reconciler.agent.ts';

// Composition: plugs the AI layer into the coordinator
export { createAiLayer, type AiLayer, type AiLayerOptions } from './wiring/ai.layer.ts';
export { registerAiCommands, costLine } from './wiring/ai.commands.ts';
export { formatForgetPreview, formatForgetReceipt } from './wiring/forget.format.ts';
export { coordinatorTools, coordinatorGate, allowedActions, setAllowed } from './wiring/coordinator-tools.ts';
export { assistantAction } from './processes/assistant-action.process.ts';
export { reminder } from './processes/reminder.process.ts';
export { memoryRetention } from './processes/memory-retention.process.ts';
export { replyDrafting } from './processes/reply-drafting.process.ts';
export { invoiceReconciliation } from './processes/invoice-reconciliation.process.ts';
export { withBudgetApproval, type AiServices, type AiStepServices } from './processes/ai.services.ts';

// Operator assistant
export { createOperatorAssistant, type AssistantReply, type AssistantAction } from './assistant/operator-assistant.ts';
export { defineTool, type AssistantTool, type AssistantTools, type ActionGate, type ToolEffect, type ToolCallContext } from './assistant/tools.ts';
