import { describe, expect, it } from 'vitest';
import { cachedEmbedder } from '../../memory/embedding/cached.embedder.ts';
import { createHashedEmbedder } from '../../memory/index.ts';
import type { Embedder } from '../../memory/index.ts';

/** The built-in embedder, counting the texts it is asked to embed. */
function counting(): { inner: Embedder; seen: string[] } {
  const base = createHashedEmbedder({ dims: 64 });
  const seen: string[] = [];
  return { seen, inner: { ...base, embed: async (texts) => (seen.push(...texts), base.embed(texts)) } };
}

describe('cached embedder', () => {
  it('embeds each distinct text once while it is in use, duplicates in one batch included', async () => {
    const { inner, seen } = counting();
    const e = cachedEmbedder(inner);
    const [a, b, a2] = await e.embed(['invoice overdue', 'parcel late', 'invoice overdue']);
    expect(seen).toEqual(['invoice overdue', 'parcel late']);
    expect(a2).toBe(a);
    const [b2, c] = await e.embed(['parcel late', 'refund please']);
    expect(b2).toBe(b);
    expect(seen).toEqual(['invoice overdue', 'parcel late', 'refund please']);
    expect(c).toEqual((await createHashedEmbedder({ dims: 64 }).embed(['refund please']))[0]);
    expect({ id: e.id, dims: e.dims, local: e.local }).toEqual({ id: inner.id, dims: 64, local: true });
  });

  it('forgets the least recently used text first when full', async () => {
    const { inner, seen } = counting();
    const e = cachedEmbedder(inner, { maxEntries: 2 });
    await e.embed(['one', 'two']);
    await e.embed(['one']); // now "two" is the least recently used
    await e.embed(['three']);
    seen.length = 0;
    await e.embed(['one', 'three', 'two']);
    expect(seen).toEqual(['two']);
  });
});
