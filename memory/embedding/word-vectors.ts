import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shipped English word vectors (built by scripts/build-word-vectors.ts from GloVe 6B, PDDL). */
export const SHIPPED_WORD_VECTORS = fileURLToPath(new URL('./data/glove-en-50k.bin', import.meta.url));

export interface WordVectors {
  readonly id: string;
  readonly dims: number;
  readonly size: number;
  /** Frequency rank of a word (0 = most frequent), or undefined when it is not in the table. */
  rank(word: string): number | undefined;
  /** Adds `weight` × the word's vector at `rank` to `into`. */
  addTo(into: Float64Array, rank: number, weight: number): void;
}

const loaded = new Map<string, WordVectors>();

const notWordVectors = (path: string) => new Error(`${path} is not a word-vector file (CWV1); rebuild it with scripts/build-word-vectors.ts.`);
const vectorsId = (dims: number, size: number) => `glove${dims}-${Math.round(size / 1000)}k`;

/**
 * A word-vector file's id and size from its 12-byte header, without reading the table: an embedder
 * can say what it is (its id names the vector index) long before its first text, and a one-shot
 * command that embeds nothing never reads the 5 MB.
 */
export function readWordVectorsShape(path = SHIPPED_WORD_VECTORS): Pick<WordVectors, 'id' | 'dims' | 'size'> {
  const hit = loaded.get(path);
  if (hit) return { id: hit.id, dims: hit.dims, size: hit.size };
  const head = Buffer.alloc(12);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, 12, 0) < 12) throw notWordVectors(path);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1', 0, 4) !== 'CWV1') throw notWordVectors(path);
  const size = head.readUInt32LE(4);
  const dims = head.readUInt32LE(8);
  return { id: vectorsId(dims, size), dims, size };
}

/** Reads a word-vector file once per process (about 5 MB: milliseconds); see the build script for its layout. */
export function loadWordVectors(path = SHIPPED_WORD_VECTORS): WordVectors {
  const hit = loaded.get(path);
  if (hit) return hit;
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 4) !== 'CWV1') throw notWordVectors(path);
  const size = buf.readUInt32LE(4);
  const dims = buf.readUInt32LE(8);
  const scales = new Float32Array(size);
  for (let i = 0; i < size; i++) scales[i] = buf.readFloatLE(12 + 4 * i);
  const at = 12 + 4 * size;
  const q = new Int8Array(buf.buffer, buf.byteOffset + at, size * dims);
  const words = buf.toString('utf8', at + size * dims).split('\n');
  if (words.length !== size) throw new Error(`${path}: ${words.length} words for ${size} vectors; the file is damaged, rebuild it.`);
  const index = new Map(words.map((w, i) => [w, i]));
  const wv: WordVectors = {
    id: vectorsId(dims, size),
    dims,
    size,
    rank: (w) => index.get(w),
    addTo(into, rank, weight) {
      const s = scales[rank] * weight;
      const o = rank * dims;
      for (let k = 0; k < dims; k++) into[k] += q[o + k] * s;
    },
  };
  loaded.set(path, wv);
  return wv;
}
