import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { ConsoleAdapter, mountConsole } from '../../bot/index.ts';
import { type Coordinator, createConsoleAuth, createHttpApp } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;
let app: Hono;
let token: string;

beforeAll(async () => {
  env = await createTestEnv();
  c = await env.coordinator({ roles: { workers: true, background: true, digestSchedule: true } });
  const auth = createConsoleAuth(c.db);
  app = createHttpApp({ coordinator: c, auth });
  mountConsole(app, { operator: c.operator, surface: new ConsoleAdapter(), filesDir: `/tmp/coo-test-files-${env.prefix}` });
  token = await auth.token();
});
afterAll(async () => env.cleanup());

const authed = (path: string, init: RequestInit = {}) => app.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

describe('HTTP API and console routes', () => {
  it('lets nobody in without the token', async () => {
    expect((await app.request('/api/status')).status).toBe(401);
    expect((await app.request('/')).status).toBe(401);
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/api/status', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await app.request('/login?token=wrong')).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('logs in with the link and keeps a session cookie', async () => {
    const r = await app.request(`/login?token=${token}`);
    expect(r.status).toBe(302);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/coo_session=\w+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict/);
    const page = await app.request('/', { headers: { cookie: cookie.split(';')[0] } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>solo-coo · chat</title>');
  });

  it('serves status, runs, processes and metrics', async () => {
    const s = (await (await authed('/api/status')).json()) as { runs: Record<string, number>; queues: Record<string, unknown>; schedules: Array<{ id: string }> };
    expect(Object.keys(s.runs).sort()).toEqual(['cancelled', 'completed', 'failed', 'running', 'waiting']);
    expect(Object.keys(s.queues)).toContain('core');
    expect(s.schedules.map((x) => x.id)).toContain('daily-digest');
    const procs = (await (await authed('/api/processes')).json()) as Array<{ name: string; mermaid: string; edges: unknown[] }>;
    const digest = procs.find((p) => p.name === 'daily-digest')!;
    expect(digest.edges).toEqual([{ from: 'collect', to: 'send' }]);
    expect(digest.mermaid).toContain('collect --> send');
    const metrics = await (await authed('/metrics')).text();
    expect(metrics).toMatch(/^coo_runs\{status="running"\} \d+$/m);
    expect(metrics).toMatch(/^coo_queue_jobs\{agent="core",state="waiting"\} \d+$/m);
    expect((await authed('/api/runs/run_nope')).status).toBe(404);
    expect(await (await authed('/status')).text()).toContain('Pending approvals');
  });

  it("serves a message's file for download, and nothing outside the data folder", async () => {
    const dir = `/tmp/coo-test-files-${env.prefix}`;
    await mkdir(dir, { recursive: true });
    const bytes = randomBytes(5000);
    await writeFile(join(dir, 'report.pdf'), bytes);
    const m = await c.operator.post({ text: 'Here is the report', files: [{ name: 'report.pdf', mimeType: 'application/pdf', size: bytes.length, path: join(dir, 'report.pdf') }, { name: 'passwd', mimeType: 'text/plain', size: 1, path: '/etc/passwd' }] });
    expect((await app.request(`/api/messages/${m.id}/files/0`)).status).toBe(401);
    const r = await authed(`/api/messages/${m.id}/files/0`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect(Buffer.from(await r.arrayBuffer()).equals(bytes)).toBe(true);
    for (const bad of [`/api/messages/${m.id}/files/1`, `/api/messages/${m.id}/files/2`, `/api/messages/${m.id}/files/-1`, '/api/messages/999999/files/0', '/api/messages/x/files/0']) {
      const res = await authed(bad);
      expect(res.status, bad).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('file_not_found');
    }
  });

  it('rejects malformed console requests with a clear message', async () => {
    const bad = await authed('/api/messages', { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Send JSON like/);
    const badAction = await authed('/api/actions', { method: 'POST', body: JSON.stringify({ option: 'approve' }), headers: { 'content-type': 'application/json' } });
    expect(badAction.status).toBe(400);
    const unknown = await authed('/api/actions', { method: 'POST', body: JSON.stringify({ approvalId: 'apv_x', option: 'approve' }), headers: { 'content-type': 'application/json' } });
    expect(((await unknown.json()) as { reply: { text: string } }).reply.text).toMatch(/There is no approval "apv_x"/);
    expect((await authed('/api/messages?after=abc')).status).toBe(400);
  });

  it('accepts a file upload and hands it to the conversation', async () => {
    const fd = new FormData();
    fd.append('file', new File([Buffer.from('%PDF-1.4 test')], 'invoice.pdf', { type: 'application/pdf' }));
    const r = await authed('/api/files', { method: 'POST', body: fd });
    const j = (await r.json()) as { inbound: { body: { files: Array<{ name: string; size: number }> } }; reply: { body: { text: string } } };
    expect(j.inbound.body.files[0]).toMatchObject({ name: 'invoice.pdf', size: 13 });
    expect(j.reply.body.text).toMatch(/invoice\.pdf/);
  });
});
