import type { Embedder } from './embedder.port.ts';
import { CONCEPT_OF, guessLang, stem, STOPWORDS } from './lexicon.ts';

/**
 * The offline default: signed feature hashing into a fixed-size unit vector, of word stems (light
 * stemming in the text's language: English, German, French or Spanish), business concepts shared
 * across those languages, character 3- and 4-grams of each word (variants, compounds, cognates such
 * as product/Produkt/producto) and word bigrams. Very common words are left out (static lists: a
 * stateless embedder cannot count a corpus). No weights, no download, starts in microseconds and
 * embeds thousands of short texts per second. It matches wording, variants and the concept table's
 * vocabulary, not meaning in general; hybrid retrieval with Postgres full-text makes up part of the
 * gap (bench/memory-bench.ts reports it on phrasings the table was not written for).
 */
export function createHashedEmbedder(opts: { dims?: number } = {}): Embedder {
  const dims = opts.dims ?? 384;
  return {
    id: `hashed-v2-${dims}`,
    dims,
    local: true,
    async embed(texts) {
      return texts.map((t) => hashedVector(words(t), dims));
    },
  };
}

const ALL_STOP = new Set([...STOPWORDS.en, ...STOPWORDS.de, ...STOPWORDS.fr, ...STOPWORDS.es]);

/** Lower-case words without accents (ß → ss), split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replaceAll('ß', 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);
}

/** The words that carry meaning: common words of all four languages left out. */
export function tokenize(text: string): string[] {
  return contentWords(words(text));
}

/** `words` without the common words of all four languages (what `tokenize` returns, from words already split). */
export function contentWords(all: string[]): string[] {
  return all.filter((w) => !ALL_STOP.has(w));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(v: Float64Array, feature: string, weight: number) {
  const h = fnv1a(feature);
  v[h % v.length] += (h & 0x80000000 ? -1 : 1) * weight;
}

/** The hashed features of a text already split by `words`, as a unit vector of `dims`. */
export function hashedVector(all: string[], dims: number): number[] {
  const v = new Float64Array(dims);
  const lang = guessLang(all);
  const toks = contentWords(all);
  const stems = toks.map((w) => stem(w, lang));
  const tf = new Map<string, { n: number; word: string }>(); // stem → count and its first word
  stems.forEach((s, i) => {
    const e = tf.get(s);
    if (e) e.n++;
    else tf.set(s, { n: 1, word: toks[i] });
  });
  for (const [s, { n, word: w }] of tf) {
    const weight = 1 + Math.log(n);
    add(v, `w:${s}`, weight);
    const c = CONCEPT_OF.get(`${lang}:${s}`);
    if (c) add(v, `c:${c}`, weight * 1.1);
    if (!/^\d+$/.test(w)) {
      // Character n-grams of the whole word (not the stem): inflections, compounds and cognates
      // share them across languages. Their weight is shared out, so a long word counts once.
      const padded = `^${w}$`;
      const grams: string[] = [];
      for (const n of [3, 4]) for (let j = 0; j + n <= padded.length; j++) grams.push(padded.slice(j, j + n));
      const gw = weight / Math.sqrt(grams.length);
      for (const g of grams) add(v, `g:${g}`, gw);
    }
  }
  for (let i = 0; i + 1 < stems.length; i++) add(v, `b:${stems[i]}_${stems[i + 1]}`, 0.4);
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => x / norm);
}
