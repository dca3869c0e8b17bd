/** `npm run bench`: the memory benchmark (10k items), the agent-overhead benchmark and `coo` start-up, one after the other. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
for (const [file, args] of [['memory-bench.ts', process.argv.slice(2)], ['agent-overhead.ts', []], ['cli-startup.ts', []]] as const) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(tsx, [join(import.meta.dirname, file), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
