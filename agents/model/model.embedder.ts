import type { Embedder } from '../../memory/index.ts';
import type { ModelPort } from './model.port.ts';

/** Memory's Embedder backed by the model port's embedding model (when one is configured). */
export function createModelEmbedder(model: ModelPort, opts: { id: string; dims: number }): Embedder {
  return {
    id: opts.id,
    dims: opts.dims,
    async embed(texts) {
      if (texts.length === 0) return [];
      const r = await model.embed(texts, { agent: 'memory' });
      return r.vectors;
    },
  };
}
