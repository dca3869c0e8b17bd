import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { output } from './context.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found, or exactly what to do about it. */
  detail: string;
  /** A warning does not fail the doctor (optional parts such as Slack). */
  optional?: boolean;
}

export type DoctorProbe = () => Promise<DoctorCheck | DoctorCheck[]>;

/** Later layers add their own probes (chat surfaces, model mode, perception backend, Chroma). */
export const extraProbes: DoctorProbe[] = [];

async function coreChecks(): Promise<DoctorCheck[]> {
  // Loaded here, not at the top: `coo --help` and the other commands need none of them.
  const [{ default: pg }, { Redis }, { loadCoordinatorConfig }] = await Promise.all([import('pg'), import('ioredis'), import('../../coordinator/index.ts')]);
  const checks: DoctorCheck[] = [];
  let config;
  try {
    config = loadCoordinatorConfig();
    checks.push({ name: 'configuration', ok: true, detail: `valid (timezone ${config.COO_TIMEZONE}, digest "${config.COO_DIGEST_CRON}")` });
  } catch (err) {
    checks.push({ name: 'configuration', ok: false, detail: (err as Error).message });
    return checks;
  }
  const db = new URL(config.DATABASE_URL);
  const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    checks.push({ name: 'postgres', ok: true, detail: `reachable at ${db.host}${db.pathname}` });
    const dir = join(import.meta.dirname, '..', '..', 'prisma', 'migrations');
    const wanted = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const applied = await client
      .query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL')
      .then((r) => new Set(r.rows.map((x) => x.migration_name)), () => new Set<string>());
    const missing = wanted.filter((w) => !applied.has(w));
    checks.push(missing.length ? { name: 'migrations', ok: false, detail: `${missing.length} not applied (${missing.join(', ')}). Run: npm run migrate` } : { name: 'migrations', ok: true, detail: `all ${wanted.length} applied` });
  } catch (err) {
    const msg = (err as Error).message;
    checks.push({
      name: 'postgres',
      ok: false,
      detail: /does not exist/.test(msg)
        ? `database ${db.pathname.slice(1)} does not exist. Run: npm run migrate`
        : `not reachable at ${db.host} (${msg}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or run npm run up`,
    });
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    checks.push({ name: 'redis', ok: true, detail: `reachable at ${config.REDIS_URL} (Redis ${version})` });
  } catch (err) {
    checks.push({ name: 'redis', ok: false, detail: `not reachable at ${config.REDIS_URL} (${(err as Error).message}). Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` });
  } finally {
    redis.disconnect();
  }
  const url = `http://${config.COO_HTTP_HOST}:${config.COO_HTTP_PORT}/healthz`;
  const running = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
  checks.push({ name: 'coo server', ok: true, optional: true, detail: running ? `running at http://${config.COO_HTTP_HOST}:${config.COO_HTTP_PORT}` : 'not running (start it with npm run up)' });
  checks.push({ name: 'chromium (browser tests)', ok: existsSync('/usr/bin/chromium'), optional: true, detail: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : 'not installed; npm test installs it (apt-get install -y chromium)' });
  return checks;
}

export async function runDoctor(): Promise<DoctorCheck[]> {
  const checks = await coreChecks();
  for (const probe of extraProbes) {
    try {
      const r = await probe();
      checks.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      const first = ((err as Error).message ?? String(err)).trim().split('\n').filter(Boolean).pop() ?? 'failed';
      checks.push({ name: 'probe', ok: false, detail: `${first}${checks.some((c) => c.name === 'migrations' && !c.ok) ? ' — apply the migrations first (npm run migrate)' : ''}` });
    }
  }
  return checks;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Check every service and setting, and say exactly what to fix')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const checks = await runDoctor();
      output(!!o.json, checks, () => checks.map((c) => `${c.ok ? '✔' : c.optional ? '•' : '✘'} ${c.name}: ${c.detail}`).join('\n'));
      if (checks.some((c) => !c.ok && !c.optional)) process.exitCode = 1;
    });
}
