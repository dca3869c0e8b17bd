import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../../coordinator/db/client.ts';
import { FENCE_TAG_PATTERN, sqlRunner, withoutFenceTags } from '../../memory/index.ts';

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
  /** `request` already serialized (the model service has it at hand): written as is. */
  requestJson?: string;
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
  /**
   * Writes the call; with `settle`, settles its budget reservation (or, `lease`, the call drawn from
   * a lease) in the same statement. A lease settle returns whether the lease is still held and the
   * caps now (coo_budget_lease_settle), for the ledger's `settled`.
   */
  record(rec: CallRecord, settle?: { reservationId: string; actualUsd: number; lease?: boolean }): Promise<{ live: boolean; fp: string | null } | null | void>;
  /** Marks an answered call whose output then failed validation (structured output). */
  markOutcome(id: string, outcome: CallRecord['outcome'], error?: { code: string; message: string }): Promise<void>;
  get(id: string): Promise<CallRecord | null>;
  /**
   * The answer this run's step already paid for with exactly this request (a retry of the step, or
   * the step again after a Raise): reused instead of paying for the same call twice. Requests are
   * compared with their fence tags (random per request) set aside. An answer that
   * failed validation is reused only when its repair succeeded (the pair is what was paid for); one
   * whose repair failed too is asked again, or a retry could never do better.
   */
  findAnswered(q: { runId: string; step: string; purpose: string; requestJson: string }): Promise<CallRecord | null>;
  /** Opens an incident about a call (a provider that billed beyond what the request allows). */
  incident(i: { runId?: string; step?: string; code: string; message: string; details: Record<string, unknown> }): Promise<string>;
}

const COLS = `id, agent, process, run_id, step, tier, provider, model, request, response, output, tokens_in, tokens_out,
  cost_usd, latency_ms, outcome, error_code, error_message, attempt, purpose, entity_ids, replay_of`;
const VALUES = `$1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::jsonb, $11::text,
  $12::int, $13::int, $14::numeric, $15::int, $16::text, $17::text, $18::text, $19::int, $20::text, $21::text[], $22::text`;
/**
 * Every write of a call record commits with synchronous_commit off (set for this statement's own
 * transaction only): the commit does not wait for the WAL flush, which is most of a write's latency
 * here. A power cut or database crash can lose the last fraction of a second of such commits, never
 * corrupt them, and losing one is harmless:
 * - a lost call row is a missing log line (costs roll up from budget_usage for caps, not from it);
 * - a lost settle (same transaction) leaves its reservation `reserved`, still holding the worst-case
 *   estimate, which is at least the actual cost: the cap stays guarded, only over-cautiously, exactly
 *   like a worker that crashed after the provider answered and before it settled;
 * - WAL is one sequence: any later synchronous commit (every reservation is one) flushes this commit
 *   too, so no reservation that used the room a settle freed can survive a crash without that settle.
 * - a lost lease settle (same transaction) leaves its lease row holding the actual cost that this
 *   process already counts as spent: the row holds more than the process believes it does, so that
 *   money stays held back (never handed out again) until releaseStale; see agents/ARCHITECTURE.md.
 * The reservation itself (coo_budget_reserve, coo_budget_lease) always commits synchronously: it is what guards the cap.
 */
const ASYNC = `cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v)`;
const INSERT_CALL = `WITH ${ASYNC} INSERT INTO model_call (${COLS}) SELECT ${VALUES} FROM cfg`;
const INSERT_CALL_SETTLE = `WITH ${ASYNC}, fin AS (SELECT coo_budget_finish($23::text, 'settled', $24::numeric, $1::text) AS ok)
  INSERT INTO model_call (${COLS}) SELECT ${VALUES} FROM cfg, fin`;
const INSERT_CALL_LEASE = `WITH ${ASYNC}, fin AS MATERIALIZED (SELECT * FROM coo_budget_lease_settle($23::text, $24::numeric)),
  ins AS (INSERT INTO model_call (${COLS}) SELECT ${VALUES} FROM cfg, fin RETURNING 1)
  SELECT fin.live, fin.fp FROM fin, ins`;

/** Writes through `pool` (one pg round trip per record) when given, else through Prisma. */
export function createCallRecorder(db: Db, opts: { pool?: pg.Pool | null } = {}): CallRecorder {
  const sql = sqlRunner(db, opts.pool);
  return {
    async record(r, settle) {
      const values = [
        r.id, r.agent ?? null, r.process ?? null, r.runId ?? null, r.step ?? null, r.tier, r.provider, r.model,
        r.requestJson ?? JSON.stringify(r.request), r.response === undefined ? null : JSON.stringify(r.response), r.output ?? null,
        r.tokensIn, r.tokensOut, r.costUsd, Math.round(r.latencyMs), r.outcome, r.errorCode ?? null,
        r.errorMessage?.slice(0, 4000) ?? null, r.attempt, r.purpose ?? 'first_pass', r.entityIds, r.replayOf ?? null,
      ];
      // With a reservation to settle, the settle and the record commit together: one round trip.
      if (settle?.lease) return (await sql.query<{ live: boolean; fp: string | null }>(INSERT_CALL_LEASE, [...values, settle.reservationId, settle.actualUsd]))[0] ?? null;
      if (settle) await sql.query(INSERT_CALL_SETTLE, [...values, settle.reservationId, settle.actualUsd]);
      else await sql.query(INSERT_CALL, values);
    },
    async markOutcome(id, outcome, error) {
      await db.modelCall.update({ where: { id }, data: { outcome, errorCode: error?.code ?? null, errorMessage: error?.message.slice(0, 4000) ?? null } });
    },
    async get(id) {
      return toRecord(await db.modelCall.findUnique({ where: { id } }));
    },
    async findAnswered(q) {
      const [row] = await sql.query<{ id: string }>(
        `SELECT c.id FROM model_call c WHERE c.run_id = $1 AND c.step = $2 AND c.purpose = $3
           AND regexp_replace(c.request::text, $5, '\\1*', 'g')::jsonb = $4::jsonb
           AND (c.outcome IN ('ok', 'repaired') OR (c.outcome = 'invalid_output' AND EXISTS (
             SELECT 1 FROM model_call r WHERE r.run_id = c.run_id AND r.step = c.step AND r.purpose = 'repair' AND r.outcome = 'repaired' AND r.created_at >= c.created_at)))
         ORDER BY c.created_at DESC LIMIT 1`,
        [q.runId, q.step, q.purpose, withoutFenceTags(q.requestJson), FENCE_TAG_PATTERN],
      );
      return row ? toRecord(await db.modelCall.findUnique({ where: { id: row.id } })) : null;
    },
    async incident(i) {
      const id = `inc_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      await sql.query(`INSERT INTO incident (id, run_id, step, code, message, history) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
        id, i.runId ?? null, i.step ?? null, i.code, i.message, JSON.stringify({ details: i.details }),
      ]);
      return id;
    },
  };
}

type ModelCallRow = Awaited<ReturnType<Db['modelCall']['findUnique']>>;

/** A model_call row as the recorder's CallRecord. */
function toRecord(r: ModelCallRow): CallRecord | null {
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
}
