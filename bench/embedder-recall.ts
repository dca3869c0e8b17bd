/**
 * The offline embedders alone (the default, hashed features + shipped word vectors, and the hashed
 * features by themselves): recall@5 by exact cosine search (no vector store, so no approximate-index
 * noise) on bench/memory-dataset.ts's 10k labelled set, for its three question sets: the original
 * paraphrases (written together with the concept table: flattered), held-out English phrasings that
 * use none of the table's words, and questions in German, French and Spanish about English records.
 * `npx tsx bench/embedder-recall.ts [--size 10000]`
 */
import { loadavg } from 'node:os';
import { generateDataset } from './memory-dataset.ts';
import { createHashedEmbedder, createOfflineEmbedder } from '../memory/index.ts';

const i = process.argv.indexOf('--size');
const size = i > 0 ? Number(process.argv[i + 1]) : 10_000;
const data = generateDataset(size, 300);
const keys = data.episodes.map((x) => x.key);
const out: Array<Record<string, unknown>> = [];
console.log(`${size} records, ${data.queries.length} questions per set (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
for (const make of [() => createOfflineEmbedder({ dims: 384 }), () => createHashedEmbedder({ dims: 384 })]) {
  const l0 = performance.now();
  const e = make();
  const loadMs = performance.now() - l0;
  const t0 = performance.now();
  const vecs = await e.embed(data.episodes.map((x) => `${x.title}\n${x.content}`));
  const usPerItem = ((performance.now() - t0) / vecs.length) * 1000;
  const recall: Record<string, number> = {};
  for (const set of ['question', 'heldOut', 'foreign', 'fresh'] as const) {
    let hits = 0;
    for (const q of data.queries) {
      const [qv] = await e.embed([q[set]]);
      const top = vecs.map((v, j) => [v.reduce((s, x, k) => s + x * qv[k], 0), j] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
      if (top.some(([, j]) => q.targets.includes(keys[j]))) hits++;
    }
    recall[set] = Math.round((hits / data.queries.length) * 1000) / 1000;
  }
  console.log(`  ${e.id} (${e.dims} dims): recall@5 exact: original ${recall.question.toFixed(3)}  held-out English ${recall.heldOut.toFixed(3)}  de/fr/es ${recall.foreign.toFixed(3)}  fresh English ${recall.fresh.toFixed(3)};  embedding ${usPerItem.toFixed(1)} µs/item, created in ${loadMs.toFixed(0)} ms`);
  out.push({ embedder: e.id, dims: e.dims, recall, usPerItem, loadMs });
}
console.log(`JSON ${JSON.stringify({ size, embedders: out })}`);
