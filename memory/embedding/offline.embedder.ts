import type { Embedder } from './embedder.port.ts';
import { contentWords, createHashedEmbedder, hashedVector, words } from './hashed.embedder.ts';
import { loadWordVectors, readWordVectorsShape, type WordVectors } from './word-vectors.ts';

/** Share of the cosine that comes from word meaning; the rest is the hashed features' wording match. */
const MEANING_WEIGHT = 0.4;
/** SIF's smoothing constant: a word's weight is a / (a + its frequency), so common words count little. */
const SIF_A = 1e-3;

/**
 * The offline default: the hashed embedder's features (wording, variants, names, numbers, the
 * four-language concept table) next to a frequency-weighted mean of English word vectors (GloVe,
 * 50k words, shipped in the repo), which carries meaning the wording does not share: "held up in
 * transit" near "parcel delayed". Each part is a unit vector; the cosine of two texts is
 * 0.6 × the hashed cosine + 0.4 × the meaning cosine. A text with no known English word (a name,
 * a German sentence) has only the hashed part. Measured on bench/embedder-recall.ts (exact
 * cosine, 10k records): held-out English phrasings 0.357 → 0.467, the original set 0.640 → 0.647,
 * de/fr/es questions 0.777 → 0.797.
 */
export function createOfflineEmbedder(opts: { dims?: number; wordVectors?: WordVectors } = {}): Embedder {
  const hashed = createHashedEmbedder({ dims: opts.dims });
  // The table is read on the first text, not here: a CLI command that embeds nothing never reads it.
  const shape = opts.wordVectors ?? readWordVectorsShape();
  let table = opts.wordVectors ?? null;
  const H = Math.log(shape.size) + 0.5772; // Zipf: p(rank r) ≈ 1 / ((r + 10) · H)
  const wh = Math.sqrt(1 - MEANING_WEIGHT);
  const wm = Math.sqrt(MEANING_WEIGHT);
  const meaning = (toks: string[]): Float64Array => {
    const wv = (table ??= loadWordVectors());
    const v = new Float64Array(wv.dims);
    for (const w of toks) {
      const r = wv.rank(w) ?? (w.endsWith('s') ? wv.rank(w.slice(0, -1)) : undefined);
      if (r === undefined) continue;
      wv.addTo(v, r, SIF_A / (SIF_A + 1 / ((r + 10) * H)));
    }
    return v;
  };
  return {
    id: `${hashed.id}+${shape.id}`,
    dims: hashed.dims + shape.dims,
    local: true,
    async embed(texts) {
      return texts.map((t) => {
        // The text is split once for both parts.
        const all = words(t);
        const hv = hashedVector(all, hashed.dims);
        const m = meaning(contentWords(all));
        let n = 0;
        for (const x of m) n += x * x;
        n = Math.sqrt(n);
        // Without a known word the meaning part is empty and the hashed part alone is the unit vector.
        const a = n > 0 ? wh : 1;
        const b = n > 0 ? wm / n : 0;
        const out = new Array<number>(hashed.dims + shape.dims);
        for (let k = 0; k < hashed.dims; k++) out[k] = hv[k] * a;
        for (let k = 0; k < shape.dims; k++) out[hashed.dims + k] = m[k] * b;
        return out;
      });
    },
  };
}
