import type { CommandRouter, CommandDefinition } from './registry.ts';
import { firstWord } from './registry.ts';
import { UserInputError } from '../../errors.ts';
import type { EngineDeps } from '../../engine/deps.ts';
import { statusReport } from '../../observability/status.ts';
import type { QueueSet } from '../../runtime/queues.ts';
import { decideApproval, type ApprovalOption } from '../../systems/approval.system.ts';
import { cancelRun, retryRun } from '../../systems/run-control.system.ts';
import { startRun } from '../../systems/start-run.system.ts';
import type { OutboundMessageInput } from '../message.ts';
import type { StatusSection } from '../../observability/status-sections.ts';

export interface CoreCommandContext {
  deps: EngineDeps;
  queues: QueueSet | null;
  router: CommandRouter<CoreCommandContext>;
  /** What later layers add to the status (connectors' health, model spend), as on the status page. */
  sections?: () => Promise<StatusSection[]>;
}

type Cmd = CommandDefinition<CoreCommandContext>;

function age(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

const help: Cmd = {
  name: 'help',
  readOnly: true,
  usage: '/help [command]',
  summary: 'What I can do, or how one command works',
  help: 'Lists every command. /help run explains /run in detail.',
  async run({ args }, { router }) {
    if (args) {
      const c = router.get(args.replace(/^\//, ''));
      if (!c) throw new UserInputError('unknown_command', `There is no /${args.replace(/^\//, '')} command. /help lists them all.`);
      return { text: `${c.usage}\n${c.summary}.\n\n${c.help}` };
    }
    const lines = router.list().map((c) => `${c.usage} — ${c.summary}`);
    return { text: `I'm your COO. Commands:\n${lines.join('\n')}\n\n/help <command> tells more about one.` };
  },
};

const status: Cmd = {
  name: 'status',
  readOnly: true,
  usage: '/status',
  summary: 'Runs by status, queues, what waits for you',
  help: 'Shows how many runs are running, waiting, completed, failed or cancelled; queue sizes per agent type; pending approvals with their age; open incidents.',
  async run(_inv, { deps, queues, sections }) {
    const s = await statusReport(deps.db, deps.clock, queues, deps.registry.agents());
    const q = Object.entries(s.queues).map(([a, c]) => `${a}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed`).join('; ');
    const lines = [
      `Runs — running ${s.runs.running}, waiting ${s.runs.waiting}, completed ${s.runs.completed}, failed ${s.runs.failed}, cancelled ${s.runs.cancelled}.`,
      `Last 24h — ${s.completedSteps24h} steps completed, ${s.failedSteps24h} step attempts failed.`,
      q ? `Queues — ${q}.` : 'Queues — not reachable from here.',
      `Waiting for you — ${s.pendingApprovals.length} approval${s.pendingApprovals.length === 1 ? '' : 's'}${s.pendingApprovals.length ? ` (oldest ${age(Math.max(...s.pendingApprovals.map((a) => a.ageSeconds)))})` : ''}, ${s.openIncidents.length} open incident${s.openIncidents.length === 1 ? '' : 's'}. /inbox shows them.`,
    ];
    // The failed runs the count is made of, with advice that works for each.
    for (const r of s.failedRuns.slice(0, 5)) lines.push(`✗ ${r.id} · ${r.process}${r.step ? ` at ${r.step}` : ''} — ${(r.error ?? 'failed').slice(0, 100)}${r.retryable ? ` (/retry ${r.id})` : ''}`);
    if (s.failedRuns.length > 5) lines.push(`… /runs failed lists the rest.`);
    for (const sc of s.schedules) lines.push(`Schedule ${sc.id} (${sc.cron}, ${sc.timezone}) — next ${sc.nextAt ? sc.nextAt.replace('T', ' ').slice(0, 16) + ' UTC' : 'unknown'}.`);
    for (const sec of (await sections?.()) ?? []) {
      if (sec.id !== 'connectors') continue; // the spend has its own /budget; connectors have no other command
      lines.push(`${sec.title} —`, ...sec.lines.map((l) => `  ${l}`));
      for (const t of sec.tables) for (const r of t.rows) lines.push(`  ${t.columns.map((c, i) => `${c} ${r[i]}`).join(', ')}`);
    }
    return { text: lines.join('\n') };
  },
};

const runs: Cmd = {
  name: 'runs',
  readOnly: true,
  usage: '/runs [status]',
  summary: 'The latest runs',
  help: 'Lists the 10 latest runs, newest first. Filter by status: /runs failed, /runs waiting, /runs running.',
  async run({ args }, { deps }) {
    const valid = ['running', 'waiting', 'completed', 'failed', 'cancelled'];
    if (args && !valid.includes(args)) throw new UserInputError('invalid_filter', `"${args}" is not a run status; use one of ${valid.join(', ')}.`);
    const rows = await deps.db.run.findMany({ where: args ? { status: args } : {}, orderBy: { createdAt: 'desc' }, take: 10 });
    if (rows.length === 0) return { text: args ? `No ${args} runs.` : 'No runs yet. /run starts one; /run alone lists processes.' };
    return {
      text: rows
        .map((r) => `${r.id} · ${r.process} v${r.version} · ${r.status}${r.currentStep ? ` at ${r.currentStep}` : ''}${r.error ? ` · ${r.error.slice(0, 80)}` : ''} · ${r.createdAt.toISOString().replace('T', ' ').slice(0, 16)}`)
        .join('\n'),
    };
  },
};

const run: Cmd = {
  name: 'run',
  // Alone it lists the processes; with a name it starts one.
  readOnly: (args) => args.trim() === '',
  usage: '/run <process> [json input]',
  summary: 'Start a process',
  help: 'Starts a run of a process with optional JSON input, e.g. /run approval-roundtrip {"question":"Send the quote to Acme?"}. /run alone lists the processes.',
  async run({ args, actor, requestKey }, { deps }) {
    const [name, json] = firstWord(args);
    if (!name) {
      const list = deps.registry.list().map((p) => `${p.name} (v${p.version}) — ${p.description}`);
      return { text: `Processes you can start:\n${list.join('\n')}\n\nUsage: /run <process> [json input]` };
    }
    let input: unknown = {};
    if (json) {
      try {
        input = JSON.parse(json);
      } catch (err) {
        throw new UserInputError('invalid_json', `The input after the process name must be JSON, e.g. {"question":"…"}. (${(err as Error).message})`);
      }
    }
    // One run per request, however often the request is redelivered.
    const started = await startRun(deps, { process: name, input, startedBy: actor, ...(requestKey ? { parentKey: `request:${requestKey}` } : {}) });
    return { text: `Started ${started.process} v${started.version}: run ${started.runId}.` };
  },
};

const inbox: Cmd = {
  name: 'inbox',
  readOnly: true,
  usage: '/inbox',
  summary: 'Approvals and incidents waiting for you',
  help: 'Lists pending approvals (answer with the buttons, /approve <id> or /reject <id>) and open incidents (failed steps, with /retry <run>).',
  async run(_inv, { deps, queues }) {
    const s = await statusReport(deps.db, deps.clock, queues, deps.registry.agents());
    if (s.pendingApprovals.length === 0 && s.openIncidents.length === 0) return { text: 'Nothing waits for you. 🎉' };
    const buttons: OutboundMessageInput['buttons'] = [];
    const lines: string[] = [];
    for (const a of s.pendingApprovals) {
      lines.push(`❓ ${a.id} · ${a.process} · ${age(a.ageSeconds)} old — ${a.question.split('\n')[0]}${a.runsWaiting > 1 ? ` (${a.runsWaiting} runs wait on this; one answer decides for all)` : ''}`);
    }
    // An incident about a run offers its retry; one that is only news (a provider that over-billed) is closed by reading it.
    for (const i of s.openIncidents) lines.push(i.runId && i.step ? `⚠️ ${i.id} · run ${i.runId} at ${i.step} — ${i.code}: ${i.message.slice(0, 120)} (/retry ${i.runId} or /cancel ${i.runId})` : `⚠️ ${i.id} — ${i.code}: ${i.message.slice(0, 160)} (/resolve ${i.id})`);
    return { text: lines.join('\n'), buttons };
  },
};

async function decideCommand(deps: EngineDeps, args: string, actor: string, surface: string, which: 'approve' | 'reject', requestKey?: string): Promise<OutboundMessageInput> {
  const [id, reason] = firstWord(args);
  if (!id) throw new UserInputError('missing_argument', `Which approval? /${which} <id> [reason] — /inbox lists them.`);
  const approval = await deps.db.approval.findUnique({ where: { id } });
  if (!approval) throw new UserInputError('approval_not_found', `There is no approval "${id}". /inbox lists what waits for you.`);
  const options = approval.options as ApprovalOption[];
  // approve = the primary (first) option; reject = the 'reject'/'cancel' option, else the last.
  const option = which === 'approve' ? options[0] : (options.find((o) => o.id === 'reject' || o.id === 'cancel') ?? options[options.length - 1]);
  const r = await decideApproval(deps, { approvalId: id, option: option.id, actor, via: surface, reason: reason || null, requestKey });
  if (r.ok) return { text: `${r.label}: recorded for ${id}. Run ${r.runId} continues.` };
  return { text: alreadyDecidedText(r) };
}

export function alreadyDecidedText(r: { approvalId: string; status: string; decision: string | null; decidedBy: string | null; decidedVia: string | null; decidedAt: Date | null }): string {
  const at = r.decidedAt ? ` at ${r.decidedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC` : '';
  if (r.status === 'cancelled') return `Approval ${r.approvalId} was cancelled${r.decidedBy ? ` by ${r.decidedBy}` : ''}${at}; nothing changed.`;
  return `Approval ${r.approvalId} was already decided: ${r.decision} by ${r.decidedBy}${r.decidedVia ? ` via ${r.decidedVia}` : ''}${at}. Nothing changed.`;
}

const approve: Cmd = {
  name: 'approve',
  usage: '/approve <approval-id> [reason]',
  summary: 'Say yes to a pending approval',
  help: 'Chooses the first (primary) option of the approval. The first decision wins; deciding again changes nothing.',
  run: ({ args, actor, surface, requestKey }, { deps }) => decideCommand(deps, args, actor, surface, 'approve', requestKey),
};

const reject: Cmd = {
  name: 'reject',
  usage: '/reject <approval-id> [reason]',
  summary: 'Say no to a pending approval',
  help: 'Chooses the reject option (or the last option) of the approval, with an optional reason that is recorded.',
  run: ({ args, actor, surface, requestKey }, { deps }) => decideCommand(deps, args, actor, surface, 'reject', requestKey),
};

const retry: Cmd = {
  name: 'retry',
  usage: '/retry <run-id>',
  summary: 'Run a failed step again',
  help: 'Retries the step a run failed at. Writes that already went out are not repeated (the write ledger returns their recorded result).',
  async run({ args, actor, surface, requestKey }, { deps }) {
    const [id] = firstWord(args);
    if (!id) throw new UserInputError('missing_argument', 'Which run? /retry <run-id> — /runs failed lists failed runs.');
    const r = await retryRun(deps, id, actor, surface, requestKey);
    return { text: `Retrying run ${id} at step "${r.step}".` };
  },
};

const cancel: Cmd = {
  name: 'cancel',
  usage: '/cancel <run-id> [reason]',
  summary: 'Stop a run',
  help: 'Cancels a running or waiting run; its pending approvals are closed on every surface.',
  async run({ args, actor, requestKey }, { deps }) {
    const [id, reason] = firstWord(args);
    if (!id) throw new UserInputError('missing_argument', 'Which run? /cancel <run-id> [reason] — /runs lists runs.');
    await cancelRun(deps, id, actor, reason || undefined, requestKey);
    return { text: `Cancelled run ${id}.` };
  },
};

/**
 * Closes an incident by hand. /resolve ("I dealt with it") and /dismiss ("nothing to do") are one
 * command under two names: both close it and record who did. A failure still waiting for Retry or
 * Cancel is not closed this way: that answer is what handles it (and closes the incident).
 */
async function closeIncident(deps: EngineDeps, args: string, word: 'resolve' | 'dismiss'): Promise<OutboundMessageInput> {
  const [id] = firstWord(args);
  if (!id) throw new UserInputError('missing_argument', `Which incident? /${word} <incident-id> — /inbox lists them.`);
  const incident = await deps.db.incident.findUnique({ where: { id } });
  if (!incident || incident.status !== 'open') throw new UserInputError('incident_not_open', `There is no open incident "${id}". /inbox lists the open ones.`);
  if (incident.runId) {
    const run = await deps.db.run.findUnique({ where: { id: incident.runId }, select: { status: true, state: true } });
    if (run?.status === 'waiting' && (run.state as { wait?: { kind?: string } }).wait?.kind === 'escalation') {
      throw new UserInputError('incident_awaits_answer', `Run ${incident.runId} is waiting for you to retry or cancel it after this failure: /retry ${incident.runId} or /cancel ${incident.runId} (either closes ${id}).`);
    }
  }
  const r = await deps.db.incident.updateMany({ where: { id, status: 'open' }, data: { status: 'resolved', resolvedAt: deps.clock.now() } });
  if (r.count === 0) throw new UserInputError('incident_not_open', `There is no open incident "${id}". /inbox lists the open ones.`);
  return { text: `${word === 'resolve' ? 'Resolved' : 'Dismissed'} incident ${id}.` };
}

const resolve: Cmd = {
  name: 'resolve',
  usage: '/resolve <incident-id>',
  summary: 'Close an incident you have dealt with (same as /dismiss)',
  help: 'Closes an open incident. A failed step\'s incident also closes when its run is retried or cancelled (button or command); one still waiting for that answer is closed by giving it. /dismiss is the same command. /inbox lists open incidents.',
  run: ({ args }, { deps }) => closeIncident(deps, args, 'resolve'),
};

const dismiss: Cmd = {
  name: 'dismiss',
  usage: '/dismiss <incident-id>',
  summary: 'Close an incident that needs nothing more (same as /resolve)',
  help: 'The same as /resolve: closes an open incident. /inbox lists open incidents.',
  run: ({ args }, { deps }) => closeIncident(deps, args, 'dismiss'),
};

export function registerCoreCommands(router: CommandRouter<CoreCommandContext>): void {
  router.register(help, status, runs, run, inbox, approve, reject, retry, cancel, resolve, dismiss);
}
