import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { AiLayer } from '../agents/index.ts';
import { type ConnectorBus, loadWebhookConfig, mountWebhooks } from '../connectors/index.ts';
import { ConsoleAdapter, describeSurfaces, loadBotConfig, mountConsole, mountPairing, PairingStore, startSurfaces, type StartedSurfaces } from '../bot/index.ts';
import { type Coordinator, type Roles, createConsoleAuth, createHttpApp } from '../coordinator/index.ts';
import { composeCoordinator, type CompositionOptions } from './composition.ts';

export type AppOptions = CompositionOptions;

/** The whole product: the composed coordinator (composition.ts), HTTP server, web console, chat surfaces. */
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
  const { coordinator, ai, connectors } = await composeCoordinator(opts);
  // Read at start, so a bad webhook secret stops the COO with a clear message rather than at the first request.
  const webhookConfig = loadWebhookConfig();
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
