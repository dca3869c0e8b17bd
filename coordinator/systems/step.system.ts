import { isDeepStrictEqual } from 'node:util';
import { resolveBlobs } from '../engine/blobs.ts';
import type { EngineDeps, StepJob } from '../engine/deps.ts';
import type { RunView } from '../engine/events.ts';
import { type ClaimedStep, claimStep, commitPlan } from '../engine/fast-path.ts';
import type { CachedRun, RunCache } from '../engine/run-cache.ts';
import { RunPlan, type RunTransaction, withRun } from '../engine/run-tx.ts';
import { AppError, PermanentError, describeError } from '../errors.ts';
import { newId } from '../ids.ts';
import { performOnce } from '../ledger/ledger.ts';
import { insertMessage } from '../operator/conversation.ts';
import { type ProcessDefinition, type RetryPolicy, type Services, type StepContext, type StepDefinition, type StepResult, retryPolicyOf } from '../process/define.ts';
import { crashPoint } from '../runtime/crash-points.ts';
import { requestApproval } from './approval.system.ts';
import { checkBranches, startBranches } from './branches.system.ts';
import { createTimer } from './timer.system.ts';

export interface WorkerDeps extends EngineDeps {
  services: Services;
  workerId: string;
  /** Where this process's fast-path transitions left each run, for speculative steps; none turns them off. */
  runCache?: RunCache;
}

/** A job that reached a worker before the commit that scheduled it: BullMQ tries it again shortly. */
class StepNotYetScheduledError extends AppError {
  constructor(job: StepJob) {
    super('step_not_yet_scheduled', `Run ${job.runId} has not reached step ${job.step} (seq ${job.seq}) yet; retrying the job.`, { retryable: true });
  }
}

/** Waits before re-claiming an early job (0 = the next turn of the event loop): its commit is in flight. */
const EARLY_CLAIM_WAITS_MS = [0, 0, 0, 1, 4, 16, 64];

class StepTimeoutError extends AppError {
  constructor(step: string, ms: number) {
    super('step_timeout', `Step ${step} took longer than its ${ms} ms timeout.`, { retryable: true });
  }
}

/**
 * Runs one step job. The claim is one statement: it records step.started only if the run still expects
 * exactly this step (status running, step_seq = job.seq); a stale or duplicate job claims nothing and
 * is dropped. The outcome commits in one transaction with the next job (completeStep / failStep).
 */
export async function executeStep(deps: WorkerDeps, job: StepJob): Promise<'done' | 'stale'> {
  const cached = deps.runCache?.take(job);
  if (cached) {
    const r = await runFromMemory(deps, job, cached);
    if (r !== 'claim') return r;
    // The transition that scheduled this job is this process's own: claiming before it has committed would only come back 'early'.
    await cached.committed;
  }
  const claimed = await claimWhenScheduled(deps, job);
  if (claimed === 'stale') return 'stale';
  crashPoint('after-step-started');
  const startedAt = Date.now();
  return finishStep(deps, job, claimed, await handle(deps, job, claimed), startedAt);
}

/** Claims, waiting briefly for a scheduling commit still in flight (the hot path enqueues while it commits). */
async function claimWhenScheduled(deps: WorkerDeps, job: StepJob): Promise<ClaimedStep | 'stale'> {
  let claimed = await claimStep(deps.asyncPool, job, deps.workerId);
  for (const ms of EARLY_CLAIM_WAITS_MS) {
    if (claimed !== 'early') break;
    await new Promise((r) => (ms === 0 ? setImmediate(r) : setTimeout(r, ms)));
    claimed = await claimStep(deps.asyncPool, job, deps.workerId);
  }
  // Still early: the commit may have failed (then this job is never claimed) or is slow; BullMQ's
  // backoff keeps the job alive meanwhile, and reconciliation covers a run that stops moving.
  if (claimed === 'early') throw new StepNotYetScheduledError(job);
  return claimed;
}

type Outcome = { ok: true; result: StepResult } | { ok: false; error: unknown };

async function handle(deps: WorkerDeps, job: StepJob, claimed: ClaimedStep, effectGate?: () => Promise<void>): Promise<Outcome> {
  const { run } = claimed;
  const def = deps.registry.get(run.process, run.version);
  const stepDef = def?.steps[job.step];
  if (!def || !stepDef) {
    return { ok: false, error: new PermanentError('process_version_missing', `This deployment no longer has ${run.process} v${run.version} step "${job.step}"; deploy that version again or cancel the run.`) };
  }
  return runHandler(deps, def, stepDef, claimed, job, effectGate);
}

async function finishStep(deps: WorkerDeps, job: StepJob, claimed: ClaimedStep, outcome: Outcome, startedAt: number): Promise<'done' | 'stale'> {
  crashPoint('mid-handler');
  const durationMs = Date.now() - startedAt;
  if (outcome.ok && (await completeFast(deps, job, { plan: new RunPlan(claimed.run, claimed.view, deps), expectSeq: claimed.view.seq }, outcome.result, durationMs))) return 'done';
  return outcome.ok ? completeStep(deps, job, outcome.result, durationMs) : failStep(deps, job, outcome.error, durationMs);
}

/** Comparable form of a view: jsonb does not keep key order, and JSON drops undefined. */
const normalized = (v: RunView): unknown => JSON.parse(JSON.stringify(v));

/**
 * A step of a run this process has just moved starts at once, on the view its last transition left
 * (RunCache), without waiting for a claim:
 * - A step that makes no write (ctx.effect) and goes on or completes commits its step.started with
 *   the transition in one statement, guarded by the whole view it ran on (seq, step, attempt, state):
 *   what the claim would have checked. It goes out after the transition that produced the view, so a
 *   stale job, or a view that never committed, cannot commit anything.
 * - Its first write claims the step, and waits for that claim: every ledger write is made only for a
 *   run that still expects the step. Any other outcome (a wait, a failure) is claimed too before it
 *   commits. A claim that finds another view runs the handler again on the claimed one, as a retry would.
 * So services (a model, memory) can run for a job whose run moved within the moment since this
 * process's own commit (a cancel landing just then, a duplicate delivery); writes never do, and
 * nothing commits on a view that is not the run's.
 */
async function runFromMemory(deps: WorkerDeps, job: StepJob, cached: CachedRun): Promise<'done' | 'stale' | 'claim'> {
  const startedAt = Date.now();
  const plan = new RunPlan(cached.run, cached.view, deps);
  plan.append('step.started', job.step, { attempt: job.attempt, worker: deps.workerId, speculative: true });
  const expected: ClaimedStep = { run: cached.run, view: plan.view };
  let claim: Promise<ClaimedStep | 'early' | 'stale'> | null = null;
  const claimNow = () => (claim ??= cached.committed.then(() => claimStep(deps.asyncPool, job, deps.workerId)));
  const gate = async () => {
    if (typeof (await claimNow()) === 'string') throw new PermanentError('step_superseded', `Run ${job.runId} no longer expects step ${job.step}; its write was not made.`);
  };
  const outcome = await handle(deps, job, expected, gate);
  if (!claim && outcome.ok) {
    crashPoint('mid-handler');
    const expect = { state: cached.view.state, currentStep: job.step, attempt: job.attempt };
    if (await completeFast(deps, job, { plan, expectSeq: cached.view.seq, expect, after: cached.committed }, outcome.result, Date.now() - startedAt)) return 'done';
  }
  const claimed = await claimNow();
  if (claimed === 'stale') return 'stale';
  if (claimed === 'early') return 'claim';
  crashPoint('after-step-started');
  // The claim's own step.started stands in for the speculative one, which never committed.
  const same = isDeepStrictEqual(normalized(claimed.view), normalized(expected.view));
  return finishStep(deps, job, claimed, same ? outcome : await handle(deps, job, claimed), startedAt);
}

/**
 * The common outcomes (go to the next step, complete) with a small output commit in one statement;
 * anything else, or a run that moved meanwhile, takes the locked path (completeStep), which decides.
 * The next job is added to BullMQ while the statement commits rather than after it: that takes the
 * Redis round-trip off each step's critical path. The outbox row still commits with the transition
 * (the relay adds it if this add fails), and a job that arrives before its commit is visible waits for
 * it (claimStep's 'early'); one whose commit never happens is never claimed.
 */
async function completeFast(
  deps: WorkerDeps,
  job: StepJob,
  base: { plan: RunPlan; expectSeq: number; expect?: Parameters<typeof commitPlan>[5]; after?: Promise<boolean> },
  result: StepResult,
  durationMs: number,
): Promise<boolean> {
  if (result.kind !== 'goto' && result.kind !== 'complete') return false;
  if ((JSON.stringify(result.output ?? null) ?? '').length > deps.blobThreshold) return false;
  const { plan } = base;
  plan.append('step.completed', job.step, { attempt: job.attempt, output: result.output ?? null, durationMs, result: result.kind });
  if (result.kind === 'goto') plan.scheduleStep(result.next, 1);
  else plan.append('run.completed', null, { output: result.output ?? null });
  // A speculative step commits after the transition its view came from (before it, the row cannot match).
  const now = deps.clock.now();
  const committed = (base.after ?? Promise.resolve(true))
    .then((ok) => (ok ? commitPlan(deps.asyncPool, plan, base.expectSeq, job.seq, now, base.expect) : { matched: false, jobs: [] }))
    .then((c) => (crashPoint('after-commit-before-enqueue'), c));
  // Remembered before the commit returns: the next job may reach a worker here first.
  if (deps.runCache) {
    if (plan.view.status === 'running') deps.runCache.set({ run: plan.run, view: plan.view, committed: committed.then((c) => c.matched, () => false) });
    else deps.runCache.delete(plan.run.id);
  }
  const added =
    plan.jobs.length === 0
      ? Promise.resolve(false)
      : deps.dispatcher.add(plan.jobs).then(
          () => (crashPoint('after-enqueue-before-commit'), true),
          (err) => (deps.log.warn({ err: String(err) }, 'inline enqueue failed; the relay will retry'), false),
        );
  const [isOnQueue, { matched, jobs }] = await Promise.all([added, committed]);
  if (!matched) {
    deps.runCache?.delete(plan.run.id);
    return false;
  }
  if (isOnQueue) {
    crashPoint('after-enqueue-before-mark');
    deps.dispatcher.markDispatched(jobs.map((j) => j.id));
  }
  return true;
}

async function runHandler(
  deps: WorkerDeps,
  def: ProcessDefinition<any>,
  stepDef: StepDefinition<any>,
  claimed: ClaimedStep,
  job: StepJob,
  /** Resolves once the step is claimed; every write waits for it (runFromMemory). */
  effectGate?: () => Promise<void>,
): Promise<Outcome> {
  const ac = new AbortController();
  const { run, view } = claimed;
  const ctx: StepContext<any> = {
    runId: run.id,
    step: job.step,
    attempt: job.attempt,
    input: run.input,
    outputs: await resolveBlobs(deps.db, view.state.outputs ?? {}),
    decision: view.state.decision ?? null,
    signal: ac.signal,
    services: deps.services,
    log: deps.log.child({ runId: run.id, step: job.step, attempt: job.attempt }),
    effect: async (spec, handlers) => {
      await effectGate?.();
      return performOnce(deps.db, { key: `${run.id}-${job.step}-${spec.key}`, connector: spec.connector, intent: spec.intent, request: spec.request, runId: run.id, step: job.step }, handlers);
    },
    goto: (next, output) => ({ kind: 'goto', next, output: output ?? null }),
    complete: (output) => ({ kind: 'complete', output: output ?? null }),
    fail: (reason, output) => ({ kind: 'fail', reason, output: output ?? null }),
    waitForApproval: (request, opts) => ({ kind: 'approval', then: opts.then, request, output: opts.output ?? null }),
    sleepUntil: (until, opts) => ({ kind: 'sleep', then: opts.then, until: new Date(until).toISOString(), output: opts.output ?? null }),
    parallel: (branches, opts) => ({ kind: 'parallel', then: opts.then, branches, output: opts.output ?? null }),
  };
  const timeoutMs = stepDef.timeoutMs ?? 5 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      Promise.resolve().then(() => stepDef.run(ctx)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          ac.abort();
          reject(new StepTimeoutError(job.step, timeoutMs));
        }, timeoutMs);
      }),
    ]);
    checkTransition(deps, def, stepDef, job.step, result);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the drawn graph honest: a handler may only go where its step declared. */
function checkTransition(deps: WorkerDeps, def: ProcessDefinition<any>, stepDef: StepDefinition<any>, step: string, result: StepResult): void {
  if (!result || typeof result !== 'object' || !('kind' in result)) {
    throw new PermanentError('invalid_step_result', `Step ${def.name}.${step} returned no transition; return ctx.goto(), ctx.complete(), ctx.waitForApproval() or ctx.sleepUntil().`);
  }
  const target = result.kind === 'goto' ? result.next : result.kind === 'approval' || result.kind === 'sleep' || result.kind === 'parallel' ? result.then : null;
  if (target !== null && !(stepDef.next ?? []).includes(target)) {
    throw new PermanentError('undeclared_transition', `Step ${def.name}.${step} went to "${target}", which is not in its declared next steps (${(stepDef.next ?? []).join(', ') || 'none'}).`);
  }
  if (result.kind === 'parallel') checkBranches(deps, def, stepDef, step, result.branches);
  if (result.kind === 'sleep' && Number.isNaN(new Date(result.until).getTime())) {
    throw new PermanentError('invalid_sleep', `Step ${def.name}.${step} asked to sleep until an invalid time.`);
  }
}

function isCurrent(rt: RunTransaction, job: StepJob): boolean {
  return rt.view.status === 'running' && rt.view.stepSeq === job.seq;
}

export async function completeStep(deps: EngineDeps, job: StepJob, result: StepResult, durationMs: number): Promise<'done' | 'stale'> {
  return withRun(deps, job.runId, async (rt) => {
    if (!isCurrent(rt, job)) return 'stale';
    const output = await rt.externalize(result.output);
    rt.append('step.completed', job.step, { attempt: job.attempt, output, durationMs, result: result.kind });
    switch (result.kind) {
      case 'goto':
        rt.scheduleStep(result.next, 1);
        break;
      case 'complete':
        rt.append('run.completed', null, { output });
        break;
      case 'fail':
        rt.append('run.failed', job.step, { error: { code: 'process_failed', message: result.reason } });
        await insertMessage(rt.tx, { direction: 'out', surface: 'coo', body: { kind: 'notice', text: `Run ${rt.run.id} (${rt.run.process}) ended without success: ${result.reason}` } });
        break;
      case 'approval':
        await requestApproval(rt, { ...result.request, step: job.step, kind: 'approval', then: result.then });
        break;
      case 'sleep':
        await createTimer(rt, { kind: 'wake', dueAt: new Date(result.until), then: result.then });
        break;
      case 'parallel':
        await startBranches(rt, job.step, result.then, result.branches);
        break;
    }
    return 'done';
  });
}

export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

export async function failStep(deps: EngineDeps, job: StepJob, err: unknown, durationMs: number): Promise<'done' | 'stale'> {
  const error = describeError(err);
  return withRun(deps, job.runId, async (rt) => {
    if (!isCurrent(rt, job)) return 'stale';
    const stepDef = deps.registry.get(rt.run.process, rt.run.version)?.steps[job.step];
    const { stack, ...short } = error;
    rt.append('step.failed', job.step, { attempt: job.attempt, error: short, durationMs });
    const policy = stepDef ? retryPolicyOf(stepDef) : { attempts: 1, backoffMs: 0, maxBackoffMs: 0, jitter: 0 };
    if (error.retryable && job.attempt < policy.attempts) {
      // Never sooner than the failure said it could succeed (a provider's Retry-After).
      rt.scheduleStep(job.step, job.attempt + 1, { retry: true, delayMs: Math.max(backoffDelay(policy, job.attempt), Math.ceil(error.retryAfterMs ?? 0)) });
      return 'done';
    }
    await openIncident(rt, job, error, stack);
    if ((stepDef?.onFinalFailure ?? 'escalate') === 'escalate') {
      await requestApproval(rt, {
        step: job.step,
        kind: 'escalation',
        failedStep: job.step,
        question: `${rt.run.process} failed at step "${job.step}" after ${job.attempt} attempt${job.attempt === 1 ? '' : 's'}: ${error.message}\nRetry the step, or cancel the run?`,
        options: [
          { id: 'retry', label: 'Retry', style: 'primary' },
          { id: 'cancel', label: 'Cancel run', style: 'danger' },
        ],
      });
    } else {
      rt.append('run.failed', job.step, { error: short });
      await insertMessage(rt.tx, {
        direction: 'out',
        surface: 'coo',
        body: { kind: 'notice', text: `Run ${rt.run.id} (${rt.run.process}) failed at step "${job.step}": ${error.message}\n/retry ${rt.run.id} to run that step again.` },
      });
    }
    return 'done';
  });
}

/** The incident keeps what reproducing the failure needs: the run input, prior outputs and every attempt. */
async function openIncident(rt: RunTransaction, job: StepJob, error: ReturnType<typeof describeError>, stack: string | undefined): Promise<void> {
  const attempts = await rt.tx.runEvent.findMany({
    where: { runId: rt.run.id, step: job.step, type: { in: ['step.started', 'step.failed', 'step.retried', 'step.scheduled'] } },
    orderBy: { seq: 'asc' },
    select: { seq: true, type: true, data: true, at: true },
  });
  const history = [
    ...attempts.map((a) => ({ seq: a.seq, type: a.type, data: a.data, at: a.at.toISOString() })),
    ...rt.events.filter((e) => e.step === job.step).map((e) => ({ seq: e.seq, type: e.type, data: e.data, at: rt.deps.clock.now().toISOString() })),
  ];
  const writes = await rt.tx.writeLedger.findMany({ where: { runId: rt.run.id, step: job.step } });
  const id = newId('inc');
  await rt.tx.incident.create({
    data: {
      id,
      runId: rt.run.id,
      step: job.step,
      code: error.code,
      message: error.message,
      input: { process: rt.run.process, version: rt.run.version, runInput: rt.run.input, outputs: rt.view.state.outputs, stack: stack ?? null } as object,
      history: { attempts: history, writes: writes.map((w) => ({ key: w.key, connector: w.connector, status: w.status, externalId: w.externalId, attempts: w.attempts })) } as object,
    },
  });
  rt.append('incident.opened', job.step, { incidentId: id, code: error.code });
}
