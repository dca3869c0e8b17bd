import type { ConversationMessage } from '../../coordinator/index.ts';

/** Where a surface put a copy of a conversation message (one row of message_delivery). */
export interface Delivery {
  surface: string;
  chatId: string;
  externalId: string | null;
  status: string;
}

/** What the hub tells an adapter about one send. */
export interface DeliverContext {
  /** Stable for one (message, surface, chat): an adapter that can tag posts with it can find them later. */
  deliveryId: string;
}

/**
 * One surface: Telegram, Slack, or the web console. The hub decides what goes where and when; an adapter
 * only knows how to put a message into a chat and edit it later.
 */
export interface SurfaceAdapter {
  /** The surface name used in bindings, deliveries and InboundMessage.surface ("telegram", "slack", "console"). */
  readonly name: string;
  /** Connects to the platform and starts taking updates (polling, webhook, HTTP or socket). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a message to a chat and returns the platform's id for it, so edits reach the same copy. */
  deliver(message: ConversationMessage, chatId: string, ctx: DeliverContext): Promise<{ externalId: string }>;
  /**
   * Re-renders a delivered copy (new text, resolution instead of buttons). Must tolerate "not modified".
   * Returns a new externalId when what it records about the copy changed (e.g. which parts show what).
   */
  edit(message: ConversationMessage, delivery: Delivery): Promise<{ externalId: string } | void>;
  /** Classifies the platform's errors for the outbound queue (429s → retryAfterMs, 4xx → not retryable). */
  classifyError(err: unknown): { retryAfterMs?: number; retryable: boolean };
  /**
   * Platforms that can look their own messages up (Slack). When present, the hub records the delivery's
   * intent ("pending") before the first send, and a send that may have happened already (a pending row
   * after a restart, a retry after an error) calls this first: it finishes the delivery from what it
   * finds, or returns null when nothing of it reached the chat (and the hub sends it normally).
   */
  recover?(message: ConversationMessage, chatId: string, ctx: DeliverContext): Promise<{ externalId: string } | null>;
  /**
   * Chats that need no pairing (the web console's one pane). They get what a bound chat gets (created
   * while the hub runs; replies only to their own questions), and every edit of a message they show.
   */
  readonly implicitChats?: readonly string[];
  /** Pacing for surfaces that are not a rate-limited platform (the console pushes at once). */
  readonly pacing?: { perChatIntervalMs: number; globalPerSecond: number };
}
