import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Module URLs the ESM loader loaded, in order (with `trace: true`). */
  modules: string[];
  /** Files read with readFileSync (with `trace: true`). */
  reads: string[];
}

/**
 * Runs the real `bin/coo` (as an operator types it) with the given environment. With `trace`, the child
 * records every module it loads and every file it reads (test/support/module-trace.mjs).
 */
export async function runCoo(args: string[], env: Record<string, string>, opts: { trace?: boolean; timeoutMs?: number } = {}): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'coo-cli-'));
  const trace = join(dir, 'trace.txt');
  try {
    const traceEnv = opts.trace ? { COO_TEST_MODULE_TRACE: trace, NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, 'test/support/module-trace.mjs')).href}` } : {};
    const proc = spawn(join(ROOT, 'bin/coo'), args, { cwd: ROOT, env: { ...process.env, ...env, ...traceEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    clearTimeout(timer);
    const lines = opts.trace ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
    const pick = (kind: string) => lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
    return { code, stdout, stderr, modules: pick('module'), reads: pick('read') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
