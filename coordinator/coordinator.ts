import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Clock, clockFrom } from './clock.ts';
import { type CoordinatorConfig, loadCoordinatorConfig } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import type { EngineDeps } from './engine/deps.ts';
import { RunCache } from './engine/run-cache.ts';
import { createLogger, type Logger } from './logger.ts';
import { type StatusReport, statusReport } from './observability/status.ts';
import { statusSections } from './observability/status-sections.ts';
import { type CoreCommandContext, registerCoreCommands } from './operator/commands/core.commands.ts';
import { CommandRouter } from './operator/commands/registry.ts';
import { type ConversationHandlers, OperatorService } from './operator/service.ts';
import type { ProcessDefinition, Services } from './process/define.ts';
import { ProcessRegistry } from './process/registry.ts';
import { approvalRoundtrip } from './processes/approval-roundtrip.process.ts';
import { dailyDigest } from './processes/daily-digest.process.ts';
import type { CoreServices } from './processes/services.ts';
import { armCrashPoints } from './runtime/crash-points.ts';
import { PgListener } from './runtime/listener.ts';
import { QueueSet } from './runtime/queues.ts';
import { archiveFinishedRuns, readRunEvents } from './runtime/archive.ts';
import { createErasure } from './erasure/erasure.ts';
import { reconcileRuns } from './runtime/reconcile.ts';
import { pruneOutbox, relayOnce } from './runtime/relay.ts';
import { ensureSchedule, tickSchedules } from './runtime/scheduler.ts';
import { resolveConcurrency, startStepWorkers } from './runtime/worker.ts';
import { joinBranches, parentsReadyToJoin } from './systems/branches.system.ts';
import { type DecideRequest, type DecideResult, decideApproval, onApprovalTimer } from './systems/approval.system.ts';
import { cancelRun, replayRun, retryRun } from './systems/run-control.system.ts';
import { type StartRunRequest, type StartedRun, startRun, withRunStarts } from './systems/start-run.system.ts';
import type { Tx } from './engine/run-tx.ts';
import { dueTimers, fireTimer } from './systems/timer.system.ts';

export interface CoordinatorOptions {
  config?: Partial<CoordinatorConfig>;
  /** Processes beyond the built-in ones (approval round-trip, daily digest). */
  processes?: ProcessDefinition<any>[];
  /** Services handlers may call, merged over the built-in ones. */
  services?: Services;
  handlers?: ConversationHandlers;
  /** Agent types' own worker counts (defineAgent's `concurrency`); COO_AGENT_CONCURRENCY overrides them. */
  agentConcurrency?: Record<string, number>;
  log?: Logger;
  clock?: Clock;
  /** Where this process's workers remember runs for speculative steps; false runs every step claimed first. */
  runCache?: RunCache | false;
}

/** Which parts of the coordinator this process runs; a crash test runs workers alone in a child process. */
export interface Roles {
  workers?: boolean | string[];
  /** Relay, timers, scheduler and reconciliation. */
  background?: boolean;
  /** Register the built-in daily digest schedule. */
  digestSchedule?: boolean;
}

export type Coordinator = Awaited<ReturnType<typeof createCoordinator>>;

/**
 * The composition root of the durable core: one Prisma client, one Redis connection, the queues, the
 * process registry, the operator service and the background loops. Everything else gets these through
 * EngineDeps; nothing here is a module singleton.
 */
export async function createCoordinator(opts: CoordinatorOptions = {}) {
  const config = loadCoordinatorConfig(undefined, opts.config);
  armCrashPoints(config.COO_CRASH_POINTS);
  const log = opts.log ?? createLogger({ level: config.LOG_LEVEL });
  const clock = opts.clock ?? clockFrom(config.COO_CLOCK_START);
  const db: Db = createDb(config.DATABASE_URL, { poolSize: config.COO_DB_POOL ?? config.COO_WORKER_CONCURRENCY * 2 + 4 });
  // The producers' connection fails fast while Redis is away (no offline queue, one retry, a command
  // timeout for a server that hangs): a committed job then waits in the outbox for the relay instead of
  // in this process's memory. Workers have their own blocking connections (runtime/worker.ts).
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: config.COO_REDIS_TIMEOUT_MS, lazyConnect: false });
  redis.on('error', (err) => log.warn({ err: String(err) }, 'redis connection error'));
  const registry = new ProcessRegistry().register(approvalRoundtrip, dailyDigest, ...(opts.processes ?? []));
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.COO_WORKER_CONCURRENCY + 2 });
  const asyncPool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.COO_WORKER_CONCURRENCY + 2, options: '-c synchronous_commit=off' });
  // Each holds one inbound delivery's lock while its work runs (operator/inbound-receipt.ts); opened on demand.
  const receiptLocks = new pg.Pool({ connectionString: config.DATABASE_URL, max: 8, idleTimeoutMillis: 10_000 });
  for (const p of [pool, asyncPool, receiptLocks]) p.on('error', (err) => log.warn({ err: String(err) }, 'pg pool error'));
  const queues = new QueueSet(redis, config.COO_QUEUE_PREFIX, pool, clock, { log, addTimeoutMs: config.COO_REDIS_TIMEOUT_MS });
  const deps: EngineDeps = { db, pool, asyncPool, registry, clock, log, dispatcher: queues, blobThreshold: config.COO_BLOB_THRESHOLD_BYTES };
  const listener = new PgListener(config.DATABASE_URL, log);
  const router = new CommandRouter<CoreCommandContext>();
  registerCoreCommands(router);
  const operator = new OperatorService({ engine: deps, queues, router, listener, log, handlers: opts.handlers ?? {}, receiptLocks, sections: () => statusSections(services, log) });

  const status = (): Promise<StatusReport> => statusReport(db, clock, queues, registry.agents());
  const coreServices: CoreServices = {
    operator: {
      post: async (body) => ({ id: (await operator.post(body)).id }),
      findByRef: async (ref) => {
        const m = await operator.findByRef(ref);
        return m ? { id: m.id } : null;
      },
    },
    reports: {
      status,
      finishedSince: async (since) =>
        (await db.run.findMany({ where: { finishedAt: { gte: new Date(since) } }, select: { id: true, process: true, status: true, error: true, currentStep: true }, take: 1000 })).map(
          ({ currentStep, ...r }) => ({ ...r, retryable: r.status === 'failed' && currentStep !== null }),
        ),
    },
  };
  const services: Services = { ...coreServices, ...opts.services };

  const stops: Array<() => Promise<void>> = [];
  let started = false;

  function loop(name: string, everyMs: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        await fn();
      } catch (err) {
        log.warn({ loop: name, err: String(err) }, 'background loop failed; will retry');
      } finally {
        busy = false;
      }
    };
    const t = setInterval(tick, everyMs);
    void tick();
    stops.push(async () => clearInterval(t));
  }

  async function fireDueTimers(): Promise<void> {
    for (const id of await dueTimers(deps)) await fireTimer(deps, id, onApprovalTimer);
  }

  const coordinator = {
    config,
    db,
    redis,
    log,
    clock,
    registry,
    queues,
    deps,
    router,
    operator,
    services,
    status,
    /** Workers per agent queue, as the workers run them (shown by /status and the status page). */
    concurrency(): Record<string, number> {
      return resolveConcurrency(registry.agents(), config.COO_WORKER_CONCURRENCY, opts.agentConcurrency, config.COO_AGENT_CONCURRENCY);
    },

    async start(roles: Roles = { workers: true, background: true, digestSchedule: true }): Promise<void> {
      if (started) return;
      started = true;
      await listener.start();
      stops.push(() => listener.close());
      if (roles.workers) {
        const agents = Array.isArray(roles.workers) ? roles.workers : registry.agents();
        const unknown = Object.keys(config.COO_AGENT_CONCURRENCY).filter((a) => !registry.agents().includes(a));
        if (unknown.length) log.warn({ unknown, known: registry.agents() }, 'COO_AGENT_CONCURRENCY names agent types no process uses');
        const w = startStepWorkers(
          { ...deps, services, workerId: `${hostname()}-${process.pid}`, runCache: opts.runCache === false ? undefined : (opts.runCache ?? new RunCache()) },
          { redisUrl: config.REDIS_URL, prefix: config.COO_QUEUE_PREFIX, agents, concurrency: resolveConcurrency(agents, config.COO_WORKER_CONCURRENCY, opts.agentConcurrency, config.COO_AGENT_CONCURRENCY), lockDurationMs: config.COO_JOB_LOCK_MS, stalledIntervalMs: config.COO_STALLED_INTERVAL_MS },
        );
        stops.push(() => w.close());
      }
      if (roles.digestSchedule) {
        await ensureSchedule(deps, { id: 'daily-digest', process: 'daily-digest', cron: config.COO_DIGEST_CRON, timezone: config.COO_TIMEZONE, input: {} });
      }
      if (roles.background) {
        await reconcileRuns(deps, queues).catch((err) => log.warn({ err: String(err) }, 'start-up reconciliation failed'));
        const offReconnect = listener.onReconnect(() => void reconcileRuns(deps, queues).catch((err) => log.warn({ err: String(err) }, 'reconciliation after reconnect failed')));
        stops.push(async () => void offReconnect());
        // A branch finishing wakes its parent's join at once (a trigger's NOTIFY); the pass catches any wake-up nobody heard.
        const joinQuietly = (parent: string) => joinBranches(deps, parent).catch((err) => log.warn({ parent, err: String(err) }, 'joining parallel branches failed; the next pass retries'));
        const offBranches = listener.on('coo_branch_done', (parent) => void joinQuietly(parent));
        stops.push(async () => void offBranches());
        loop('joins', config.COO_POLL_MS * 5, async () => {
          for (const parent of await parentsReadyToJoin(deps)) await joinQuietly(parent);
        });
        loop('relay', config.COO_POLL_MS, () => relayOnce(deps, queues));
        loop('timers', Math.min(config.COO_POLL_MS, 500), fireDueTimers);
        loop('scheduler', config.COO_POLL_MS, () => tickSchedules(deps, Math.max(60_000, config.COO_POLL_MS * 3)));
        loop('reconcile', config.COO_RECONCILE_MS, () => reconcileRuns(deps, queues));
        loop('prune', 3_600_000, () => pruneOutbox(deps));
        if (config.COO_RUN_ARCHIVE_AFTER_DAYS > 0) loop('archive', 3_600_000, () => archiveFinishedRuns(deps, config.COO_RUN_ARCHIVE_AFTER_DAYS * 86_400_000));
      }
    },

    async stop(): Promise<void> {
      for (const s of stops.splice(0).reverse()) await s().catch(() => {});
      await queues.close().catch(() => {});
      await pool.end().catch(() => {});
      await asyncPool.end().catch(() => {});
      await receiptLocks.end().catch(() => {});
      redis.disconnect();
      await db.$disconnect().catch(() => {});
      started = false;
    },

    runs: {
      start: (req: StartRunRequest): Promise<StartedRun> => startRun(deps, req),
      /** Writes the caller's rows and starts runs in one transaction (the integration bus's record-item step). */
      startWithin: <T>(work: (tx: Tx, start: (req: StartRunRequest) => Promise<StartedRun>) => Promise<T>): Promise<T> => withRunStarts(deps, work),
      get: (id: string) => db.run.findUnique({ where: { id } }),
      /** A run's events, from the live log or its archive. */
      events: (id: string) => readRunEvents(db, id),
      /** Compacts the event logs of runs finished more than `olderThanDays` ago (default: the policy's). */
      archive: (olderThanDays = config.COO_RUN_ARCHIVE_AFTER_DAYS) => archiveFinishedRuns(deps, olderThanDays * 86_400_000),
      cancel: (id: string, by: string, reason?: string) => cancelRun(deps, id, by, reason),
      retry: (id: string, by: string) => retryRun(deps, id, by),
      replay: (id: string, by: string, from?: string) => replayRun(deps, id, by, from),
    },
    /** Erasure of a name, its e-mail addresses and phone numbers from every store (memory's /forget drives it). */
    erasure: createErasure({ db, dataDir: config.COO_DATA_DIR }),
    approvals: {
      decide: (req: DecideRequest): Promise<DecideResult> => decideApproval(deps, req),
      pending: () => db.approval.findMany({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' } }),
    },
    /** Runs one pass of each background duty now (tests and `coo` commands use it instead of waiting). */
    tick: {
      relay: () => relayOnce(deps, queues, 0),
      timers: fireDueTimers,
      schedules: () => tickSchedules(deps, Math.max(60_000, config.COO_POLL_MS * 3)),
      reconcile: () => reconcileRuns(deps, queues),
    },
  };
  return coordinator;
}
