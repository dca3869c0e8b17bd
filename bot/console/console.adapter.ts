import type { ConversationEvent, ConversationMessage } from '../../coordinator/index.ts';
import type { Delivery, SurfaceAdapter } from '../core/adapter.ts';

/** The console's one pane: the operator, logged in. It needs no pairing. */
export const CONSOLE_CHAT = 'operator';

/**
 * The web console as a surface. The hub routes to it exactly as to Telegram and Slack (escalations,
 * notices and digests; replies only to questions asked in the console) and closes its decisions the
 * same way; delivering and editing mean pushing the message to the open browser tabs over SSE. The copy
 * is the message itself, so its externalId is the message id and nothing needs to be looked up.
 */
export class ConsoleAdapter implements SurfaceAdapter {
  readonly name = 'console';
  readonly implicitChats = [CONSOLE_CHAT] as const;
  /** A browser tab is not a rate-limited platform: push at once. */
  readonly pacing = { perChatIntervalMs: 0, globalPerSecond: 100_000 };
  private readonly listeners = new Set<(e: ConversationEvent) => void>();

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async deliver(message: ConversationMessage): Promise<{ externalId: string }> {
    this.emit({ kind: 'created', message });
    return { externalId: message.id };
  }

  async edit(message: ConversationMessage, _delivery: Delivery): Promise<void> {
    this.emit({ kind: 'updated', message });
  }

  classifyError(): { retryable: boolean } {
    return { retryable: false };
  }

  /** One open console tab (an SSE stream) listening; returns the function that ends it. */
  subscribe(listener: (e: ConversationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(e: ConversationEvent): void {
    for (const l of this.listeners) l(e);
  }
}
