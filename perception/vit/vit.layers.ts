import * as tf from '@tensorflow/tfjs';

/**
 * Custom tfjs layers for the document ViT. They are registered with tfjs serialization on import, so a
 * saved model.json that names them can be loaded by `tf.loadLayersModel`. Patches are cut outside the graph
 * (preprocess.ts) because the wasm backend has no Conv2DBackpropFilter and we train on wasm.
 */

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
      const flat = tf.reshape(x, [-1, d]) as tf.Tensor2D;
      const w = this.wqkv!.read() as tf.Tensor2D;
      const b = this.bqkv!.read() as tf.Tensor1D;
      // Three projections sliced from one fused weight; heads split with reshape/transpose (no unstack:
      // its gradient is very slow on the wasm backend).
      const proj = (i: number): tf.Tensor =>
        tf.transpose(tf.reshape(tf.add(tf.matMul(flat, tf.slice(w, [0, i * d], [d, d])), tf.slice(b, [i * d], [d])), [-1, n, h, dh]), [0, 2, 1, 3]);
      const q = proj(0);
      const k = proj(1);
      const v = proj(2);
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
      const out = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [-1, d]);
      const o = tf.add(tf.matMul(out as tf.Tensor2D, this.wo!.read() as tf.Tensor2D), this.bo!.read());
      return tf.reshape(o, [-1, n, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(SelfAttention);

/**
 * Layer normalisation over the last axis. tfjs-layers' own LayerNormalization back-propagates with one Slice
 * per token on the wasm backend (≈20k kernel calls per batch, ~100× slower); plain broadcasting ops are fast.
 */
export class TokenLayerNorm extends tf.layers.Layer {
  static className = 'CooTokenLayerNorm';
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(config: { name?: string } = {}) {
    super(config);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    const d = s[s.length - 1] as number;
    this.gamma = this.addWeight('gamma', [d], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true);
      const c = tf.sub(x, mean);
      const v = tf.mean(tf.square(c), axis, true);
      return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, 1e-5))), this.gamma!.read()), this.beta!.read());
    });
  }
}

tf.serialization.registerClass(TokenLayerNorm);
