import type { Decision } from '../process/define.ts';

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

export type EventType =
  | 'run.started'
  | 'step.scheduled'
  | 'step.started'
  | 'step.completed'
  | 'step.failed'
  | 'step.retried'
  | 'approval.requested'
  | 'approval.decided'
  | 'timer.set'
  | 'timer.fired'
  | 'incident.opened'
  | 'branches.started'
  | 'branches.joined'
  | 'run.replayed'
  | 'run.completed'
  | 'run.failed'
  | 'run.cancelled';

export interface RunEventRecord {
  seq: number;
  type: EventType;
  step: string | null;
  data: Record<string, any>;
}

export type Wait =
  | { kind: 'approval'; approvalId: string; then: string }
  | { kind: 'escalation'; approvalId: string; step: string }
  | { kind: 'sleep'; timerId: string; until: string; then: string }
  | { kind: 'branches'; step: string; then: string; branches: Array<{ name: string; runId: string }> };

/** The snapshot kept in run.state: small, with large outputs as blob references. */
export interface RunState {
  outputs: Record<string, unknown>;
  decision: Decision | null;
  wait: Wait | null;
  result: unknown;
  stepsCompleted: number;
}

/** Everything about a run that the events determine: the run row's columns plus its state. */
export interface RunView {
  status: RunStatus;
  currentStep: string | null;
  stepSeq: number | null;
  attempt: number;
  seq: number;
  error: string | null;
  state: RunState;
}

export function emptyView(): RunView {
  return {
    status: 'running',
    currentStep: null,
    stepSeq: null,
    attempt: 0,
    seq: 0,
    error: null,
    state: { outputs: {}, decision: null, wait: null, result: null, stepsCompleted: 0 },
  };
}

/**
 * The fold that defines a run's snapshot: applying a run's events in order to emptyView() gives exactly
 * what the run row holds. Pure, so replay and the snapshot check (test/core/replay.test.ts) can rely on it.
 */
export function applyEvent(view: RunView, e: RunEventRecord): RunView {
  const v: RunView = { ...view, seq: e.seq, state: { ...view.state } };
  const d = e.data;
  switch (e.type) {
    case 'run.started':
      v.status = 'running';
      // A branch of its parent's own process starts with the parent's outputs so far.
      if (d.outputs) v.state.outputs = { ...d.outputs };
      break;
    case 'step.scheduled':
    case 'step.retried':
      v.status = 'running';
      v.currentStep = e.step;
      v.stepSeq = e.seq;
      v.attempt = d.attempt;
      v.error = null;
      v.state.wait = null;
      break;
    case 'step.completed':
      v.state.outputs = { ...v.state.outputs, [e.step!]: d.output ?? null };
      v.state.stepsCompleted += 1;
      v.currentStep = null;
      v.stepSeq = null;
      break;
    case 'step.failed':
      v.error = d.error?.message ?? 'failed';
      break;
    case 'approval.requested':
      v.status = 'waiting';
      v.currentStep = d.kind === 'escalation' ? d.failedStep : null;
      v.stepSeq = null;
      v.state.wait = d.kind === 'escalation'
        ? { kind: 'escalation', approvalId: d.approvalId, step: d.failedStep }
        : { kind: 'approval', approvalId: d.approvalId, then: d.then };
      break;
    case 'approval.decided':
      v.state.decision = { approvalId: d.approvalId, option: d.option, decidedBy: d.decidedBy, via: d.via, reason: d.reason ?? null, at: d.at, ...(d.value != null ? { value: d.value } : {}) };
      v.state.wait = null;
      break;
    case 'timer.set':
      if (d.kind === 'wake') {
        v.status = 'waiting';
        v.currentStep = null;
        v.stepSeq = null;
        v.state.wait = { kind: 'sleep', timerId: d.timerId, until: d.dueAt, then: d.then };
      }
      break;
    case 'timer.fired':
      if (d.kind === 'wake') v.state.wait = null;
      break;
    case 'branches.started':
      v.status = 'waiting';
      v.currentStep = null;
      v.stepSeq = null;
      v.state.wait = { kind: 'branches', step: e.step!, then: d.then, branches: d.branches.map((b: { name: string; runId: string }) => ({ name: b.name, runId: b.runId })) };
      break;
    case 'branches.joined':
      // Each branch's outcome becomes an output under its name ({ runId, status, result, error }).
      v.state.outputs = { ...v.state.outputs, ...d.outputs };
      v.state.wait = null;
      break;
    case 'incident.opened':
    case 'step.started':
    case 'run.replayed':
      break;
    case 'run.completed':
      v.status = 'completed';
      v.currentStep = null;
      v.stepSeq = null;
      v.state.result = d.output ?? null;
      v.state.wait = null;
      break;
    case 'run.failed':
      v.status = 'failed';
      v.stepSeq = null;
      v.error = d.error?.message ?? 'failed';
      v.state.wait = null;
      break;
    case 'run.cancelled':
      v.status = 'cancelled';
      v.stepSeq = null;
      v.state.wait = null;
      break;
  }
  return v;
}

export function foldEvents(events: RunEventRecord[]): RunView {
  return events.reduce(applyEvent, emptyView());
}
