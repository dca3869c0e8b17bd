/**
 * The coordinator's public API: the durable process engine, the operator service every chat surface
 * talks to, and the message model they share. bot/, agents/ and scripts/ import from here only.
 */
export { createCoordinator, type Coordinator, type CoordinatorOptions, type Roles } from './coordinator.ts';
export { loadCoordinatorConfig, CoordinatorConfigSchema, type CoordinatorConfig } from './config.ts';
export { AppError, UserInputError, PermanentError, ConfigError, describeError } from './errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { clockFrom, systemClock, type Clock } from './clock.ts';
export { createDb, type Db } from './db/client.ts';
export { applyMigrations, ensureDatabase } from './db/migrate.ts';

// Processes
export {
  defineProcess,
  type ProcessDefinition,
  type StepDefinition,
  type StepContext,
  type StepResult,
  type ApprovalRequest,
  type Decision,
  type RetryPolicy,
  type Services,
  type EffectSpec,
  type EffectHandlers,
  type Branch,
  type BranchOutcome,
} from './process/define.ts';
export { ProcessRegistry } from './process/registry.ts';
export { processGraph, drawMermaid, type ProcessGraph } from './process/graph.ts';
export type { CoreServices } from './processes/services.ts';
export { foldEvents, applyEvent, emptyView, type RunView, type RunEventRecord, type RunStatus } from './engine/events.ts';
export { newStepJobId, stepJobIdOf, type StepJob } from './engine/deps.ts';
export { RunCache, type CachedRun } from './engine/run-cache.ts';
export type { Tx } from './engine/run-tx.ts';
export type { StartRunRequest, StartedRun } from './systems/start-run.system.ts';
export { WriteOutcomeUnknownError, performOnce } from './ledger/ledger.ts';
export { crashPoint, type CrashPointName } from './runtime/crash-points.ts';
export { createErasure, FILES_PLACE, type Erasure } from './erasure/erasure.ts';
export { createRedactor, identifiersIn, FORGOTTEN, type Redactor, type ErasureSubject, type ErasureSubjectInput } from './erasure/redactor.ts';

// Operator conversation (the surfaces' contract)
export type { OperatorApi } from './operator/api.ts';
export type { ConversationHandlers, FreeTextAnswer } from './operator/service.ts';
export { plainToCommand, type PlainCommand } from './operator/commands/plain-language.ts';
export { CommandRouter, type CommandDefinition, type CommandInvocation } from './operator/commands/registry.ts';
export type { CoreCommandContext } from './operator/commands/core.commands.ts';
export {
  message,
  OutboundMessageSchema,
  InboundMessageSchema,
  OperatorActionSchema,
  OperatorActionPayloadSchema,
  ButtonSchema,
  FileRefSchema,
  type OutboundMessage,
  type OutboundMessageInput,
  type InboundMessage,
  type OperatorAction,
  type OperatorActionPayload,
  type Button,
  type FileRef,
  type ConversationMessage,
  type ConversationEvent,
} from './operator/message.ts';

// Observability
export { statusReport, metricsText, type StatusReport } from './observability/status.ts';
export { StatusSectionSchema, statusSections, type StatusSection, type StatusSectionInput } from './observability/status-sections.ts';
export { createHttpApp, type HttpAppOptions } from './http/app.ts';
export { createConsoleAuth, stillAuthorized, type ConsoleAuth } from './http/auth.ts';
