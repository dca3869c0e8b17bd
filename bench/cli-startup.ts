/**
 * `coo` start-up: wall time from spawning bin/coo to its exit, for the commands an operator types most
 * (--help, status, runs, show, processes, say), against a scratch database. Goals on the 2-core dev
 * box: `coo --help` ≤ 0.3 s, `coo status` ≤ 1 s. Also the floor under every command: node alone, and
 * node with tsx's loader on an empty file (the transpile cost bin/coo pays). The load average is
 * printed with the figures: on a shared machine it moves wall time more than any change does, so each
 * line also gives the child's CPU time (user + system, from GNU time when the machine has it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, scratch } from './support.ts';

const root = join(import.meta.dirname, '..');
// BENCH_COO: another checkout's bin/coo (e.g. the code before a change), for a before/after on one machine.
const coo = process.env.BENCH_COO ?? join(root, 'bin', 'coo');
const rounds = Number(process.argv[2] ?? 5);

/** GNU time gives the child's CPU (user + system): on a loaded shared machine a steadier figure than wall time. */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv, cpuFile: string): { ms: number; cpuMs: number | null; status: number | null; err: string } {
  const t0 = performance.now();
  const r = gnuTime ? spawnSync(gnuTime, ['-o', cpuFile, '-f', '%U %S', cmd, ...args], { env, encoding: 'utf8' }) : spawnSync(cmd, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  const cpu = gnuTime ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : null;
  return { ms, cpuMs: cpu && cpu.every(Number.isFinite) ? (cpu[0] + cpu[1]) * 1000 : null, status: r.status, err: r.stderr };
}

function measure(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, cpuFile: string): void {
  time(cmd, args, env, cpuFile); // warm the file cache (and tsx's transform cache)
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = time(cmd, args, env, cpuFile);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.err.slice(0, 400)}`);
    ms.push(r.ms);
    if (r.cpuMs !== null) cpu.push(r.cpuMs);
  }
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  console.log(`${label.padEnd(28)} wall median ${s(percentile(ms, 50))}  min ${s(Math.min(...ms))}${cpu.length ? `   cpu median ${s(percentile(cpu, 50))}  min ${s(Math.min(...cpu))}` : ''}   (${rounds} runs)`);
}

const s = await scratch();
const tmp = mkdtempSync(join(tmpdir(), 'coo-bench-'));
try {
  const env = { ...process.env, DATABASE_URL: s.url, REDIS_URL: s.redisUrl, COO_QUEUE_PREFIX: s.prefix, COO_DATA_DIR: tmp, COO_CHROMA_URL: '', LOG_LEVEL: 'warn' };
  const cpuFile = join(tmp, 'cpu.txt');
  const empty = join(tmp, 'empty.ts');
  writeFileSync(empty, 'export {};\n');
  console.log(`coo: ${coo}`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (cores: 2 on the dev box)`);
  measure('node -e 0', process.execPath, ['-e', '0'], env, cpuFile);
  measure('node + tsx loader, empty.ts', process.execPath, ['--require', join(root, 'node_modules/tsx/dist/preflight.cjs'), '--import', `file://${join(root, 'node_modules/tsx/dist/loader.mjs')}`, empty], env, cpuFile);
  measure('coo --help', coo, ['--help'], env, cpuFile);
  measure('coo status', coo, ['status'], env, cpuFile);
  measure('coo runs', coo, ['runs'], env, cpuFile);
  measure('coo processes --json', coo, ['processes', '--json'], env, cpuFile);
  measure('coo say /help', coo, ['say', '/help'], env, cpuFile);
  console.log(`load average after:  ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await s.drop();
}
