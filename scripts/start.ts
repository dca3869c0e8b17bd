import { Command } from 'commander';
import { buildApp } from './app.ts';

/**
 * Starts the COO. By default one process runs every role (workers, relay, timers, scheduler, HTTP);
 * `--roles` splits them, e.g. a worker-only process for scaling or for crash tests.
 */
const program = new Command('start')
  .description('Run the COO: workers, relay, timers, scheduler and the web console')
  .option('--roles <list>', 'comma-separated: workers,background,http,digest,chat', 'workers,background,http,digest,chat')
  .option('--processes <paths>', 'extra process modules to register (comma-separated)', '')
  .parse();

const o = program.opts<{ roles: string; processes: string }>();
const roles = new Set(o.roles.split(',').map((s) => s.trim()));
try {
  const { coordinator, serveHttp, startSurfaces } = await buildApp({ processModules: o.processes ? o.processes.split(',') : [] });
  await coordinator.start({ workers: roles.has('workers'), background: roles.has('background'), digestSchedule: roles.has('digest') });
  const closers: Array<() => Promise<void>> = [];
  if (roles.has('chat')) {
    const surfaces = await startSurfaces();
    closers.push(() => surfaces.stop());
    const names = surfaces.adapters.map((a) => a.name).filter((n) => n !== 'console');
    if (names.length) console.log(`Chat surfaces: ${names.join(', ')} (pair a chat: coo pair, or the console's Pair button).`);
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
