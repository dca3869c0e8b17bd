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

export interface Dispatcher {
  /** Adds committed outbox jobs to BullMQ and marks them dispatched; failures are left to the relay. */
  dispatch(jobs: OutboxJob[]): Promise<void>;
}

/** What every transition needs, typed once (trigger.dev's systems pattern). */
export interface EngineDeps {
  db: Db;
  /** A plain pg pool for the step hot path (engine/fast-path.ts). */
  pool: pg.Pool;
  /**
   * Connections with synchronous_commit off, for the step claim only: it records step.started, and the
   * step's own (synchronous) completion flushes the WAL before it. A claim lost to a power cut only
   * sends the completion down the locked path.
   */
  claimPool: pg.Pool;
  registry: ProcessRegistry;
  clock: Clock;
  log: Logger;
  dispatcher: Dispatcher;
  blobThreshold: number;
}
