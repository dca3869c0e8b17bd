/**
 * Turns text into vectors. Adapters: the built-in hashed embedder (offline, instant start) and, in
 * agents/, one backed by the model port's embedding model. `id` names the vector space: vectors from
 * different embedders never share a collection.
 */
export interface Embedder {
  readonly id: string;
  readonly dims: number;
  /** Embeds in-process at negligible cost (no network): retrieval may re-embed a small candidate set instead of asking the vector store. */
  readonly local?: boolean;
  embed(texts: string[]): Promise<number[][]>;
}
