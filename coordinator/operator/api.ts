import type {
  ConversationEvent,
  ConversationMessage,
  InboundMessage,
  OperatorAction,
  OutboundMessage,
  OutboundMessageInput,
} from './message.ts';

/**
 * What every chat surface (web console, Telegram, Slack) may ask of the coordinator. Surfaces never see
 * runs, queues or the database: they pass what the operator said or pressed and render what comes back.
 */
export interface OperatorApi {
  /**
   * Text (a /command or plain language) and files from the operator. A redelivery (same dedupeKey) of a
   * request whose answer was recorded returns duplicate: true and does nothing; one whose work was cut
   * short (a crash, a fault) does the work, and its effects happen once (they are keyed on the delivery).
   */
  handleMessage(msg: InboundMessage): Promise<{ duplicate: boolean; inbound: ConversationMessage | null; reply: ConversationMessage | null }>;
  /** A button press. The first decision wins; later presses, from any surface, get "already decided by X at T". Redeliveries as for handleMessage. */
  handleAction(action: OperatorAction): Promise<{ duplicate: boolean; ok: boolean; reply: OutboundMessage }>;
  /** Posts a message from the COO to the operator on every surface (e.g. progress notes). */
  post(body: OutboundMessageInput, opts?: { approvalId?: string; replyTo?: string }): Promise<ConversationMessage>;
  /** Replaces a message's body (progress updates, resolved approvals); surfaces edit their copies. */
  update(id: string, body: OutboundMessageInput): Promise<ConversationMessage>;
  /** Conversation history, oldest first, after a message id. */
  listMessages(opts?: { after?: string; limit?: number }): Promise<ConversationMessage[]>;
  getMessage(id: string): Promise<ConversationMessage | null>;
  /** Live changes from every process (LISTEN/NOTIFY). Returns an unsubscribe function. */
  subscribe(listener: (event: ConversationEvent) => void): () => void;
  /** Records where a surface delivered a message, so later edits reach the same copy; 'pending' is a send's intent, written before it. */
  recordDelivery(d: { messageId: string; surface: string; chatId: string; externalId: string | null; status: 'pending' | 'sent' | 'failed' }): Promise<void>;
  deliveriesOf(messageId: string): Promise<Array<{ surface: string; chatId: string; externalId: string | null; status: string }>>;
  /**
   * Claims a key once across restarts (a Slack file that two events carry); false when someone else
   * took it. The same `owner` (the delivery that took it, redelivered after its work was cut short) gets it again.
   */
  claimInbound(surface: string, key: string, owner?: string): Promise<boolean>;
}
