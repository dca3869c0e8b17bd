import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleAdapter, mountConsole } from '../../bot/index.ts';
import { type Coordinator, type ConversationMessage, createConsoleAuth, createHttpApp } from '../../coordinator/index.ts';
import { createTestEnv, ROOT, type TestEnv } from '../support/harness.ts';

const run = promisify(execFile);
let env: TestEnv;
let c: Coordinator;
let server: Hono;
const consoleSurface = new ConsoleAdapter();

/** `coo login [--rotate] --json` as the operator runs it: another process, next to the running server. */
async function cooLogin(...args: string[]): Promise<string> {
  const { stdout } = await run(join(ROOT, 'bin/coo'), ['login', '--json', ...args], { env: { ...process.env, ...env.env, COO_HTTP_PORT: '7420' }, timeout: 120_000 });
  return new URL((JSON.parse(stdout) as { url: string }).url).searchParams.get('token')!;
}

async function logIn(token: string): Promise<{ status: number; cookie: string | null }> {
  const r = await server.request(`/login?token=${encodeURIComponent(token)}`);
  return { status: r.status, cookie: r.headers.get('set-cookie')?.split(';')[0] ?? null };
}

const withCookie = (cookie: string) => server.request('/api/status', { headers: { cookie } });
const withBearer = (token: string) => server.request('/api/status', { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator();
  // The running server: its auth was created (and has served requests) before any rotation.
  server = createHttpApp({ coordinator: c, auth: createConsoleAuth(c.db) });
  mountConsole(server, { operator: c.operator, surface: consoleSurface, filesDir: `/tmp/coo-test-files-${env.prefix}` });
});
afterAll(async () => env?.cleanup());

// Each `coo login` is a real CLI process (a few seconds each): generous limits for a loaded machine.
describe('coo login --rotate while the COO runs', { timeout: 240_000 }, () => {
  it('revokes the old link, session cookie and bearer token in the running server at once, and lets the new link in', async () => {
    const first = await cooLogin();
    const session = await logIn(first);
    expect(session.status).toBe(302);
    expect((await withCookie(session.cookie!)).status).toBe(200);
    expect((await withBearer(first)).status).toBe(200);

    const second = await cooLogin('--rotate');
    expect(second).not.toBe(first);
    // No restart: the same server instance must refuse everything that came from the old token…
    expect((await logIn(first)).status).toBe(401);
    expect((await withCookie(session.cookie!)).status).toBe(401);
    expect((await withBearer(first)).status).toBe(401);
    // …and accept the new link and the session it gives.
    const fresh = await logIn(second);
    expect(fresh.status).toBe(302);
    expect((await withCookie(fresh.cookie!)).status).toBe(200);
    expect((await withBearer(second)).status).toBe(200);
  });

  it('takes effect again on a second rotation, and `coo login` without --rotate keeps the current link', async () => {
    const current = await cooLogin();
    const session = await logIn(current);
    expect(await cooLogin()).toBe(current);
    expect((await withCookie(session.cookie!)).status).toBe(200);
    const next = await cooLogin('--rotate');
    expect((await withCookie(session.cookie!)).status).toBe(401);
    expect((await logIn(current)).status).toBe(401);
    expect((await logIn(next)).status).toBe(302);
  });

  it('refuses a rotated-away session on the console pages too, not only the API', async () => {
    const current = await cooLogin();
    const session = await logIn(current);
    expect((await server.request('/status', { headers: { cookie: session.cookie! } })).status).toBe(200);
    await cooLogin('--rotate');
    expect((await server.request('/status', { headers: { cookie: session.cookie! } })).status).toBe(401);
    expect((await server.request('/metrics', { headers: { cookie: session.cookie! } })).status).toBe(401);
  });

  it('ends an open console stream of a rotated-away session before it sends anything more', async () => {
    const session = await logIn(await cooLogin());
    const res = await server.request('/api/stream', { headers: { cookie: session.cookie! } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stream so far: ${text}`);
        const r = await reader.read();
        if (r.done) return true;
        text += new TextDecoder().decode(r.value);
      }
      return false;
    };
    const say = async (body: string) => consoleSurface.deliver((await c.operator.post({ text: body })) as ConversationMessage);
    await readUntil('the ready event', () => text.includes('event: ready'));
    await say('before the rotation');
    await readUntil('the first message', () => text.includes('before the rotation'));
    await cooLogin('--rotate');
    await say('after the rotation');
    expect(await readUntil('the stream to end', () => false)).toBe(true);
    expect(text).not.toContain('after the rotation');
    expect(text).toContain('event: logout');
  });
});
