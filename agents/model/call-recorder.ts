import type { Db } from '../../coordinator/db/client.ts';

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
  record(rec: CallRecord): Promise<void>;
  /** Marks an answered call whose output then failed validation (structured output). */
  markOutcome(id: string, outcome: CallRecord['outcome'], error?: { code: string; message: string }): Promise<void>;
  get(id: string): Promise<CallRecord | null>;
}

export function createCallRecorder(db: Db): CallRecorder {
  return {
    async record(r) {
      await db.modelCall.create({
        data: {
          id: r.id,
          agent: r.agent ?? null,
          process: r.process ?? null,
          runId: r.runId ?? null,
          step: r.step ?? null,
          tier: r.tier,
          provider: r.provider,
          model: r.model,
          request: r.request as object,
          response: (r.response ?? undefined) as object | undefined,
          output: r.output ?? null,
          tokensIn: r.tokensIn,
          tokensOut: r.tokensOut,
          costUsd: r.costUsd,
          latencyMs: Math.round(r.latencyMs),
          outcome: r.outcome,
          errorCode: r.errorCode ?? null,
          errorMessage: r.errorMessage?.slice(0, 4000) ?? null,
          attempt: r.attempt,
          purpose: r.purpose ?? 'first_pass',
          entityIds: r.entityIds,
          replayOf: r.replayOf ?? null,
        },
      });
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
