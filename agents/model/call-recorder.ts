import { Prisma, type Db } from '../../coordinator/db/client.ts';

export interface CallRecord {
  id: string;
  agent?: string;
  process?: string;
  runId?: string;
  step?: string;
  tier: string;
  provider: string;
  model: string;
  /** The exact messages and parameters sent. */
  request: Record<string, unknown>;
  response?: unknown;
  output?: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  outcome: 'ok' | 'error' | 'invalid_output' | 'repaired';
  errorCode?: string;
  errorMessage?: string;
  attempt: number;
  purpose?: 'first_pass' | 'deep_pass' | 'repair' | 'replay';
  entityIds: string[];
  replayOf?: string;
}

/** Where every model call is written (table model_call), so it can be costed, audited and replayed. */
export interface CallRecorder {
  /** Writes the call; with `settle`, settles its budget reservation in the same statement. */
  record(rec: CallRecord, settle?: { reservationId: string; actualUsd: number }): Promise<void>;
  /** Marks an answered call whose output then failed validation (structured output). */
  markOutcome(id: string, outcome: CallRecord['outcome'], error?: { code: string; message: string }): Promise<void>;
  get(id: string): Promise<CallRecord | null>;
}

export function createCallRecorder(db: Db): CallRecorder {
  return {
    async record(r, settle) {
      const values = Prisma.sql`${r.id}, ${r.agent ?? null}, ${r.process ?? null}, ${r.runId ?? null}, ${r.step ?? null}, ${r.tier}, ${r.provider}, ${r.model},
          ${JSON.stringify(r.request)}::jsonb, ${r.response === undefined ? null : JSON.stringify(r.response)}::jsonb, ${r.output ?? null},
          ${r.tokensIn}, ${r.tokensOut}, ${r.costUsd}::numeric, ${Math.round(r.latencyMs)}, ${r.outcome}, ${r.errorCode ?? null},
          ${r.errorMessage?.slice(0, 4000) ?? null}, ${r.attempt}, ${r.purpose ?? 'first_pass'}, ${r.entityIds}::text[], ${r.replayOf ?? null}`;
      const cols = Prisma.raw(`id, agent, process, run_id, step, tier, provider, model, request, response, output, tokens_in, tokens_out,
          cost_usd, latency_ms, outcome, error_code, error_message, attempt, purpose, entity_ids, replay_of`);
      if (settle) {
        // Settling the budget and recording the call commit together: one round trip, one WAL flush.
        await db.$executeRaw`WITH fin AS (SELECT coo_budget_finish(${settle.reservationId}, 'settled', ${settle.actualUsd}::numeric, ${r.id}::text) AS ok)
          INSERT INTO model_call (${cols}) SELECT ${values} FROM fin`;
        return;
      }
      // A call with no budget to settle is log only: its commit need not wait for the WAL flush (a
      // database crash may lose the last fraction of a second of log, never corrupt it).
      await db.$transaction([db.$executeRaw`SET LOCAL synchronous_commit TO off`, db.$executeRaw`INSERT INTO model_call (${cols}) VALUES (${values})`]);
    },
    async markOutcome(id, outcome, error) {
      await db.modelCall.update({ where: { id }, data: { outcome, errorCode: error?.code ?? null, errorMessage: error?.message.slice(0, 4000) ?? null } });
    },
    async get(id) {
      const r = await db.modelCall.findUnique({ where: { id } });
      if (!r) return null;
      return {
        id: r.id,
        agent: r.agent ?? undefined,
        process: r.process ?? undefined,
        runId: r.runId ?? undefined,
        step: r.step ?? undefined,
        tier: r.tier,
        provider: r.provider,
        model: r.model,
        request: r.request as Record<string, unknown>,
        response: r.response,
        output: r.output,
        tokensIn: r.tokensIn,
        tokensOut: r.tokensOut,
        costUsd: Number(r.costUsd),
        latencyMs: r.latencyMs,
        outcome: r.outcome as CallRecord['outcome'],
        errorCode: r.errorCode ?? undefined,
        errorMessage: r.errorMessage ?? undefined,
        attempt: r.attempt,
        purpose: r.purpose as CallRecord['purpose'],
        entityIds: r.entityIds,
        replayOf: r.replayOf ?? undefined,
      };
    },
  };
}
