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
  /** How long the external call may hold the ledger row's lock. */
  timeoutMs?: number;
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

interface LedgerRow {
  status: string;
  attempts: number;
  request_digest: string;
  result: unknown;
}

type Outcome<T> = { kind: 'done'; result: T } | { kind: 'threw'; error: unknown };

/**
 * Performs an external write at most once per key.
 *
 * 1. The intent row commits first, on its own: after a crash, the next attempt knows a write may have
 *    gone out.
 * 2. The call then runs while this transaction holds the row lock. A second executor of the same step
 *    (BullMQ is at-least-once) waits on the lock and then finds `succeeded`; if the holder dies,
 *    PostgreSQL releases its lock and the next one reconciles.
 * 3. Whoever finds the row `started` without having just created it asks the connector whether the
 *    write happened (reconcile); a connector that cannot tell makes the step escalate, never resend.
 */
export async function performOnce<T>(db: Db, req: LedgerEntryRequest, handlers: EffectHandlers<T>): Promise<T> {
  const digest = digestOf(req.request);
  const inserted = await db.writeLedger.createMany({
    data: [{ key: req.key, connector: req.connector, intent: req.intent, requestDigest: digest, status: 'started', runId: req.runId ?? null, step: req.step ?? null }],
    skipDuplicates: true,
  });
  crashPoint('after-ledger-intent');
  const outcome = await db.$transaction(
    async (tx): Promise<Outcome<T>> => {
      const [row] = await tx.$queryRaw<LedgerRow[]>`SELECT status, attempts, request_digest, result FROM write_ledger WHERE key = ${req.key} FOR UPDATE`;
      if (row.request_digest !== digest) {
        throw new PermanentError('idempotency_key_reused', `Write key ${req.key} was used before for a different request; refusing to send a different write under it.`);
      }
      if (row.status === 'succeeded') return { kind: 'done', result: row.result as T };
      const fresh = inserted.count === 1 && row.status === 'started' && row.attempts === 1;
      if (!fresh) {
        // A failed call may still have reached the outside (a timeout, say): look it up whenever we can.
        if (handlers.reconcile) {
          const found = await handlers.reconcile(req.key);
          if (found) {
            await tx.writeLedger.update({ where: { key: req.key }, data: { status: 'succeeded', externalId: found.externalId ?? null, result: (found.result ?? null) as object } });
            return { kind: 'done', result: found.result };
          }
        } else if (row.status !== 'failed') {
          await tx.writeLedger.update({ where: { key: req.key }, data: { status: 'unknown' } });
          throw new WriteOutcomeUnknownError(req.key, req.connector);
        }
        await tx.writeLedger.update({ where: { key: req.key }, data: { status: 'started', attempts: { increment: 1 } } });
      }
      let result: { externalId?: string | null; result: T };
      try {
        result = await handlers.perform(req.key);
      } catch (error) {
        await tx.writeLedger.update({ where: { key: req.key }, data: { status: 'failed', error: describeError(error).message } });
        return { kind: 'threw', error };
      }
      crashPoint('after-external-call');
      await tx.writeLedger.update({
        where: { key: req.key },
        data: { status: 'succeeded', externalId: result.externalId ?? null, result: (result.result ?? null) as object, error: null },
      });
      return { kind: 'done', result: result.result };
    },
    { maxWait: 30_000, timeout: req.timeoutMs ?? 120_000 },
  );
  if (outcome.kind === 'threw') throw outcome.error;
  return outcome.result;
}
