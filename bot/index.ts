/**
 * bot/: the chat surfaces. They speak to the coordinator's public API only (OperatorApi and the
 * platform-neutral message model), so adding a surface never touches the coordinator.
 */
export type { SurfaceAdapter } from './core/surface.ts';
export { mountConsole, type ConsoleOptions } from './console/console.routes.ts';
export type {
  OperatorApi,
  OutboundMessage,
  InboundMessage,
  OperatorAction,
  Button,
  FileRef,
  ConversationMessage,
  ConversationEvent,
} from '../coordinator/index.ts';
