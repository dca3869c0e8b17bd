import type { Embedder } from './embedder.port.ts';

/**
 * Remembers the vectors of recently embedded texts (least recently used first out). One agent call
 * embeds the same question for each of its retrievals, and ranking an entity's records in-process
 * embeds the same records on every call; with this, each distinct text is embedded once while it is
 * in use. Keyed by the full text, so an edited (redacted) record is embedded afresh. Vectors are
 * shared: callers must not mutate them.
 */
export function cachedEmbedder(inner: Embedder, opts: { maxEntries?: number } = {}): Embedder {
  const max = opts.maxEntries ?? 2_048;
  const cache = new Map<string, number[]>();
  return {
    id: inner.id,
    dims: inner.dims,
    local: inner.local,
    async embed(texts) {
      const out: number[][] = new Array(texts.length);
      const missing: string[] = [];
      const at = new Map<string, number[]>(); // positions per missing text (duplicates in one batch)
      texts.forEach((t, i) => {
        const hit = cache.get(t);
        if (hit) {
          cache.delete(t); // re-insert: Map order is the LRU order
          cache.set(t, hit);
          out[i] = hit;
        } else {
          const pos = at.get(t);
          if (pos) pos.push(i);
          else {
            at.set(t, [i]);
            missing.push(t);
          }
        }
      });
      if (missing.length === 0) return out;
      const vs = await inner.embed(missing);
      missing.forEach((t, j) => {
        for (const i of at.get(t)!) out[i] = vs[j];
        cache.set(t, vs[j]);
      });
      for (const k of cache.keys()) {
        if (cache.size <= max) break;
        cache.delete(k);
      }
      return out;
    },
  };
}
