/** Metadata kept with each vector: enough to filter, never the content (Postgres holds that). */
export interface VectorMetadata {
  entityId: string; // '' when the item belongs to no entity
  kind: string;
  occurredAt: number; // epoch ms
}

export interface VectorItem {
  id: string;
  vector: number[];
  metadata: VectorMetadata;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
  metadata: VectorMetadata;
}

export interface VectorFilter {
  entityId?: string;
  kinds?: string[];
}

/**
 * A vector index that can be thrown away and rebuilt from Postgres at any time. Adapters:
 * chroma.vector-store.ts. Every adapter passes test/memory/vector-store.conformance.ts.
 */
export interface VectorStore {
  readonly name: string;
  upsert(items: VectorItem[]): Promise<void>;
  query(vector: number[], k: number, filter?: VectorFilter): Promise<VectorHit[]>;
  /** Deletes by id and/or by entity; returns how many existed. */
  delete(sel: { ids?: string[]; entityId?: string }): Promise<number>;
  count(filter?: VectorFilter): Promise<number>;
  /** Ids present among `ids` (for audits and /forget reports). */
  existing(ids: string[]): Promise<string[]>;
  /** Drops everything (used by `coo memory rebuild`). */
  reset(): Promise<void>;
  healthy(): Promise<boolean>;
}
