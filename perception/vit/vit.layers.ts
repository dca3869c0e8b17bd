import * as tf from '@tensorflow/tfjs';

/**
 * Custom tfjs layers for the document ViT. They are registered with tfjs serialization on import, so a
 * saved model.json that names them can be loaded by `tf.loadLayersModel`. Patches are cut with
 * reshape/transpose (not a strided conv2d) because the wasm backend has no Conv2DBackpropFilter and we
 * train on wasm (see shared/DEPENDENCIES.md).
 */

interface PatchifyConfig extends tf.serialization.ConfigDict {
  patchSize: number;
}

/** Splits an [B,H,W,C] image into [B, (H/p)*(W/p), p*p*C] flattened patches. */
export class Patchify extends tf.layers.Layer {
  static className = 'CooPatchify';
  readonly patchSize: number;

  constructor(config: PatchifyConfig & { name?: string }) {
    super(config);
    this.patchSize = config.patchSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    const p = this.patchSize;
    const h = s[1] as number;
    const w = s[2] as number;
    const c = s[3] as number;
    return [s[0], (h / p) * (w / p), p * p * c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, h, w, c] = x.shape as number[];
      const p = this.patchSize;
      const gh = h / p;
      const gw = w / p;
      const r = tf.reshape(x, [b ?? -1, gh, p, gw, p, c]);
      const t = tf.transpose(r, [0, 1, 3, 2, 4, 5]);
      return tf.reshape(t, [-1, gh * gw, p * p * c]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), patchSize: this.patchSize };
  }
}

/** Adds a learned position embedding of shape [tokens, dim]. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'CooPositionEmbedding';
  private pos: tf.LayerVariable | null = null;

  constructor(config: { name?: string } = {}) {
    super(config);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    this.pos = this.addWeight(
      'pos',
      [s[1] as number, s[2] as number],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: 0.02 }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(x, this.pos!.read());
    });
  }
}

interface MhaConfig extends tf.serialization.ConfigDict {
  heads: number;
}

/** Multi-head self-attention over [B, N, D] tokens (tfjs-layers has no built-in one). */
export class SelfAttention extends tf.layers.Layer {
  static className = 'CooSelfAttention';
  readonly heads: number;
  private wqkv: tf.LayerVariable | null = null;
  private bqkv: tf.LayerVariable | null = null;
  private wo: tf.LayerVariable | null = null;
  private bo: tf.LayerVariable | null = null;

  constructor(config: MhaConfig & { name?: string }) {
    super(config);
    this.heads = config.heads;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    const init = tf.initializers.glorotUniform({ seed: 7 });
    this.wqkv = this.addWeight('wqkv', [d, 3 * d], 'float32', init);
    this.bqkv = this.addWeight('bqkv', [3 * d], 'float32', tf.initializers.zeros());
    this.wo = this.addWeight('wo', [d, d], 'float32', init);
    this.bo = this.addWeight('bo', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [, n, d] = x.shape;
      const h = this.heads;
      const dh = d / h;
      const flat = tf.reshape(x, [-1, d]);
      const qkv = tf.add(tf.matMul(flat, this.wqkv!.read() as tf.Tensor2D), this.bqkv!.read());
      const split = tf.transpose(tf.reshape(qkv, [-1, n, 3, h, dh]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(split, 0);
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
      const out = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [-1, d]);
      const proj = tf.add(tf.matMul(out as tf.Tensor2D, this.wo!.read() as tf.Tensor2D), this.bo!.read());
      return tf.reshape(proj, [-1, n, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

tf.serialization.registerClass(Patchify);
tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(SelfAttention);
