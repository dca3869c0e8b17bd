/**
 * Memory benchmark: index time per item, p50/p95 retrieval latency (hybrid, vector only, Postgres only)
 * and recall@5 on a generated labelled set, at each size (default 10k; `--sizes 10000,100000`).
 * Real PostgreSQL and a real Chroma server, started from the npm package. Prints a table and JSON.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import globalSetup from '../test/support/global-setup.ts';
import { createTestDatabase } from '../test/support/db.ts';
import { startChroma } from '../test/support/chroma.ts';
import { createChromaVectorStore, createHashedEmbedder, createMemory, createOfflineEmbedder } from '../memory/index.ts';
import { generateDataset } from './memory-dataset.ts';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const sizes = arg('sizes', '10000').split(',').map(Number);
const nQueries = Number(arg('queries', '300'));
const dims = Number(arg('dims', '384'));
// The production default (hashed features + shipped word vectors), or `--embedder hashed` for the hashed features alone.
const which = arg('embedder', 'offline');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

await globalSetup();
const chroma = await startChroma();
const results: Record<string, unknown>[] = [];
try {
  for (const size of sizes) {
    const t = await createTestDatabase();
    try {
      const embedder = which === 'hashed' ? createHashedEmbedder({ dims }) : createOfflineEmbedder({ dims });
      const store = createChromaVectorStore({ url: chroma.url, collection: `bench${randomBytes(3).toString('hex')}`, embedderId: embedder.id });
      const memory = createMemory({ db: t.db, pool: t.pool, embedder, vectorStore: store });
      const data = generateDataset(size, nQueries);
      const ids = new Map<string, string>();
      for (const e of data.entities) ids.set(e.name, (await memory.upsertEntity({ kind: e.kind, name: e.name })).id);

      // Embedding alone (the offline default), then the full write path: Postgres + embed + Chroma.
      const sampleTexts = data.episodes.slice(0, 2_000).map((e) => `${e.title}\n${e.content}`);
      const e0 = performance.now();
      await embedder.embed(sampleTexts);
      const embedUs = ((performance.now() - e0) / sampleTexts.length) * 1000;
      const t0 = performance.now();
      await memory.addEpisodes(data.episodes.map((e) => ({ entityId: ids.get(e.entity)!, kind: 'message', title: e.title, content: e.content, source: `bench:${e.key}` })));
      const indexMs = performance.now() - t0;
      const keyOf = new Map((await t.sql<{ id: string; source: string }>('SELECT id, source FROM memory_episode')).map((r) => [r.id, r.source.slice(6)]));

      type QuestionSet = 'question' | 'heldOut' | 'foreign' | 'fresh';
      const measure = async (mode: 'hybrid' | 'vector' | 'text', withEntity: boolean, log: boolean, set: QuestionSet = 'question') => {
        const lat: number[] = [];
        let hits = 0;
        for (const q of data.queries) {
          const s = performance.now();
          const r = await memory.retrieve({ query: q[set], k: 5, mode, entityId: withEntity ? ids.get(q.entity) : undefined, recencyWeight: 0, tokenBudget: 10_000, log });
          lat.push(performance.now() - s);
          if (r.items.some((i) => q.targets.includes(keyOf.get(i.episodeId)!))) hits++;
        }
        return { recallAt5: Math.round((hits / data.queries.length) * 1000) / 1000, p50: Math.round(pct(lat, 50) * 10) / 10, p95: Math.round(pct(lat, 95) * 10) / 10 };
      };
      // Warm-up (connections, Chroma's index load).
      for (const q of data.queries.slice(0, 20)) await memory.retrieve({ query: q.question, k: 5, log: false });
      const row = {
        size,
        dims,
        queries: data.queries.length,
        embedUsPerItem: Math.round(embedUs * 10) / 10,
        indexMsPerItem: Math.round((indexMs / size) * 1000) / 1000,
        hybrid: await measure('hybrid', false, true),
        vector: await measure('vector', false, false),
        text: await measure('text', false, false),
        hybridEntityFilter: await measure('hybrid', true, false),
        // The same needs, phrased without the embedder's synonym-table words, and in de/fr/es.
        heldOutVector: await measure('vector', false, false, 'heldOut'),
        heldOutHybrid: await measure('hybrid', false, false, 'heldOut'),
        foreignVector: await measure('vector', false, false, 'foreign'),
        foreignHybrid: await measure('hybrid', false, false, 'foreign'),
        freshVector: await measure('vector', false, false, 'fresh'),
        freshHybrid: await measure('hybrid', false, false, 'fresh'),
      };
      results.push(row);
      console.log(`\n${size} items (${embedder.id}, ${row.queries} questions per set; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
      console.log('  question sets: the original paraphrases (written with the synonym table: flattered), heldOut (no table words), foreign (de/fr/es questions, English records), fresh (English, written after the embedder was tuned)');
      console.log(`  index: ${row.indexMsPerItem} ms/item (embedding alone ${row.embedUsPerItem} µs/item)`);
      for (const k of ['hybrid', 'vector', 'text', 'hybridEntityFilter', 'heldOutVector', 'heldOutHybrid', 'foreignVector', 'foreignHybrid', 'freshVector', 'freshHybrid'] as const) {
        const m = row[k];
        console.log(`  ${k.padEnd(18)} recall@5 ${m.recallAt5.toFixed(3)}  p50 ${m.p50} ms  p95 ${m.p95} ms${k === 'hybrid' ? '  (with retrieval log)' : ''}`);
      }
    } finally {
      await t.drop();
    }
  }
} finally {
  await chroma.stop();
}
console.log(`\nJSON ${JSON.stringify(results)}`);
process.exit(0);
