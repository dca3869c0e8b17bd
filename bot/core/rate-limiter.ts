import { ChatError, RateLimitedError } from './errors.ts';

export interface OutboundQueueOptions {
  /** Minimum spacing between two sends to the same chat. */
  perChatIntervalMs: number;
  /** Sends per second across all chats of one platform. */
  globalPerSecond: number;
  /** Attempts for transient failures (network, 5xx) before an item is given up; 429s do not count. */
  maxAttempts?: number;
  /** Classifies a platform error: a RateLimitedError (or a retry delay) pauses, `false` gives up at once. */
  classify?: (err: unknown) => { retryAfterMs?: number; retryable: boolean };
  onGiveUp?: (err: unknown, chatKey: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface Item {
  run: () => Promise<void>;
  coalesceKey?: string;
  attempts: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Lane {
  items: Item[];
  running: boolean;
  nextAt: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A per-chat, ordered outbound queue. One item per chat is in flight at a time, so messages and the edits
 * that follow them can never overtake each other; a 429's retry_after pauses the platform and the same
 * item is retried first, so nothing is lost or reordered. Items with the same coalesceKey that are still
 * waiting are merged (an item syncs "the latest state of message M", so running it once is enough).
 */
export class OutboundQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly sentAt: number[] = [];
  private pausedUntil = 0;
  private stopped = false;
  private readonly idle = new Set<() => void>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: OutboundQueueOptions) {
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Queues work for a chat; resolves when it ran (or was merged into a waiting item that ran). */
  enqueue(chatKey: string, run: () => Promise<void>, opts: { coalesceKey?: string } = {}): Promise<void> {
    if (this.stopped) return Promise.reject(new ChatError('chat_queue_stopped', 'The outbound queue is stopped'));
    let lane = this.lanes.get(chatKey);
    if (!lane) {
      lane = { items: [], running: false, nextAt: 0 };
      this.lanes.set(chatKey, lane);
    }
    if (opts.coalesceKey) {
      // Merge only into an item that has not started: the head may be mid-flight with an older state.
      const waiting = lane.items.slice(lane.running ? 1 : 0).find((i) => i.coalesceKey === opts.coalesceKey);
      if (waiting) {
        return new Promise<void>((resolve, reject) => {
          const prevResolve = waiting.resolve;
          const prevReject = waiting.reject;
          waiting.resolve = () => (prevResolve(), resolve());
          waiting.reject = (e) => (prevReject(e), reject(e));
        });
      }
    }
    const promise = new Promise<void>((resolve, reject) => {
      lane!.items.push({ run, coalesceKey: opts.coalesceKey, attempts: 0, resolve, reject });
    });
    void this.drain(chatKey, lane);
    return promise;
  }

  /** Items queued or in flight, over all chats. */
  get size(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.items.length;
    return n;
  }

  /** Resolves once every lane is empty. */
  async drained(): Promise<void> {
    if (this.size === 0) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /** Stops taking work; waiting items are rejected (they are recovered from the database on restart). */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      const waiting = lane.items.splice(lane.running ? 1 : 0);
      for (const item of waiting) item.reject(new ChatError('chat_queue_stopped', 'The outbound queue is stopped'));
    }
  }

  private async drain(chatKey: string, lane: Lane): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (lane.items.length > 0 && !this.stopped) {
        const item = lane.items[0];
        await this.waitTurn(lane);
        if (this.stopped) break;
        try {
          item.attempts++;
          await item.run();
          lane.items.shift();
          item.resolve();
        } catch (err) {
          const c = this.classify(err);
          if (c.retryAfterMs !== undefined) {
            this.pausedUntil = Math.max(this.pausedUntil, Date.now() + c.retryAfterMs);
            item.attempts--; // a rate limit is not the item's fault
            continue;
          }
          if (c.retryable && item.attempts < (this.opts.maxAttempts ?? 5)) {
            lane.nextAt = Math.max(lane.nextAt, Date.now() + Math.min(8_000, 250 * 2 ** (item.attempts - 1)));
            continue;
          }
          lane.items.shift();
          this.opts.onGiveUp?.(err, chatKey);
          item.reject(err);
        }
      }
    } finally {
      lane.running = false;
      if (this.stopped) {
        for (const item of lane.items.splice(0)) item.reject(new ChatError('chat_queue_stopped', 'The outbound queue is stopped'));
      }
      if (lane.items.length === 0) this.lanes.delete(chatKey);
      if (this.size === 0) {
        for (const fn of this.idle) fn();
        this.idle.clear();
      }
    }
  }

  private async waitTurn(lane: Lane): Promise<void> {
    for (;;) {
      const now = Date.now();
      let wait = Math.max(lane.nextAt, this.pausedUntil) - now;
      // Sliding one-second window for the platform-wide limit.
      while (this.sentAt.length > 0 && this.sentAt[0] <= now - 1_000) this.sentAt.shift();
      if (wait <= 0 && this.sentAt.length >= this.opts.globalPerSecond) wait = this.sentAt[0] + 1_000 - now;
      if (wait <= 0) break;
      await this.sleep(wait);
    }
    const now = Date.now();
    this.sentAt.push(now);
    lane.nextAt = now + this.opts.perChatIntervalMs;
  }

  private classify(err: unknown): { retryAfterMs?: number; retryable: boolean } {
    if (err instanceof RateLimitedError) return { retryAfterMs: err.retryAfterMs, retryable: true };
    if (this.opts.classify) return this.opts.classify(err);
    return { retryable: (err as { retryable?: boolean })?.retryable ?? true };
  }
}
