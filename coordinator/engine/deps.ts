import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { ProcessRegistry } from '../process/registry.ts';

/** A job committed to the outbox, ready to hand to BullMQ. */
export interface OutboxJob {
  id: bigint;
  queue: string;
  jobId: string;
  payload: StepJob;
  availableAt: Date;
}

/** A step job: the run, the seq of the event that scheduled the step, the step and its attempt. */
export interface StepJob {
  runId: string;
  seq: number;
  step: string;
  attempt: number;
}

/**
 * A new BullMQ id for a step job, chosen when its scheduling transition is planned and recorded in
 * that step.scheduled event and its outbox row: every re-add of the row (relay, crash recovery) uses
 * the same id, so BullMQ keeps one job. The random part keeps apart two plans that the log alone
 * cannot tell apart: a transition PostgreSQL lost and its re-run, whose job would otherwise collide
 * with the finished job of the lost one. BullMQ ids cannot contain ':'.
 */
export function newStepJobId(runId: string, seq: number): string {
  return `${runId}-${seq}-${randomBytes(4).toString('hex')}`;
}

/** The job id a step.scheduled/step.retried event recorded; runs from before ids were recorded used <run>-<seq>. */
export function stepJobIdOf(runId: string, seq: number, eventData: unknown): string {
  const id = (eventData as { jobId?: unknown } | null)?.jobId;
  return typeof id === 'string' ? id : `${runId}-${seq}`;
}

export interface Dispatcher {
  /** Adds committed outbox jobs to BullMQ and marks them dispatched; failures are left to the relay. */
  dispatch(jobs: OutboxJob[]): Promise<void>;
  /**
   * The same, without the caller waiting: a transition that has committed answers at once, whatever
   * Redis is doing (down, hung, slow). A failed add leaves the row undispatched, and the relay adds it
   * once Redis answers again.
   */
  dispatchLater(jobs: OutboxJob[]): void;
  /**
   * Adds jobs to BullMQ before their transition has committed (the step hot path overlaps the two).
   * Safe because a step's claim only succeeds once the run expects exactly that job; see claimStep.
   */
  add(jobs: Array<Omit<OutboxJob, 'id'>>): Promise<void>;
  /** Records that committed outbox rows are on BullMQ (batched). */
  markDispatched(ids: bigint[]): void;
}

/** What every transition needs, typed once (trigger.dev's systems pattern). */
export interface EngineDeps {
  db: Db;
  /** A plain pg pool for the step hot path (engine/fast-path.ts). */
  pool: pg.Pool;
  /**
   * Connections with synchronous_commit off, for a step's claim (step.started) and its fast-path
   * transition (goto/complete with nothing sent to anyone; a speculative step's one statement). Their commit
   * does not wait for the disk flush. A crash of the coordinator loses nothing (the WAL is written by the
   * server, not by us); only a crash of PostgreSQL itself can lose the last fraction of a second of
   * them, and then the run is simply back at the step before: reconciliation re-runs it, deterministic
   * and with its writes in the ledger. Everything anyone outside can observe (ledger intents and
   * outcomes, approvals, operator messages, schedule firings) commits synchronously, and because the
   * WAL is one sequence, that flush makes every earlier asynchronous transition durable first: no
   * external effect can rest on a transition that a power cut could take back.
   */
  asyncPool: pg.Pool;
  registry: ProcessRegistry;
  clock: Clock;
  log: Logger;
  dispatcher: Dispatcher;
  blobThreshold: number;
}
