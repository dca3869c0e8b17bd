import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../bot/core/errors.ts';
import { OutboundQueue } from '../../bot/core/rate-limiter.ts';

describe('OutboundQueue', () => {
  it('keeps one chat in order and spaces its sends by the per-chat interval', async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 100, globalPerSecond: 30 });
    const seen: Array<{ n: number; at: number }> = [];
    await Promise.all([1, 2, 3, 4].map((n) => q.enqueue('chat-a', async () => void seen.push({ n, at: performance.now() }))));
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].at - seen[i - 1].at).toBeGreaterThanOrEqual(95);
  });

  it('serves different chats in parallel but caps the platform at its per-second limit', async () => {
    // Orders the sends against the queue's waits instead of timing them: five go out before any wait is over.
    const events: string[] = [];
    const q = new OutboundQueue({ perChatIntervalMs: 0, globalPerSecond: 5, sleep: (ms) => new Promise((r) => setTimeout(() => (events.push('a wait ended'), r()), ms)) });
    const sends: Array<{ at: number }> = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => q.enqueue(`chat-${i}`, async () => void (events.push('send'), sends.push({ at: performance.now() - t0 })))));
    expect(events.slice(0, 6)).toEqual(['send', 'send', 'send', 'send', 'send', 'a wait ended']);
    // A lower bound only (the limit's window), which a slow machine cannot break.
    expect(sends[5].at).toBeGreaterThanOrEqual(950);
  });

  it("honours a 429's retry_after and retries the same message first, losing and reordering nothing", async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 0, globalPerSecond: 30 });
    const done: number[] = [];
    const attempts = new Map<number, number>();
    let limitedAt = 0;
    let resumedAt = 0;
    const send = (n: number) => async () => {
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      if (n === 2 && attempts.get(n) === 1) {
        limitedAt = performance.now();
        throw new RateLimitedError(300);
      }
      if (n === 2) resumedAt = performance.now();
      done.push(n);
    };
    await Promise.all([1, 2, 3, 4].map((n) => q.enqueue('chat-a', send(n))));
    expect(done).toEqual([1, 2, 3, 4]);
    expect(attempts.get(2)).toBe(2);
    expect(resumedAt - limitedAt).toBeGreaterThanOrEqual(290);
  });

  it('a 429 in one chat also holds back the other chats of the platform', async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 0, globalPerSecond: 30 });
    let first = true;
    let limitedAt = 0;
    const a = q.enqueue('chat-a', async () => {
      if (first) {
        first = false;
        limitedAt = performance.now();
        throw new RateLimitedError(250);
      }
    });
    // Queued once the pause is in force.
    await new Promise<void>((r) => setImmediate(r));
    let bAt = 0;
    const b = q.enqueue('chat-b', async () => void (bAt = performance.now()));
    await Promise.all([a, b]);
    expect(bAt - limitedAt).toBeGreaterThanOrEqual(240);
  });

  it('gives up on a permanent error, rejects that item and carries on with the next', async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 0, globalPerSecond: 30, classify: () => ({ retryable: false }) });
    const done: number[] = [];
    const r1 = q.enqueue('c', async () => {
      throw new Error('chat not found');
    });
    const r2 = q.enqueue('c', async () => void done.push(2));
    await expect(r1).rejects.toThrow('chat not found');
    await r2;
    expect(done).toEqual([2]);
  });

  it('retries transient failures with backoff up to maxAttempts', async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 0, globalPerSecond: 30, maxAttempts: 3, classify: () => ({ retryable: true }) });
    let calls = 0;
    await q.enqueue('c', async () => {
      if (++calls < 3) throw new Error('ECONNRESET');
    });
    expect(calls).toBe(3);
  });

  it('merges a waiting sync of the same message instead of running it twice', async () => {
    const q = new OutboundQueue({ perChatIntervalMs: 50, globalPerSecond: 30 });
    const runs: string[] = [];
    const p1 = q.enqueue('c', async () => void runs.push('m1'), { coalesceKey: '1' });
    const p2 = q.enqueue('c', async () => void runs.push('m2'), { coalesceKey: '2' });
    const p3 = q.enqueue('c', async () => void runs.push('m2-again'), { coalesceKey: '2' });
    await Promise.all([p1, p2, p3]);
    expect(runs).toEqual(['m1', 'm2']);
  });
});
