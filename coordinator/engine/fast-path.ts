import type pg from 'pg';
import type { OutboxJob, StepJob } from './deps.ts';
import type { RunView } from './events.ts';
import type { LockedRun, RunPlan } from './run-tx.ts';

/**
 * The step hot path in single statements on a plain pg pool. Measured on this machine kind under load:
 * a Prisma round-trip cost ~4 ms against ~2 ms for pg, and a step's interactive transaction made six of
 * them; these two statements replace them for the common outcomes (claim; goto/complete).
 */

export interface ClaimedStep {
  run: LockedRun;
  view: RunView;
}

interface ClaimRow {
  id: string;
  process: string;
  version: number;
  input: unknown;
  created_at: Date;
  status: RunView['status'];
  current_step: string | null;
  step_seq: number | null;
  attempt: number;
  seq: number;
  error: string | null;
  state: RunView['state'];
}

/**
 * Records step.started only if the run expects exactly this job (status running, step_seq = job.seq,
 * the same step and attempt): one statement, so the check and the append are atomic. Otherwise:
 * 'early' when the run has not reached the job's seq yet (its scheduling commit is still in flight,
 * since the hot path enqueues while it commits; the run row lock usually makes the claim wait for
 * it instead), 'stale' for a duplicate or superseded job, which is dropped.
 */
export async function claimStep(pool: pg.Pool, job: StepJob, workerId: string): Promise<ClaimedStep | 'early' | 'stale'> {
  const { rows } = await pool.query<ClaimRow & { claimed: boolean }>(
    `WITH r AS (
       UPDATE run SET seq = seq + 1
       WHERE id = $1 AND status = 'running' AND step_seq = $2 AND current_step = $3 AND attempt = $5
       RETURNING id, process, version, input, created_at, status, current_step, step_seq, attempt, seq, error, state
     ), e AS (
       INSERT INTO run_event (run_id, seq, type, step, data) SELECT id, seq, 'step.started', $3, $4::jsonb FROM r
     )
     SELECT true AS claimed, * FROM r
     UNION ALL
     SELECT false, id, process, version, NULL, created_at, status, current_step, step_seq, attempt, seq, error, NULL
     FROM run WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM r)`,
    [job.runId, job.seq, job.step, JSON.stringify({ attempt: job.attempt, worker: workerId }), job.attempt],
  );
  const r = rows[0];
  if (!r) return 'stale';
  if (!r.claimed) return r.status === 'running' && r.seq < job.seq ? 'early' : 'stale';
  return {
    run: { id: r.id, process: r.process, version: r.version, input: r.input, createdAt: r.created_at },
    view: { status: r.status, currentStep: r.current_step, stepSeq: r.step_seq, attempt: r.attempt, seq: r.seq, error: r.error, state: r.state },
  };
}

/**
 * Commits a planned transition in one statement, guarded by the seq the plan was built on: the run
 * update, its events and its outbox rows all happen, or (the run moved meanwhile) none of them.
 * `expect` also guards the run's step, attempt and state: a plan built on a view this process remembers rather
 * than one it just read (a speculative step) commits only if the row still holds exactly that view.
 */
export async function commitPlan(pool: pg.Pool, plan: RunPlan, expectSeq: number, expectStepSeq: number, now: Date, expect?: { state: RunView['state']; currentStep: string; attempt: number }): Promise<{ matched: boolean; jobs: OutboxJob[] }> {
  const v = plan.view;
  const terminal = v.status === 'completed' || v.status === 'failed' || v.status === 'cancelled';
  const { rows } = await pool.query<{ matched: number; jobs: Array<{ id: string; queue: string; job_id: string; payload: StepJob; available_at: string }> | null }>(
    `WITH r AS (
       UPDATE run SET status = $2, current_step = $3, step_seq = $4, attempt = $5, seq = $6, error = $7, state = $8::jsonb, updated_at = $9, finished_at = $10
       WHERE id = $1 AND status = 'running' AND step_seq = $11 AND seq = $12 AND ($15::jsonb IS NULL OR (state = $15::jsonb AND current_step = $16 AND attempt = $17))
       RETURNING id
     ), e AS (
       INSERT INTO run_event (run_id, seq, type, step, data, at)
       SELECT r.id, x.seq, x.type, x.step, x.data, $9 FROM r CROSS JOIN jsonb_to_recordset($13::jsonb) AS x(seq int, type text, step text, data jsonb)
     ), o AS (
       INSERT INTO outbox (queue, job_id, run_id, payload, available_at)
       SELECT x.queue, x.job_id, r.id, x.payload, x.available_at FROM r CROSS JOIN jsonb_to_recordset($14::jsonb) AS x(queue text, job_id text, payload jsonb, available_at timestamptz)
       RETURNING id, queue, job_id, payload, available_at
     )
     SELECT (SELECT count(*) FROM r)::int AS matched, (SELECT json_agg(o) FROM o) AS jobs`,
    [
      plan.run.id,
      v.status,
      v.currentStep,
      v.stepSeq,
      v.attempt,
      v.seq,
      v.error,
      JSON.stringify(v.state),
      now,
      terminal ? now : null,
      expectStepSeq,
      expectSeq,
      JSON.stringify(plan.events),
      JSON.stringify(plan.jobs.map((j) => ({ queue: j.queue, job_id: j.jobId, payload: j.payload, available_at: j.availableAt.toISOString() }))),
      expect ? JSON.stringify(expect.state) : null,
      expect?.currentStep ?? null,
      expect?.attempt ?? null,
    ],
  );
  const row = rows[0];
  return {
    matched: row.matched === 1,
    jobs: (row.jobs ?? []).map((j) => ({ id: BigInt(j.id), queue: j.queue, jobId: j.job_id, payload: j.payload, availableAt: new Date(j.available_at) })),
  };
}
