import { describe, expect, it } from 'vitest';
import { backoffDelay, createCircuitBreaker, parseRetryAfter } from '../../agents/index.ts';
import { createHashedEmbedder } from '../../memory/index.ts';

describe('retry policy pieces', () => {
  it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    const now = Date.parse('2026-11-26T01:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 26 Nov 2026 01:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now)).toBe(150);
    expect(parseRetryAfter(new Headers({}), now)).toBeNull();
  });

  it('never backs off less than Retry-After, and caps exponential backoff', () => {
    expect(backoffDelay(1, { baseMs: 100, maxMs: 1000, retryAfterMs: 700, random: () => 0 })).toBe(700);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000, retryAfterMs: null, random: () => 1 })).toBe(1000);
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1000, retryAfterMs: null, random: () => 0.5 })).toBe(200);
  });

  it('opens after N failures, lets one probe through after the cooldown, and closes on its success', () => {
    let now = 0;
    const b = createCircuitBreaker({ failures: 2, cooldownMs: 1000, now: () => now });
    b.failure('p');
    expect(b.allow('p')).toBe(true);
    b.failure('p');
    expect(b.state('p')).toBe('open');
    expect(b.allow('p')).toBe(false);
    now = 1000;
    expect(b.allow('p')).toBe(true); // the probe
    expect(b.allow('p')).toBe(false); // only one at a time
    b.failure('p');
    expect(b.state('p')).toBe('open');
    now = 2000;
    expect(b.allow('p')).toBe(true);
    b.success('p');
    expect(b.state('p')).toBe('closed');
    expect(b.allow('q')).toBe(true); // per provider
  });
});

describe('offline embedder', () => {
  it('is deterministic, unit-length, and puts paraphrases closer than unrelated text', async () => {
    const e = createHashedEmbedder({ dims: 384 });
    const [a, a2, b, c] = await e.embed(['Invoice INV-2291 from Papierwerk is overdue', 'Has Papierwerk paid the bill yet? It is late', 'invoice overdue papierwerk', 'We moved the team lunch to Friday']);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(cos(a, a)).toBeCloseTo(1, 6);
    expect((await e.embed(['Invoice INV-2291 from Papierwerk is overdue']))[0]).toEqual(a);
    expect(cos(a, a2)).toBeGreaterThan(cos(a, c) + 0.2);
    expect(cos(a, b)).toBeGreaterThan(0.6);
    // A batch comes back whole and in order (its speed is bench/embedder-speed.ts's business).
    const batch = await e.embed(Array.from({ length: 1000 }, (_, i) => `message ${i} about a delivery of mugs that arrived late`));
    expect(batch).toHaveLength(1000);
    expect(batch[7]).toEqual((await e.embed(['message 7 about a delivery of mugs that arrived late']))[0]);
  });
});
