import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { AppError, PermanentError, describeError } from '../errors.ts';
import type { EffectHandlers } from '../process/define.ts';
import { crashPoint } from '../runtime/crash-points.ts';

export interface LedgerEntryRequest {
  key: string;
  connector: string;
  intent: string;
  request: unknown;
  runId?: string | null;
  step?: string | null;
}

/** The write's outcome could not be established: a person must look (the step escalates, never guesses). */
export class WriteOutcomeUnknownError extends AppError {
  constructor(key: string, connector: string) {
    super(
      'write_outcome_unknown',
      `A ${connector} write (key ${key}) was interrupted and ${connector} cannot tell whether it happened. Check it there, then /retry or /cancel the run.`,
      { retryable: false, reportable: true, details: { key, connector } },
    );
  }
}

export function digestOf(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request ?? null)).digest('hex');
}

/**
 * Performs an external write at most once per key. Intent is recorded before the call and the outcome
 * after it; a retry that finds the write succeeded returns the recorded result without calling; one that
 * finds it started with no outcome asks the connector to reconcile, and escalates when it cannot.
 */
export async function performOnce<T>(db: Db, req: LedgerEntryRequest, handlers: EffectHandlers<T>): Promise<T> {
  const digest = digestOf(req.request);
  const inserted = await db.writeLedger.createMany({
    data: [{ key: req.key, connector: req.connector, intent: req.intent, requestDigest: digest, status: 'started', runId: req.runId ?? null, step: req.step ?? null }],
    skipDuplicates: true,
  });
  if (inserted.count === 0) {
    const existing = await db.writeLedger.findUniqueOrThrow({ where: { key: req.key } });
    if (existing.requestDigest !== digest) {
      throw new PermanentError('idempotency_key_reused', `Write key ${req.key} was used before for a different request; refusing to send a different write under it.`);
    }
    if (existing.status === 'succeeded') return existing.result as T;
    // A failed call may still have reached the outside (a timeout, say): look it up whenever we can.
    if (handlers.reconcile) {
      const found = await handlers.reconcile(req.key);
      if (found) {
        await db.writeLedger.update({ where: { key: req.key }, data: { status: 'succeeded', externalId: found.externalId ?? null, result: (found.result ?? null) as object } });
        return found.result;
      }
    } else if (existing.status !== 'failed') {
      await db.writeLedger.update({ where: { key: req.key }, data: { status: 'unknown' } });
      throw new WriteOutcomeUnknownError(req.key, req.connector);
    }
    // Failed before, or interrupted before it reached the outside: safe to send (again).
    await db.writeLedger.update({ where: { key: req.key }, data: { status: 'started', attempts: { increment: 1 } } });
  }
  crashPoint('after-ledger-intent');
  let outcome: { externalId?: string | null; result: T };
  try {
    outcome = await handlers.perform(req.key);
  } catch (err) {
    await db.writeLedger.update({ where: { key: req.key }, data: { status: 'failed', error: describeError(err).message } });
    throw err;
  }
  crashPoint('after-external-call');
  await db.writeLedger.update({
    where: { key: req.key },
    data: { status: 'succeeded', externalId: outcome.externalId ?? null, result: (outcome.result ?? null) as object, error: null },
  });
  return outcome.result;
}
