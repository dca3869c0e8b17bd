/**
 * Trains the small document ViT shipped in perception/model/ on synthetic rendered documents.
 * Fixed seeds → reproducible data; tf.randomSeed-free init uses seeded initialisers where tfjs allows.
 * Runs on the wasm backend with one thread. Prints held-out accuracy and a confusion matrix.
 *   node --expose-gc --import tsx scripts/train-vit.ts [--per-class 600] [--epochs 10] [--out perception/model]
 * (`npx tsx scripts/train-vit.ts` works too but holds more memory while rendering.)
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { buildVit, DOC_TYPES, DEFAULT_VIT_SPEC } from '../perception/vit/vit.model.ts';
import { toModelInput, toPatches } from '../perception/vit/preprocess.ts';
import { dirSaveHandler } from '../perception/vit/vit.io.ts';
import { synthesize, type SynthKind } from './synth/generate.ts';
import { Rng } from './synth/rng.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

const perClass = Number(arg('per-class', '600'));
const heldOut = Number(arg('held-out', '80'));
const epochs = Number(arg('epochs', '10'));
const outDir = arg('out', 'perception/model');
const S = DEFAULT_VIT_SPEC.imageSize;
const P = DEFAULT_VIT_SPEC.patchSize;
const T = (S / P) ** 2;

async function makeSet(count: number, seedBase: number): Promise<{ x: Float32Array; y: Int32Array; n: number }> {
  const n = count * DOC_TYPES.length;
  const x = new Float32Array(n * S * S);
  const y = new Int32Array(n);
  const rng = new Rng(seedBase);
  let k = 0;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < DOC_TYPES.length; c++) {
      const seed = seedBase + k * 7919;
      const doc = synthesize(DOC_TYPES[c] as SynthKind, seed, { scale: rng.range(0.25, 0.55), degrade: rng.chance(0.6) });
      const cv = doc.canvas;
      const img = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height);
      x.set(toPatches(toModelInput(img.data, cv.width, cv.height, 4, S), S, P), k * S * S);
      y[k] = c;
      k++;
      // Canvas pixels live in native memory freed by finalizers, which only run when the event loop turns:
      // yield now and then (and collect, when run with --expose-gc), or rendering thousands of pages holds GBs.
      if (k % 25 === 0) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  return { x, y, n };
}

async function main(): Promise<void> {
  setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const t0 = Date.now();
  console.log(`backend=${tf.getBackend()} perClass=${perClass} heldOut=${heldOut} epochs=${epochs}`);
  const train = await makeSet(perClass, 1_000_003);
  const test = await makeSet(heldOut, 9_000_011);
  console.log(`rendered ${train.n}+${test.n} images in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const xs = tf.tensor3d(train.x, [train.n, T, P * P]);
  const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), DOC_TYPES.length);
  const model = buildVit();
  console.log(`parameters=${model.countParams()}`);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, {
    epochs,
    batchSize: 32,
    shuffle: true,
    callbacks: {
      onEpochEnd: async (ep, logs) => {
        console.log(`epoch ${ep + 1}/${epochs} loss=${logs?.loss?.toFixed(4)} acc=${logs?.acc?.toFixed(4)} t=${((Date.now() - t0) / 1000).toFixed(0)}s`);
      },
    },
  });
  const tx = tf.tensor3d(test.x, [test.n, T, P * P]);
  const pred = (model.predict(tx) as tf.Tensor).argMax(-1).dataSync();
  const conf = DOC_TYPES.map(() => DOC_TYPES.map(() => 0));
  let ok = 0;
  for (let i = 0; i < test.n; i++) {
    conf[test.y[i]][pred[i]]++;
    if (pred[i] === test.y[i]) ok++;
  }
  console.log(`held-out accuracy: ${((ok / test.n) * 100).toFixed(2)}% (${ok}/${test.n})`);
  console.log(`confusion (rows=true ${DOC_TYPES.join(',')}):`);
  conf.forEach((r, i) => console.log(`  ${DOC_TYPES[i].padEnd(10)} ${r.join('\t')}`));
  await model.save(dirSaveHandler(outDir));
  console.log(`saved to ${outDir} in ${((Date.now() - t0) / 1000).toFixed(0)}s total`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
