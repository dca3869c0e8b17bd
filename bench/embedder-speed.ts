/**
 * `npx tsx bench/embedder-speed.ts`: how fast the built-in embedders are, the figures the test suite
 * used to assert as wall-clock limits (loading the shipped word vectors "under a second", 1,000
 * embeddings "under 2 s"), which a loaded machine broke. Prints the median of several rounds, with the
 * load average so a reader can judge the machine.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHashedEmbedder, createOfflineEmbedder, loadWordVectors, SHIPPED_WORD_VECTORS } from '../memory/index.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const texts = Array.from({ length: 1000 }, (_, i) => `message ${i} about a delivery of mugs that arrived late`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// Loads are cached per path, so each round reads its own copy of the file, as a fresh process would.
const dir = mkdtempSync(join(tmpdir(), 'coo-wv-'));
const load: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const copy = join(dir, `wv-${i}.bin`);
  copyFileSync(SHIPPED_WORD_VECTORS, copy);
  load.push(await time(() => loadWordVectors(copy)));
}
rmSync(dir, { recursive: true, force: true });
const hashed = createHashedEmbedder({ dims: 384 });
const offline = createOfflineEmbedder({ dims: 384 });
await offline.embed(['warm up']);
const runs: Record<string, number[]> = { hashed: [], offline: [] };
for (let i = 0; i < ROUNDS; i++) {
  runs.hashed.push(await time(() => hashed.embed(texts)));
  runs.offline.push(await time(() => offline.embed(texts)));
}
console.log(`embedder speed (${ROUNDS} rounds, median; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
console.log(`  load shipped word vectors (${SHIPPED_WORD_VECTORS.split('/').pop()}): ${median(load).toFixed(0)} ms`);
for (const [name, xs] of Object.entries(runs)) console.log(`  ${name} (${name === 'hashed' ? hashed.id : offline.id}): 1,000 texts in ${median(xs).toFixed(0)} ms (${((median(xs) / 1000) * 1000).toFixed(1)} µs/text)`);
