import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { PerceptionError } from '../errors.ts';
import type { DocClassifier, VisualResult } from './classifier.port.ts';
import { dirLoadHandler } from './vit.io.ts';
import { DOC_TYPES, EMBEDDING_LAYER, type DocType } from './vit.model.ts';
import { toModelInput, toPatches } from './preprocess.ts';
import './vit.layers.ts';

/** The ViT trained by scripts/train-vit.ts and shipped in the repo. */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL('../model/', import.meta.url));

/**
 * Loads a tfjs layers ViT and exposes classify + embed. Accepted models: input either patch tokens
 * [tokens, patch²] (ours) or a square image [S, S, 1|3]; output a 5-way softmax in DOC_TYPES order; the
 * embedding is the `embedding` layer if present, else the input of the last layer. Anything else is rejected
 * with `model_invalid` at load time rather than producing nonsense later.
 */
export async function loadVitClassifier(dir: string = SHIPPED_MODEL_DIR, backendName = tf.getBackend()): Promise<DocClassifier> {
  if (!existsSync(`${dir}/model.json`))
    throw new PerceptionError('model_invalid', `No ViT model found at ${dir} (model.json missing). Retrain with "npx tsx scripts/train-vit.ts" or fix COO_VIT_MODEL_PATH.`);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(dirLoadHandler(dir));
  } catch (e) {
    throw new PerceptionError('model_invalid', `The ViT at ${dir} could not be loaded as a tfjs layers model: ${(e as Error).message}`, { cause: e });
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (outShape[outShape.length - 1] !== DOC_TYPES.length)
    throw new PerceptionError('model_invalid', `The ViT at ${dir} outputs ${outShape[outShape.length - 1]} classes; ${DOC_TYPES.length} are needed (${DOC_TYPES.join(', ')}).`);
  let mode: { kind: 'patches'; size: number; patch: number; tokens: number } | { kind: 'image'; size: number; channels: number };
  if (inShape.length === 3) {
    const tokens = inShape[1] as number;
    const pd = inShape[2] as number;
    const patch = Math.round(Math.sqrt(pd));
    mode = { kind: 'patches', size: Math.round(Math.sqrt(tokens)) * patch, patch, tokens };
  } else if (inShape.length === 4 && inShape[1] === inShape[2]) {
    mode = { kind: 'image', size: inShape[1] as number, channels: inShape[3] as number };
  } else throw new PerceptionError('model_invalid', `The ViT at ${dir} has input shape ${JSON.stringify(inShape)}; expected [tokens, patch²] or a square image.`);
  const embLayer = model.layers.find((l) => l.name === EMBEDDING_LAYER) ?? model.layers[model.layers.length - 1];
  const embOut = embLayer.name === EMBEDDING_LAYER ? embLayer.output : model.layers[model.layers.length - 1].input;
  const both = tf.model({ inputs: model.inputs, outputs: [model.outputs[0], embOut as tf.SymbolicTensor] });
  const params = model.countParams();

  return {
    async classify(grey, width, height): Promise<VisualResult> {
      const t0 = performance.now();
      const img = toModelInput(grey, width, height, 1, mode.size);
      const [probs, emb] = tf.tidy(() => {
        let x: tf.Tensor;
        if (mode.kind === 'patches') x = tf.tensor3d(toPatches(img, mode.size, mode.patch), [1, mode.tokens, mode.patch * mode.patch]);
        else {
          const g = tf.tensor4d(img, [1, mode.size, mode.size, 1]);
          x = mode.channels === 3 ? tf.tile(g, [1, 1, 1, 3]) : g;
        }
        const [p, e] = both.predict(x) as tf.Tensor[];
        const e2 = tf.reshape(e, [-1]);
        return [p.dataSync(), tf.div(e2, tf.add(tf.norm(e2), 1e-9)).dataSync()];
      });
      const rec = Object.fromEntries(DOC_TYPES.map((t, i) => [t, Math.round(probs[i] * 10000) / 10000])) as Record<DocType, number>;
      return { probs: rec, embedding: Array.from(emb, (v) => Math.round(v * 1e5) / 1e5), ms: performance.now() - t0 };
    },
    describe: () => `ViT ${params} parameters from ${dir} (${mode.kind} input ${mode.size}px) on tfjs backend "${backendName}"`,
    async close() {
      // `both` shares its layers (and weights) with `model`: disposing the original frees them once.
      try {
        model.dispose();
      } catch {
        /* already disposed */
      }
    },
  };
}

/** Cosine similarity of two embeddings from `classify` (both already unit length). */
export function embeddingSimilarity(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) s += a[i] * b[i];
  return s;
}
