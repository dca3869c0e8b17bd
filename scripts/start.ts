import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { buildApp } from './app.ts';
import { DEFAULT_ROLES, ROLES } from './roles.ts';

export interface StartOptions {
  roles: string;
  processes?: string;
}

/**
 * Starts the COO in this process. By default one process runs every role (workers, relay, timers,
 * scheduler, HTTP, chat surfaces); `--roles` splits them, e.g. a worker-only process for scaling or for
 * crash tests. It runs in the caller's process (`coo start` imports it) so that SIGTERM and SIGINT reach
 * the server itself: a wrapper process that dies alone would leave the server running, its port bound.
 */
export async function startCoo(o: StartOptions): Promise<void> {
  const roles = new Set(o.roles.split(',').map((s) => s.trim()).filter(Boolean));
  const unknown = [...roles].filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    console.error(`Unknown role${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Roles: ${DEFAULT_ROLES}.`);
    process.exit(2);
  }
  try {
    const { coordinator, connectors, serveHttp, startSurfaces, warnUnstartedSurfaces } = await buildApp({ processModules: o.processes ? o.processes.split(',') : [] });
    await coordinator.start({ workers: roles.has('workers'), background: roles.has('background'), digestSchedule: roles.has('digest') });
    const closers: Array<() => Promise<void>> = [];
    // Polled connectors (none built in yet; mail will be one) are pulled by the background role.
    if (roles.has('background')) closers.push(connectors.startPolling());
    if (roles.has('chat')) {
      const surfaces = await startSurfaces();
      closers.push(() => surfaces.stop());
      const names = surfaces.adapters.map((a) => a.name).filter((n) => n !== 'console');
      if (names.length) console.log(`Chat surfaces: ${names.join(', ')} (pair a chat: coo pair, or the console's Pair button).`);
    } else {
      const left = warnUnstartedSurfaces();
      if (left.length) console.warn(`Warning: ${left.join(' and ')} ${left.length > 1 ? 'are' : 'is'} configured but not started here: add the chat role (--roles …,chat) to one COO process.`);
    }
    if (roles.has('http')) {
      const http = await serveHttp();
      closers.push(http.close);
      console.log(`\nsolo-coo is running.\n  Web console: ${http.url}\n  Log in:      ${http.loginUrl}\n\nStop with Ctrl+C. \`coo status\` and \`coo doctor\` work from another terminal.\n`);
    } else {
      console.log(`solo-coo ${[...roles].join('+')} started (pid ${process.pid}).`);
    }
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      coordinator.log.info({ signal }, 'shutting down');
      for (const close of closers.reverse()) await close().catch(() => {});
      await coordinator.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  } catch (err) {
    const e = err as Error & { code?: string };
    console.error(`Could not start the COO: ${e.message}`);
    if (/ECONNREFUSED|connect/i.test(e.message)) console.error('Is PostgreSQL/Redis running? `coo doctor` checks every service and says what to fix.');
    process.exit(1);
  }
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const o = new Command('start')
    .description('Run the COO: workers, relay, timers, scheduler, the web console and the chat surfaces')
    .option('--roles <list>', `comma-separated: ${DEFAULT_ROLES}`, DEFAULT_ROLES)
    .option('--processes <paths>', 'extra process modules to register (comma-separated)', '')
    .parse()
    .opts<StartOptions>();
  await startCoo(o);
}
