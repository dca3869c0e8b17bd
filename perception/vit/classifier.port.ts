import type { DocType } from './vit.model.ts';

/** Image-level understanding: document type probabilities and an embedding for visual similarity. */
export interface DocClassifier {
  classify(grey: Uint8Array, width: number, height: number): Promise<VisualResult>;
  /** Human-readable description of the model and backend, for `coo doctor`. */
  describe(): string;
  close(): Promise<void>;
}

export interface VisualResult {
  probs: Record<DocType, number>;
  /** L2-normalised; cosine similarity is a dot product. */
  embedding: number[];
  ms: number;
}
