import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { AppError } from '../errors.ts';
import type { Coordinator } from '../coordinator.ts';
import { metricsText } from '../observability/status.ts';
import { serviceMetrics, statusSections } from '../observability/status-sections.ts';
import { drawMermaid, processGraph } from '../process/graph.ts';
import { type ConsoleAuth, SESSION_COOKIE } from './auth.ts';
import { statusPage } from './status-page.ts';

export interface HttpAppOptions {
  coordinator: Coordinator;
  auth: ConsoleAuth;
}

/**
 * The coordinator's HTTP server: login, the status page, the JSON API and metrics. Chat surfaces (the
 * web console, Slack's endpoint) mount their own routes on the returned app.
 */
export function createHttpApp({ coordinator, auth }: HttpAppOptions): Hono {
  const app = new Hono();
  const { db } = coordinator;

  app.onError((err, c) => {
    if (err instanceof AppError && !err.reportable) return c.json({ error: { code: err.code, message: err.message } }, 400);
    const ref = Math.random().toString(16).slice(2, 10);
    coordinator.log.error({ ref, err: String(err), stack: (err as Error).stack }, 'http request failed');
    return c.json({ error: { code: 'internal', message: `Something went wrong (ref ${ref}).` } }, 500);
  });

  app.get('/healthz', async (c) => {
    const [pg, redis] = await Promise.all([
      db.$queryRaw`SELECT 1`.then(() => true, () => false),
      coordinator.redis.ping().then(() => true, () => false),
    ]);
    return c.json({ ok: pg && redis, postgres: pg, redis }, pg && redis ? 200 : 503);
  });

  app.get('/login', async (c) => {
    const given = c.req.query('token') ?? '';
    if (!(await auth.isCurrentToken(given))) {
      return c.html('<!doctype html><meta charset="utf-8"><body style="font-family:system-ui;margin:3rem"><h1>This login link is not valid</h1><p>Run <code>coo login</code> for a fresh one.</p></body>', 401);
    }
    setCookie(c, SESSION_COOKIE, auth.sessionValue(given), { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 60 * 60 * 24 * 90 });
    return c.redirect('/');
  });

  // /hooks/<connector> answers outside systems (payment providers, forms): each request proves itself
  // with its signature (connectors/webhooks), not with the operator's login.
  app.use('*', auth.middleware({ publicPaths: [/^\/healthz$/, /^\/login$/, /^\/hooks\/[a-z][a-z0-9-]*$/] }));

  // The core's report, each queue's workers, and what other layers add (the AI layer's spend).
  app.get('/api/status', async (c) => {
    const [report, sections] = await Promise.all([coordinator.status(), statusSections(coordinator.services, coordinator.log)]);
    return c.json({ ...report, concurrency: coordinator.concurrency(), sections });
  });

  app.get('/api/runs', async (c) => {
    const status = c.req.query('status');
    const rows = await db.run.findMany({ where: status ? { status } : {}, orderBy: { createdAt: 'desc' }, take: Math.min(Number(c.req.query('limit') ?? 50) || 50, 500) });
    return c.json(rows.map(({ state, input, ...r }) => r));
  });

  app.get('/api/runs/:id', async (c) => {
    const run = await coordinator.runs.get(c.req.param('id'));
    if (!run) return c.json({ error: { code: 'run_not_found', message: `There is no run "${c.req.param('id')}".` } }, 404);
    const events = await coordinator.runs.events(run.id);
    return c.json({ run, events });
  });

  app.get('/api/processes', (c) =>
    c.json(coordinator.registry.list().map((p) => {
      const graph = processGraph(p);
      return { ...graph, mermaid: drawMermaid(graph) };
    })),
  );

  app.get('/metrics', async (c) => c.text(metricsText(await coordinator.status()) + (await serviceMetrics(coordinator.services, coordinator.log)), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  app.get('/status', (c) => c.html(statusPage()));
  return app;
}
