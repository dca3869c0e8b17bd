import { resolveBlob } from '../engine/blobs.ts';
import type { EngineDeps } from '../engine/deps.ts';
import { type RunTransaction, withRun } from '../engine/run-tx.ts';
import { PermanentError } from '../errors.ts';
import type { Branch, BranchOutcome, ProcessDefinition, StepDefinition } from '../process/define.ts';
import { parseProcessInput, startRun } from './start-run.system.ts';

const FINISHED = ['completed', 'failed', 'cancelled'];

const branchName = (b: Branch): string => b.name ?? ('step' in b ? b.step : b.process);

/**
 * Checks a ctx.parallel result before anything is started, so a mistake is a step failure with a clear
 * message (escalated like any other) rather than a transition that cannot commit.
 */
export function checkBranches(deps: Pick<EngineDeps, 'registry'>, def: ProcessDefinition<any>, stepDef: StepDefinition<any>, step: string, branches: Branch[]): void {
  const where = `Step ${def.name}.${step}`;
  if (!Array.isArray(branches) || branches.length === 0) throw new PermanentError('invalid_branches', `${where} asked for parallel branches but gave none.`);
  const names = new Set<string>();
  for (const b of branches) {
    const name = branchName(b);
    if (names.has(name)) throw new PermanentError('invalid_branches', `${where} has two branches named "${name}"; give each a distinct name.`);
    names.add(name);
    if ('step' in b) {
      if (!(stepDef.next ?? []).includes(b.step)) throw new PermanentError('undeclared_transition', `${where} branched into "${b.step}", which is not in its declared next steps (${(stepDef.next ?? []).join(', ') || 'none'}).`);
    } else {
      // Other processes: the name must not shadow a step's output, and the input must be valid now, not at commit.
      if (def.steps[name]) throw new PermanentError('invalid_branches', `${where}: branch "${name}" has the name of a step; its outcome would overwrite that step's output.`);
      try {
        parseProcessInput(deps, b.process, b.input);
      } catch (err) {
        throw new PermanentError('invalid_branches', `${where}, branch "${name}": ${(err as Error).message}`);
      }
    }
  }
}

/**
 * Starts each branch as a child run in the parent's transition, so the parent's wait and its children
 * commit together (a crash leaves both or neither), and records what the join waits for.
 */
export async function startBranches(rt: RunTransaction, step: string, then: string, branches: Branch[]): Promise<void> {
  const started: Array<{ name: string; runId: string; process: string; step?: string }> = [];
  for (const b of branches) {
    const name = branchName(b);
    const branchOf = { runId: rt.run.id, step, name };
    const r =
      'step' in b
        ? await startRun(rt.deps, { process: rt.run.process, input: rt.run.input, startedBy: `run:${rt.run.id}`, branchOf: { ...branchOf, version: rt.run.version, startStep: b.step, outputs: rt.view.state.outputs } }, rt.tx)
        : await startRun(rt.deps, { process: b.process, input: b.input ?? {}, startedBy: `run:${rt.run.id}`, branchOf }, rt.tx);
    started.push({ name, runId: r.runId, process: r.process, ...('step' in b ? { step: b.step } : {}) });
  }
  rt.append('branches.started', step, { then, branches: started });
}

/**
 * The join: once every branch the parent waits for has finished, their outcomes become the parent's
 * outputs (under each branch's name) and `then` is scheduled. Under the parent's row lock and checked
 * against its wait, so a second wake-up (another child, another coordinator, the poll) does nothing.
 */
export async function joinBranches(deps: EngineDeps, parentRunId: string): Promise<boolean> {
  return withRun(deps, parentRunId, async (rt) => {
    const wait = rt.view.state.wait;
    if (rt.view.status !== 'waiting' || wait?.kind !== 'branches') return false;
    const rows = await rt.tx.run.findMany({ where: { id: { in: wait.branches.map((b) => b.runId) } }, select: { id: true, status: true, state: true, error: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    if (wait.branches.some((b) => !FINISHED.includes(byId.get(b.runId)?.status ?? 'missing'))) return false;
    const outputs: Record<string, unknown> = {};
    for (const b of wait.branches) {
      const r = byId.get(b.runId)!;
      const result = r.status === 'completed' ? await resolveBlob(rt.tx, (r.state as { result?: unknown }).result ?? null) : null;
      const outcome: BranchOutcome = { runId: r.id, status: r.status as BranchOutcome['status'], result, error: r.status === 'completed' ? null : (r.error ?? r.status) };
      outputs[b.name] = await rt.externalize(outcome);
    }
    rt.append('branches.joined', wait.step, { outputs });
    rt.scheduleStep(wait.then, 1);
    return true;
  });
}

/** Parents whose branches have all finished but that are still waiting: a wake-up nobody heard. */
export async function parentsReadyToJoin(deps: EngineDeps, limit = 100): Promise<string[]> {
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT p.id FROM run p
     WHERE p.status = 'waiting' AND p.state->'wait'->>'kind' = 'branches'
       AND NOT EXISTS (SELECT 1 FROM run c WHERE c.parent_run_id = p.id AND c.status NOT IN ('completed', 'failed', 'cancelled'))
     LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Branches still going when their parent is cancelled are cancelled with it, in the same transaction. */
export async function unfinishedBranchesOf(rt: RunTransaction): Promise<string[]> {
  const rows = await rt.tx.run.findMany({ where: { parentRunId: rt.run.id, status: { notIn: FINISHED } }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}
