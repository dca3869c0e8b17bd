import * as tf from '@tensorflow/tfjs';
import { PositionEmbedding, SelfAttention, TokenLayerNorm } from './vit.layers.ts';

/** The document classes, in the order of the model's softmax output. Changing it means retraining. */
export const DOC_TYPES = ['invoice', 'receipt', 'screenshot', 'photo', 'other'] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** Name of the pooled layer whose output is the image embedding used for visual similarity. */
export const EMBEDDING_LAYER = 'embedding';

export interface VitSpec {
  imageSize: number;
  patchSize: number;
  dim: number;
  depth: number;
  heads: number;
  mlpDim: number;
}

/** Small enough to train on one core in the background and ship in the repo (~100k parameters). */
export const DEFAULT_VIT_SPEC: VitSpec = { imageSize: 128, patchSize: 16, dim: 64, depth: 2, heads: 4, mlpDim: 128 };

/**
 * Builds the ViT. Its input is the image already cut into flattened patches ([tokens, patch²], see
 * `toPatches`): cutting patches in JS instead of in-graph keeps training cheap on the wasm backend.
 * Then: dense patch embedding → position embedding → pre-norm transformer blocks →
 * mean-pooled embedding → softmax over DOC_TYPES. Any model with the same input (grey, square) and an
 * `embedding` layer plus a 5-way softmax output is accepted by the loader, so a larger converted model fits.
 */
export function buildVit(spec: VitSpec = DEFAULT_VIT_SPEC): tf.LayersModel {
  const tokens = (spec.imageSize / spec.patchSize) ** 2;
  const input = tf.input({ shape: [tokens, spec.patchSize * spec.patchSize], name: 'patches' });
  let x = tf.layers.dense({ units: spec.dim, name: 'patch_embed' }).apply(input) as tf.SymbolicTensor;
  x = new PositionEmbedding({ name: 'pos_embed' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < spec.depth; i++) {
    const n1 = new TokenLayerNorm({ name: `b${i}_ln1` }).apply(x) as tf.SymbolicTensor;
    const a = new SelfAttention({ heads: spec.heads, name: `b${i}_attn` }).apply(n1) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `b${i}_res1` }).apply([x, a]) as tf.SymbolicTensor;
    const n2 = new TokenLayerNorm({ name: `b${i}_ln2` }).apply(x) as tf.SymbolicTensor;
    const m1 = tf.layers.dense({ units: spec.mlpDim, activation: 'gelu', name: `b${i}_mlp1` }).apply(n2);
    const m2 = tf.layers.dense({ units: spec.dim, name: `b${i}_mlp2` }).apply(m1) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `b${i}_res2` }).apply([x, m2]) as tf.SymbolicTensor;
  }
  x = new TokenLayerNorm({ name: 'final_ln' }).apply(x) as tf.SymbolicTensor;
  const emb = tf.layers.globalAveragePooling1d({ name: EMBEDDING_LAYER }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: DOC_TYPES.length, activation: 'softmax', name: 'doc_type' }).apply(emb);
  return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor, name: 'coo_doc_vit' });
}
