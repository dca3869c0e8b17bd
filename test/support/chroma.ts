import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATIENCE_MS } from './patience.ts';

export interface TestChroma {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Starts the real Chroma server from the npm package on a free port in a temp dir and waits for its heartbeat. */
export async function startChroma(): Promise<TestChroma> {
  const dir = await mkdtemp(join(tmpdir(), 'coo-chroma-'));
  const port = await freePort();
  const bin = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'chroma');
  const child: ChildProcess = spawn(bin, ['run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  // A cold Chroma start on a loaded machine takes tens of seconds; a healthy one answers at once.
  const deadline = Date.now() + 2 * PATIENCE_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`chroma exited (${child.exitCode}): ${log.slice(-2000)}`);
    try {
      const r = await fetch(`${url}/api/v2/heartbeat`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Timed out after ${(2 * PATIENCE_MS) / 1000} s waiting for the Chroma server to answer its heartbeat: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
