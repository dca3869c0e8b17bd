import type { EngineDeps } from '../engine/deps.ts';
import { type RunTransaction, withRun } from '../engine/run-tx.ts';
import { UserInputError } from '../errors.ts';
import { newId } from '../ids.ts';
import { insertMessage, resolveApprovalMessages } from '../operator/conversation.ts';
import type { Button, OutboundMessageInput } from '../operator/message.ts';
import type { ApprovalRequest } from '../process/define.ts';
import { recordedUnder } from './request-key.ts';
import { cancelTimers, createTimer, type TimerHandler } from './timer.system.ts';

export type ApprovalOption = { id: string; label: string; style?: 'primary' | 'danger' | 'default' };

export const DEFAULT_OPTIONS: ApprovalOption[] = [
  { id: 'approve', label: 'Approve', style: 'primary' },
  { id: 'reject', label: 'Reject', style: 'danger' },
];

export interface DecideRequest {
  approvalId: string;
  option: string;
  actor: string;
  via: string;
  reason?: string | null;
  /** The operator request that decides (OperatorApi): its redelivery finds its own decision and changes nothing. */
  requestKey?: string;
  /** A typed answer's validated value (option `typed`); see ApprovalRequest.answer. */
  value?: string | null;
}

/** The option a typed answer decides; it has no button. */
export const TYPED_OPTION = 'typed';

export type DecideResult =
  | { ok: true; approvalId: string; runId: string; option: string; label: string }
  | { ok: false; approvalId: string; runId: string; status: string; decision: string | null; decidedBy: string | null; decidedVia: string | null; decidedAt: Date | null };

/** An approval's buttons, one per option: the same on its card and wherever else the operator is asked to decide it. */
export function approvalButtons(approvalId: string, options: ApprovalOption[]): Button[][] {
  return [options.map((o) => ({ label: o.label, style: o.style ?? 'default', action: { type: 'decide' as const, approvalId, option: o.id } }))];
}

export function approvalMessage(a: { approvalId: string; question: string; options: ApprovalOption[]; runId: string; process: string; expiresAt?: Date | null; reminder?: boolean; answer?: ApprovalRequest['answer'] }): OutboundMessageInput {
  const lines = [`${a.reminder ? 'Reminder: still waiting for you. ' : ''}${a.question}`];
  if (a.answer) lines.push(`Or reply to this message with ${a.answer.label}.`);
  lines.push(`Run ${a.runId} (${a.process}) · approval ${a.approvalId}`);
  if (a.expiresAt) lines.push(`Decides itself at ${a.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC if unanswered.`);
  return { kind: 'approval', text: lines.join('\n'), buttons: approvalButtons(a.approvalId, a.options) };
}

/**
 * Puts the run in a durable wait for the operator: the approval row, its event, its timers and the
 * message with buttons commit with the step that asked. `kind: 'escalation'` is a final failure asking
 * "retry or cancel?".
 */
export async function requestApproval(
  rt: RunTransaction,
  req: ApprovalRequest & { step: string; kind: 'approval' | 'escalation'; then?: string; failedStep?: string },
): Promise<string> {
  const approvalId = newId('apv');
  const options = req.options?.length ? req.options : DEFAULT_OPTIONS;
  const now = rt.deps.clock.now();
  const expiresAt = req.timeoutMs ? new Date(now.getTime() + req.timeoutMs) : null;
  const onTimeout = req.onTimeout ?? (req.timeoutMs ? options[options.length - 1].id : undefined);
  if (onTimeout && !options.some((o) => o.id === onTimeout)) throw new Error(`onTimeout "${onTimeout}" is not one of the options`);
  // A group asks once: runs that join a pending question wait on it without posting it again. The
  // lock makes two runs that ask at the same moment agree on which one posts.
  let asked: { id: string } | null = null;
  if (req.group) {
    await rt.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`approval-group:${req.group}`}))`;
    // Only a question still on the operator's screen is joined: runs that wait on an answer already
    // given (decideGroup is working through them) are not, so a run that asks now asks afresh.
    [asked = null] = await rt.tx.$queryRaw<Array<{ id: string }>>`SELECT a.id FROM approval a
      WHERE a.group_key = ${req.group} AND a.status = 'pending' AND EXISTS (SELECT 1 FROM operator_message m WHERE m.approval_id = a.id)
      ORDER BY a.created_at LIMIT 1`;
  }
  await rt.tx.approval.create({
    data: { id: approvalId, runId: rt.run.id, step: req.step, question: req.question, options: options as object, status: 'pending', expiresAt, createdAt: now, groupKey: req.group ?? null },
  });
  rt.append('approval.requested', req.step, {
    approvalId,
    kind: req.kind,
    question: req.question,
    options,
    ...(req.then ? { then: req.then } : {}),
    ...(req.failedStep ? { failedStep: req.failedStep } : {}),
    ...(onTimeout ? { onTimeout, timeoutMs: req.timeoutMs } : {}),
    ...(req.remindEveryMs ? { remindEveryMs: req.remindEveryMs } : {}),
    ...(req.group ? { group: req.group, ...(asked ? { joined: asked.id } : {}) } : {}),
    ...(req.answer ? { answer: req.answer } : {}),
  });
  if (expiresAt) await createTimer(rt, { kind: 'approval_timeout', dueAt: expiresAt, approvalId });
  if (asked) return approvalId; // decided with the group's question (decideApproval), which is already posted
  if (req.remindEveryMs) await createTimer(rt, { kind: 'approval_reminder', dueAt: new Date(now.getTime() + req.remindEveryMs), approvalId, everyMs: req.remindEveryMs });
  await insertMessage(rt.tx, {
    direction: 'out',
    surface: 'coo',
    approvalId,
    body: approvalMessage({ approvalId, question: req.question, options, runId: rt.run.id, process: rt.run.process, expiresAt, answer: req.answer }),
  });
  return approvalId;
}

/** Decides an approval: the first decision wins, whatever presses it, however often, from wherever. */
export async function decideApproval(deps: EngineDeps, req: DecideRequest): Promise<DecideResult> {
  const approval = await deps.db.approval.findUnique({ where: { id: req.approvalId } });
  if (!approval) throw new UserInputError('approval_not_found', `There is no approval "${req.approvalId}". /inbox lists what waits for you.`);
  const options = approval.options as ApprovalOption[];
  if (req.option === TYPED_OPTION) {
    // Only a question that asked for a typed value takes one, and only with the value.
    if (!(await typedAnswerOf(deps, approval.runId, approval.id)) || !req.value) {
      throw new UserInputError('invalid_option', `Approval ${req.approvalId} does not take a typed value; choose one of: ${options.map((o) => o.id).join(', ')}.`);
    }
  } else if (!options.some((o) => o.id === req.option)) {
    throw new UserInputError('invalid_option', `"${req.option}" is not an answer to approval ${req.approvalId}; choose one of: ${options.map((o) => o.id).join(', ')}.`);
  }
  const result = await withRun(deps, approval.runId, (rt) => decideInRun(rt, req));
  if (result.ok && approval.groupKey) await decideGroup(deps, approval.groupKey, req);
  return result;
}

/** The typed answer an approval's question asked for, if it asked for one (recorded with its request). */
export async function typedAnswerOf(deps: Pick<EngineDeps, 'db'>, runId: string, approvalId: string): Promise<ApprovalRequest['answer'] | null> {
  const requested = await deps.db.runEvent.findFirst({ where: { runId, type: 'approval.requested', data: { path: ['approvalId'], equals: approvalId } } });
  const answer = (requested?.data as { answer?: ApprovalRequest['answer'] } | undefined)?.answer;
  return answer ?? null;
}

/**
 * The operator answered a group's question: every other run waiting in the group gets the same
 * decision, each in its own run transaction (one run locked at a time, as everywhere). Runs that
 * join the group meanwhile are decided too; a run that asks after this returns asks afresh.
 */
async function decideGroup(deps: EngineDeps, group: string, req: DecideRequest): Promise<void> {
  const tried = new Set<string>();
  for (;;) {
    const waiting = (await deps.db.approval.findMany({ where: { groupKey: group, status: 'pending' }, orderBy: { createdAt: 'asc' }, take: 100 })).filter((w) => !tried.has(w.id));
    if (waiting.length === 0) return;
    for (const w of waiting) {
      tried.add(w.id);
      // One run that cannot be decided now must not keep the others waiting: it stays pending and
      // listed in /inbox, and the group's next answer decides it.
      await withRun(deps, w.runId, (rt) => decideInRun(rt, { ...req, approvalId: w.id, reason: req.reason ?? `with approval ${req.approvalId}` })).catch((err) =>
        deps.log.warn({ err: String(err), approvalId: w.id, group }, 'could not decide a run waiting on a shared question; it stays in /inbox'),
      );
    }
  }
}

/** The decision itself, inside a run transaction (also used by the timeout timer). */
export async function decideInRun(rt: RunTransaction, req: DecideRequest): Promise<DecideResult> {
  const now = rt.deps.clock.now();
  const updated = await rt.tx.approval.updateMany({
    where: { id: req.approvalId, status: 'pending' },
    data: { status: 'decided', decision: req.option, decidedBy: req.actor, decidedVia: req.via, decidedAt: now, reason: req.reason ?? null },
  });
  const approval = await rt.tx.approval.findUniqueOrThrow({ where: { id: req.approvalId } });
  if (updated.count === 0) {
    if (approval.decision && (await recordedUnder(rt.tx, approval.runId, req.requestKey))) {
      const label = (approval.options as ApprovalOption[]).find((o) => o.id === approval.decision)?.label ?? approval.decision;
      return { ok: true, approvalId: approval.id, runId: approval.runId, option: approval.decision, label };
    }
    return { ok: false, approvalId: approval.id, runId: approval.runId, status: approval.status, decision: approval.decision, decidedBy: approval.decidedBy, decidedVia: approval.decidedVia, decidedAt: approval.decidedAt };
  }
  const options = approval.options as ApprovalOption[];
  const label = req.option === TYPED_OPTION ? `“${req.value}”` : (options.find((o) => o.id === req.option)?.label ?? req.option);
  const wait = rt.view.state.wait;
  rt.append('approval.decided', approval.step, { approvalId: approval.id, option: req.option, decidedBy: req.actor, via: req.via, reason: req.reason ?? null, at: now.toISOString(), ...(req.requestKey ? { requestKey: req.requestKey } : {}), ...(req.value ? { value: req.value } : {}) });
  await cancelTimers(rt, { approvalId: approval.id });
  if (wait?.kind === 'approval' && wait.approvalId === approval.id) {
    rt.scheduleStep(wait.then, 1);
  } else if (wait?.kind === 'escalation' && wait.approvalId === approval.id) {
    if (req.option === 'retry') rt.scheduleStep(wait.step, 1, { reason: `retry by ${req.actor}` });
    else {
      rt.append('run.cancelled', null, { by: req.actor, reason: req.reason ?? 'cancelled after failure' });
      await cancelTimers(rt);
    }
    // The escalation was the incident's question: answered, its cause is handled. A retry that fails
    // again opens a new incident, so none stays open for a failure the operator already dealt with.
    await rt.tx.incident.updateMany({ where: { runId: rt.run.id, status: 'open' }, data: { status: 'resolved', resolvedAt: now } });
  }
  const when = now.toISOString().replace('T', ' ').slice(0, 16);
  await resolveApprovalMessages(rt.tx, approval.id, `${label} — by ${req.actor} via ${req.via} at ${when} UTC${req.reason ? ` (“${req.reason}”)` : ''}`);
  return { ok: true, approvalId: approval.id, runId: approval.runId, option: req.option, label };
}

/** Approval timeouts decide by the configured default; reminders re-post the question with its buttons. */
export const onApprovalTimer: TimerHandler = async (rt, timer) => {
  if (!timer.approvalId) return;
  const approval = await rt.tx.approval.findUnique({ where: { id: timer.approvalId } });
  if (!approval || approval.status !== 'pending') return;
  const requested = await rt.tx.runEvent.findFirst({
    where: { runId: rt.run.id, type: 'approval.requested', data: { path: ['approvalId'], equals: approval.id } },
  });
  const data = (requested?.data ?? {}) as { onTimeout?: string; remindEveryMs?: number };
  if (timer.kind === 'approval_timeout' && data.onTimeout) {
    await decideInRun(rt, { approvalId: approval.id, option: data.onTimeout, actor: 'timeout', via: 'timer', reason: 'no answer in time' });
  } else if (timer.kind === 'approval_reminder') {
    await insertMessage(rt.tx, {
      direction: 'out',
      surface: 'coo',
      approvalId: approval.id,
      body: approvalMessage({ approvalId: approval.id, question: approval.question, options: approval.options as ApprovalOption[], runId: rt.run.id, process: rt.run.process, expiresAt: approval.expiresAt, reminder: true }),
    });
    if (data.remindEveryMs) await createTimer(rt, { kind: 'approval_reminder', dueAt: new Date(rt.deps.clock.now().getTime() + data.remindEveryMs), approvalId: approval.id, everyMs: data.remindEveryMs });
  }
};

/** Cancels every pending approval of a run (the run was cancelled) and settles their messages. */
export async function cancelPendingApprovals(rt: RunTransaction, by: string): Promise<void> {
  const pending = await rt.tx.approval.findMany({ where: { runId: rt.run.id, status: 'pending' } });
  for (const a of pending) {
    await rt.tx.approval.update({ where: { id: a.id }, data: { status: 'cancelled', decidedBy: by, decidedAt: rt.deps.clock.now() } });
    await resolveApprovalMessages(rt.tx, a.id, `Cancelled — the run was cancelled by ${by}`);
    if (a.groupKey) await handOverGroupQuestion(rt, a.id, a.groupKey);
  }
}

/** The run whose question a group shared was cancelled: the next run waiting in the group posts it. */
async function handOverGroupQuestion(rt: RunTransaction, cancelledId: string, group: string): Promise<void> {
  const posted = await rt.tx.operatorMessage.count({ where: { approvalId: cancelledId } });
  if (posted === 0) return; // it was not the one posted
  const next = await rt.tx.approval.findFirst({ where: { groupKey: group, status: 'pending', id: { not: cancelledId } }, orderBy: { createdAt: 'asc' }, include: { run: { select: { process: true } } } });
  if (!next) return;
  await insertMessage(rt.tx, {
    direction: 'out',
    surface: 'coo',
    approvalId: next.id,
    body: approvalMessage({ approvalId: next.id, question: next.question, options: next.options as ApprovalOption[], runId: next.runId, process: next.run.process, expiresAt: next.expiresAt }),
  });
}
