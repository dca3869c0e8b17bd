/**
 * `coo` start-up: wall time from spawning bin/coo to its exit, for the commands an operator types most
 * (--help, status, runs, show, processes, say), against a scratch database. Goals on the 2-core dev
 * box: `coo --help` ≤ 0.3 s, `coo status` ≤ 1 s. Also the floor under every command: node alone, and
 * node with tsx's loader on an empty file (the transpile cost bin/coo pays). The load average is
 * printed with the figures: on a shared machine it moves them more than any change does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, scratch } from './support.ts';

const root = join(import.meta.dirname, '..');
const coo = join(root, 'bin', 'coo');
const rounds = Number(process.argv[2] ?? 5);

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; status: number | null; err: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  return { ms: performance.now() - t0, status: r.status, err: r.stderr };
}

function measure(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  time(cmd, args, env); // warm the file cache (and tsx's transform cache)
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = time(cmd, args, env);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.err.slice(0, 400)}`);
    ms.push(r.ms);
  }
  console.log(`${label.padEnd(28)} median ${(percentile(ms, 50) / 1000).toFixed(2)} s   min ${(Math.min(...ms) / 1000).toFixed(2)} s   (${rounds} runs)`);
}

const s = await scratch();
const tmp = mkdtempSync(join(tmpdir(), 'coo-bench-'));
try {
  const env = { ...process.env, DATABASE_URL: s.url, REDIS_URL: s.redisUrl, COO_QUEUE_PREFIX: s.prefix, COO_DATA_DIR: tmp, COO_CHROMA_URL: '', LOG_LEVEL: 'warn' };
  const empty = join(tmp, 'empty.ts');
  writeFileSync(empty, 'export {};\n');
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (cores: 2 on the dev box)`);
  measure('node -e 0', process.execPath, ['-e', '0'], env);
  measure('node + tsx loader, empty.ts', process.execPath, ['--require', join(root, 'node_modules/tsx/dist/preflight.cjs'), '--import', `file://${join(root, 'node_modules/tsx/dist/loader.mjs')}`, empty], env);
  measure('coo --help', coo, ['--help'], env);
  measure('coo status', coo, ['status'], env);
  measure('coo runs', coo, ['runs'], env);
  measure('coo processes --json', coo, ['processes', '--json'], env);
  measure('coo say /help', coo, ['say', '/help'], env);
  console.log(`load average after:  ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await s.drop();
}
