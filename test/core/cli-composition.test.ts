import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Coordinator } from '../../coordinator/index.ts';
import { buildApp } from '../../scripts/app.ts';
import { withCoordinator } from '../../scripts/commands/context.ts';
import { runCoo } from '../support/coo-cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testQueuePrefix } from '../support/redis.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

// §3 "One COO, whichever door": what `coo start` (the web console and chat surfaces) registers, the CLI
// registers too: every /command and every process version, so `coo say`, `coo processes` and
// `coo replay` answer as the console does.
let t: TestDatabase;
let server: Coordinator;
const q = testQueuePrefix();
let env: Record<string, string>;
beforeAll(async () => {
  t = await createTestDatabase();
  env = { DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, COO_CHROMA_URL: '', LOG_LEVEL: 'warn' };
  Object.assign(process.env, env);
  server = (await buildApp({ log: createLogger({ level: 'warn' }) })).coordinator;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await q.cleanup();
  await t?.drop();
});

const commandsOf = (c: Coordinator) => c.router.list().map((d) => d.name).sort();
const processesOf = (c: Coordinator) => c.registry.list().map((p) => `${p.name} v${p.version}`).sort();

describe('the CLI composes the same COO as the server and console', () => {
  it('registers the same commands and the same process versions as buildApp (coo start)', async () => {
    const cli = await withCoordinator(async (c) => ({ commands: commandsOf(c), processes: processesOf(c) }));
    // The server's lists are not trivially small: the AI layer's and perception's parts are in them.
    expect(commandsOf(server)).toEqual(expect.arrayContaining(['memory', 'costs', 'budget', 'status', 'inbox']));
    expect(processesOf(server)).toEqual(expect.arrayContaining(['reply-drafting v1', 'document-intake v1', 'daily-digest v1']));
    expect(cli.commands).toEqual(commandsOf(server));
    expect(cli.processes).toEqual(processesOf(server));
  });

  it('coo processes lists every process the console lists', async () => {
    const r = await runCoo(['processes', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = (JSON.parse(r.stdout) as Array<{ name: string; version: number }>).map((p) => `${p.name} v${p.version}`).sort();
    expect(listed).toEqual(processesOf(server));
  });

  it('coo say knows the AI layer\'s commands (/memory, /costs, /budget), as the console does', async () => {
    for (const [text, answer] of [
      ['/memory', /\/memory Acme/],
      ['/costs', /\$\d/],
      ['/budget', /cap|budget/i],
    ] as const) {
      const r = await runCoo(['say', text], env);
      expect(r.stdout, text).not.toMatch(/There is no \/\w+ command/);
      expect(r.stdout, text).toMatch(answer);
    }
  });

  it('coo replay re-runs a run of an AI process the server started (reply-drafting)', async () => {
    const { runId } = await server.runs.start({ process: 'reply-drafting', input: { customer: { name: 'Kim' }, message: { from: 'kim@example.com', subject: 'Hi', body: 'Where is my order?' } }, startedBy: 'test' });
    await server.runs.cancel(runId, 'test', 'so that it is finished');
    const r = await runCoo(['replay', runId, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ runId, from: expect.any(String) });
    expect((await server.runs.events(runId)).map((e) => e.type)).toContain('run.replayed');
  });
});
