import type { ConversationMessage, OperatorApi } from '../../coordinator/index.ts';

/**
 * A chat surface (web console, Telegram, Slack). It turns platform updates into InboundMessage /
 * OperatorAction for the coordinator, and renders ConversationMessages the platform's way.
 */
export interface SurfaceAdapter {
  readonly name: string;
  start(operator: OperatorApi): Promise<void>;
  stop(): Promise<void>;
  /** Delivers a new message from the COO to every chat bound on this surface. */
  deliver?(message: ConversationMessage): Promise<void>;
  /** Edits this surface's copies of a message (a decided approval loses its buttons). */
  edit?(message: ConversationMessage): Promise<void>;
}
