/** The event shape `coo show` reads (coordinator.runs.events): type, step, data and when. */
export interface SummaryEvent {
  seq: number;
  type: string;
  step: string | null;
  data: unknown;
  at: Date;
}

export interface RunSummary {
  process: string;
  version: number;
  status: string;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  totalMs: number | null;
  /** Each step's time from its start to its completion (or failure), in the order they ran. */
  steps: Array<{ step: string; ms: number; outcome: 'completed' | 'failed' }>;
  /** Who decided what and when: approvals, cancellations, replays. */
  decisions: Array<{ at: string; who: string; what: string; via?: string; reason?: string | null }>;
  output: unknown;
  error: string | null;
}

/**
 * What `coo show` opens with, before the event log: the process, its outcome, who decided what and
 * when, how long it and each step took, and its final output (or error). Pure: read from the events.
 */
export function summarizeRun(run: { process: string; version: number; status: string; error: string | null; createdAt: Date; finishedAt: Date | null }, events: SummaryEvent[]): RunSummary {
  const started = events.find((e) => e.type === 'run.started');
  const end = [...events].reverse().find((e) => ['run.completed', 'run.failed', 'run.cancelled'].includes(e.type));
  const open = new Map<string, Date>();
  const steps: RunSummary['steps'] = [];
  const decisions: RunSummary['decisions'] = [];
  const questions = new Map<string, string>();
  let output: unknown = null;
  for (const e of events) {
    const d = (e.data ?? {}) as Record<string, any>;
    if (e.type === 'step.started' && e.step) open.set(e.step, e.at);
    if ((e.type === 'step.completed' || e.type === 'step.failed') && e.step && open.has(e.step)) {
      steps.push({ step: e.step, ms: e.at.getTime() - open.get(e.step)!.getTime(), outcome: e.type === 'step.completed' ? 'completed' : 'failed' });
      open.delete(e.step);
    }
    if (e.type === 'approval.requested') questions.set(d.approvalId, String(d.question ?? '').split('\n')[0].slice(0, 80));
    if (e.type === 'approval.decided') {
      const q = questions.get(d.approvalId);
      decisions.push({ at: String(d.at ?? e.at.toISOString()), who: String(d.decidedBy ?? '?'), what: `chose "${d.option}"${q ? ` on "${q}"` : ''}${e.step ? ` at ${e.step}` : ''}`, via: d.via, reason: d.reason ?? null });
    }
    if (e.type === 'run.cancelled') decisions.push({ at: e.at.toISOString(), who: String(d.by ?? '?'), what: 'cancelled the run', reason: d.reason ?? null });
    if (e.type === 'run.replayed') decisions.push({ at: e.at.toISOString(), who: String(d.by ?? '?'), what: `replayed it from step "${d.from ?? e.step}"` });
    if (e.type === 'run.completed') output = d.output ?? null;
  }
  const finishedAt = run.finishedAt ?? end?.at ?? null;
  return {
    process: run.process,
    version: run.version,
    status: run.status,
    startedBy: ((started?.data ?? {}) as { startedBy?: string }).startedBy ?? null,
    startedAt: run.createdAt.toISOString(),
    finishedAt: finishedAt ? finishedAt.toISOString() : null,
    totalMs: finishedAt ? finishedAt.getTime() - run.createdAt.getTime() : null,
    steps,
    decisions,
    output,
    error: run.error,
  };
}

const secs = (ms: number): string => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

/** The summary as the lines `coo show` prints above the event log. */
export function formatRunSummary(s: RunSummary): string[] {
  const lines = [
    `process   ${s.process} v${s.version} — ${s.status}`,
    `started   ${s.startedAt}${s.startedBy ? ` by ${s.startedBy}` : ''}`,
    s.finishedAt ? `finished  ${s.finishedAt} (took ${secs(s.totalMs ?? 0)})` : 'finished  not yet',
  ];
  if (s.steps.length) lines.push(`steps     ${s.steps.map((x) => `${x.step} ${secs(x.ms)}${x.outcome === 'failed' ? ' (failed)' : ''}`).join(', ')}`);
  if (s.decisions.length) {
    lines.push('decisions');
    for (const d of s.decisions) lines.push(`  ${d.at} ${d.who} ${d.what}${d.via ? ` via ${d.via}` : ''}${d.reason ? ` — "${d.reason}"` : ''}`);
  } else lines.push('decisions none');
  if (s.error) lines.push(`error     ${s.error}`);
  if (s.output !== null && s.output !== undefined) {
    const text = JSON.stringify(s.output);
    lines.push(`output    ${text.length > 400 ? `${text.slice(0, 400)}… (--json has all of it)` : text}`);
  }
  return lines;
}
