import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, freePort, ROOT, type TestEnv, waitFor } from '../support/harness.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.cleanup());

/** Every live process whose parent chain leads to `root` (from /proc, Linux). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name sits in parentheses and may contain spaces; the ppid is the 2nd field after it.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent) if (pp === p) (out.push(pid), walk(pid));
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const portIsFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });

// Each test starts real `coo` processes: generous limits for a loaded machine.
describe('signals reach the COO server started by `coo start`', { timeout: 240_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to \`coo start\` stops the server: the port is free and no child process remains`, async () => {
      const port = await freePort();
      const proc = spawn(join(ROOT, 'bin/coo'), ['start', '--roles', 'http'], { env: { ...process.env, ...env.env, COO_HTTP_PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      let family: number[] = [];
      try {
        await waitFor('the console to answer /healthz', () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok), 120_000, 200);
        family = descendants(proc.pid!);
        proc.kill(signal);
        await waitFor('`coo start` to exit', async () => proc.exitCode !== null || proc.signalCode !== null, 60_000);
        expect(await exited).toBe(0);
        await waitFor(`port ${port} to be free`, () => portIsFree(port), 30_000, 200);
        await waitFor('every child of `coo start` to be gone', async () => family.every((pid) => !alive(pid)), 30_000, 200);
        expect(await portIsFree(port)).toBe(true);
        expect(family.filter(alive)).toEqual([]);
        expect(out).not.toMatch(/Could not start/);
      } finally {
        for (const pid of [proc.pid!, ...family, ...descendants(proc.pid!)]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }

  it('refuses an unknown role by name and lists the real ones', async () => {
    const proc = spawn(join(ROOT, 'bin/coo'), ['start', '--roles', 'workers,chats'], { env: { ...process.env, ...env.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stderr!.on('data', (d) => (out += d));
    try {
      await waitFor('`coo start` to refuse the role and exit', async () => proc.exitCode !== null, 45_000);
      expect(proc.exitCode).toBe(2);
      expect(out).toContain('Unknown role: chats. Roles: workers,background,http,digest,chat.');
    } finally {
      for (const pid of [proc.pid!, ...descendants(proc.pid!)].reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  it('`coo up` and `coo migrate` pass SIGTERM on to the child they run (no orphan holding a port)', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/forward-signals.ts'), String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    let family: number[] = [];
    try {
      await waitFor('the child to listen', async () => out.includes('listening'), 60_000);
      family = descendants(proc.pid!);
      expect(family.length).toBeGreaterThan(0);
      proc.kill('SIGTERM');
      // The child died of the forwarded SIGTERM; the parent reports it as a shell would (128 + 15).
      expect(await exited).toBe(143);
      await waitFor(`port ${port} to be free`, () => portIsFree(port), 30_000, 200);
      await waitFor('the child to be gone', async () => family.every((pid) => !alive(pid)), 30_000, 200);
    } finally {
      for (const pid of [proc.pid!, ...family]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
