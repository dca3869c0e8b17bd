import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { createAiLayer, type AiLayer } from '../agents/index.ts';
// The layer alone: perception itself (tfjs, tesseract, pdfjs: ~3 s of a worker's ~8 s start-up, measured)
// loads on the first document, so processes that never read one start fast.
import { createPerceptionLayer } from '../perception/coordinator/perception.layer.ts';
import { builtInConnectors, type ConnectorBus, createConnectorLayer, loadWebhookConfig, mountWebhooks } from '../connectors/index.ts';
import { ConsoleAdapter, describeSurfaces, loadBotConfig, mountConsole, mountPairing, PairingStore, startSurfaces, type StartedSurfaces } from '../bot/index.ts';
import {
  type Coordinator,
  type CoordinatorOptions,
  type ProcessDefinition,
  type Roles,
  createConsoleAuth,
  createCoordinator,
  createHttpApp,
} from '../coordinator/index.ts';

export interface AppOptions extends CoordinatorOptions {
  /** Modules whose exported process definitions are registered too (crash tests, operator add-ons). */
  processModules?: string[];
}

/** Loads every `defineProcess` export of the given modules. */
export async function loadProcessModules(paths: string[]): Promise<ProcessDefinition<any>[]> {
  const defs: ProcessDefinition<any>[] = [];
  for (const p of paths) {
    const mod = (await import(pathToFileURL(resolve(p)).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (v && typeof v === 'object' && 'steps' in v && 'start' in v && 'name' in v) defs.push(v as ProcessDefinition<any>);
    }
  }
  return defs;
}

/** The composition root of the whole product: coordinator, HTTP server, web console. */
export async function buildApp(opts: AppOptions = {}): Promise<{
  coordinator: Coordinator;
  ai: AiLayer;
  /** The integration bus: webhooks, pollers and imports record inbound items through it. */
  connectors: ConnectorBus;
  serveHttp(): Promise<{ url: string; loginUrl: string; close(): Promise<void> }>;
  /** Starts Telegram and Slack when their tokens are configured (none is fine), on the console's hub. */
  startSurfaces(): Promise<StartedSurfaces>;
  /**
   * For a process started without the chat role: logs a warning for each chat surface that is configured
   * yet not started here, and returns their names (so `--roles` without `chat` is never silent).
   */
  warnUnstartedSurfaces(): string[];
}> {
  const processes = [...(opts.processes ?? []), ...(await loadProcessModules(opts.processModules ?? []))];
  // The AI layer (agents/): free text → operator assistant, budgets, memory commands, its processes.
  const ai = createAiLayer();
  // Perception: files sent on any surface start a document-intake run; its step runs on the perception queue.
  const perception = createPerceptionLayer(async () => {
    const p = await import('../perception/index.ts');
    return p.createPerception(p.perceptionConfigFromEnv());
  });
  // The integration bus: its inbound-item process, and its health figures on /status and /metrics.
  const connectorLayer = createConnectorLayer(builtInConnectors);
  const coordinator = await createCoordinator({
    ...opts,
    processes: [...ai.processes, ...perception.processes, ...connectorLayer.processes, ...processes],
    services: { ...ai.services, ...perception.services, ...connectorLayer.services, ...opts.services },
    handlers: { ...ai.handlers, ...perception.handlers, ...opts.handlers },
    agentConcurrency: { ...ai.agentConcurrency, ...opts.agentConcurrency },
  });
  await ai.attach(coordinator);
  perception.attach(coordinator);
  const connectors = connectorLayer.attach(coordinator);
  // Read at start, so a bad webhook secret stops the COO with a clear message rather than at the first request.
  const webhookConfig = loadWebhookConfig();
  const stopCoordinator = coordinator.stop.bind(coordinator);
  coordinator.stop = async () => {
    await stopCoordinator();
    await perception.close();
  };
  const auth = createConsoleAuth(coordinator.db);
  // One surface hub per process for the console and the chat platforms, started by whichever role needs
  // it first (http: the console only; chat: the platforms) and stopped when the last one is done.
  const consoleSurface = new ConsoleAdapter();
  let surfaces: Promise<StartedSurfaces> | null = null;
  let holders = 0;
  const openSurfaces = async (chats: boolean): Promise<{ surfaces: StartedSurfaces; release(): Promise<void> }> => {
    holders++;
    const first = !surfaces;
    surfaces ??= startSurfaces({ operator: coordinator.operator, config: loadBotConfig(), logger: coordinator.log, db: coordinator.db, console: consoleSurface, chats });
    const s = await surfaces.catch((err) => {
      holders--;
      surfaces = null;
      throw err;
    });
    if (!first && chats) await s.startChats();
    let released = false;
    return {
      surfaces: s,
      release: async () => {
        if (released) return;
        released = true;
        if (--holders === 0) {
          surfaces = null;
          await s.stop();
        }
      },
    };
  };
  return {
    coordinator,
    ai,
    connectors,
    async serveHttp() {
      const app = createHttpApp({ coordinator, auth });
      mountWebhooks(app, { bus: connectors, config: webhookConfig, log: coordinator.log, now: () => coordinator.clock.now().getTime() });
      const hub = await openSurfaces(false);
      mountConsole(app, { operator: coordinator.operator, surface: consoleSurface, filesDir: join(coordinator.config.COO_DATA_DIR, 'files'), dataDir: coordinator.config.COO_DATA_DIR });
      mountPairing(app, { pairing: new PairingStore(coordinator.db, { ttlMinutes: loadBotConfig().COO_PAIRING_TTL_MINUTES }) });
      const { COO_HTTP_HOST: host, COO_HTTP_PORT: port } = coordinator.config;
      const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
        const s = serve({ fetch: app.fetch, hostname: host, port }, () => ok(s));
        s.once('error', fail);
      });
      const addr = server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      const url = coordinator.config.COO_PUBLIC_URL ?? `http://${host}:${actualPort}`;
      return {
        url,
        loginUrl: await auth.loginUrl(url),
        close: async () => {
          await new Promise<void>((r) => server.close(() => r()));
          await hub.release();
        },
      };
    },
    warnUnstartedSurfaces() {
      const configured = describeSurfaces(loadBotConfig()).filter((s) => s.configured).map((s) => s.surface);
      for (const surface of configured) coordinator.log.warn({ surface }, 'chat surface configured but not started: this process runs without the chat role (add chat to --roles)');
      return configured;
    },
    startSurfaces: async () => {
      const { surfaces: s, release } = await openSurfaces(true);
      return { ...s, adapters: s.adapters, stop: release };
    },
  };
}

export type { Roles };
