import { UserInputError, type CommandDefinition, type CommandRouter, type Coordinator, type CoreCommandContext } from '../../coordinator/index.ts';
import { RetentionPolicySchema, type Memory } from '../../memory/index.ts';
import { periodStart, type BudgetLedger } from '../budget/budget.ledger.ts';
import { costReport } from '../budget/cost-report.ts';
import type { CallRecorder } from '../model/call-recorder.ts';
import type { ModelPort } from '../model/model.port.ts';
import type { PriceTable } from '../model/prices.ts';
import { replayCall } from '../model/replay.ts';
import { allowedActions, setAllowed } from './coordinator-tools.ts';
import { formatForgetPreview, formatForgetReceipt } from './forget.format.ts';

type Cmd = CommandDefinition<CoreCommandContext>;
const usd = (x: number) => `$${x.toFixed(x < 1 ? 4 : 2)}`;

export interface AiCommandDeps {
  memory: Memory;
  budget: BudgetLedger;
  model: ModelPort;
  prices: PriceTable;
  recorder: CallRecorder;
  coordinator: () => Coordinator;
}

/**
 * Today's spend in one line, for /status, the console and the digest: every recorded call since the
 * operator's midnight (the day the caps count), next to today's global cap.
 */
export async function costLine(d: Pick<AiCommandDeps, 'budget' | 'coordinator'>): Promise<string> {
  const c = d.coordinator();
  const now = c.clock.now();
  const r = await costReport(c.db, periodStart('day', now, c.config.COO_TIMEZONE));
  const caps = (await d.budget.usage({ at: now })).filter((u) => u.period === 'day' && u.scope === 'global');
  const cap = caps[0]?.capUsd != null ? ` of today's ${usd(caps[0].capUsd)} cap` : '';
  const top = r.byProcess.slice(0, 3).map((p) => `${p.process} ${usd(p.usd)}`).join(', ');
  return `Model spend today — ${usd(r.totalUsd)}${cap} over ${r.calls} call${r.calls === 1 ? '' : 's'}${top ? ` (${top})` : ''}${r.deepPasses.count ? `; ${r.deepPasses.count} deep pass${r.deepPasses.count === 1 ? '' : 'es'} ${usd(r.deepPasses.usd)}` : ''}${r.failedCalls ? `; ${r.failedCalls} failed` : ''}.`;
}

/** /memory, /forget, /budget, /costs, /retention, /allow, /replay-call — registered on the coordinator's router. */
export function registerAiCommands(router: CommandRouter<CoreCommandContext>, d: AiCommandDeps): void {
  const memory: Cmd = {
    name: 'memory',
    readOnly: true,
    usage: '/memory <name>',
    summary: 'What I know about a customer or vendor, and where each fact came from',
    help: 'Shows the rolling summary, current facts with their source and confidence, and how many messages, invoices and notes I keep. /forget <name> erases it all.',
    async run({ args }) {
      if (!args) throw new UserInputError('missing_name', 'Whom? For example: /memory Acme');
      const views = await d.memory.describe(args);
      if (views.length === 0) return { text: `I know nothing about "${args}".` };
      return {
        text: views
          .map((v) => {
            const facts = v.facts.map((f) => `  • ${f.key}: ${f.value} — from ${f.source}${f.confidence < 1 ? ` (confidence ${f.confidence})` : ''}`).join('\n');
            const kinds = Object.entries(v.episodes.byKind).map(([k, n]) => `${n} ${k}`).join(', ');
            const latest = v.episodes.latest.map((e) => `  • ${e.occurredAt.toISOString().slice(0, 10)} ${e.kind}${e.title ? ` "${e.title}"` : ''} — ${e.source}`).join('\n');
            return [`${v.entity.name} (${v.entity.kind})`, v.entity.summary ? `Summary (covers ${v.summaryCovers} events${v.entity.summaryProvenance === 'untrusted' ? '; made from outside content such as mail or documents — not checked, not instructions' : ''}):\n${v.entity.summary}` : 'No summary yet.', facts ? `Facts:\n${facts}` : 'No facts.', `Kept: ${kinds || 'nothing'}.`, latest ? `Latest:\n${latest}` : ''].filter(Boolean).join('\n');
          })
          .join('\n\n'),
      };
    },
  };

  const forget: Cmd = {
    name: 'forget',
    usage: '/forget <name>',
    summary: 'Erase a customer, vendor or person everywhere (memory, runs, chat, ledger, files, vectors)',
    help: 'First lists every place that holds the name, its e-mail addresses and phone numbers, with counts, and a confirm button; "/forget --yes <name>" erases and reports each place before and after.',
    async run({ args, actor }) {
      const yes = /^--yes\s+/.test(args);
      const name = args.replace(/^--yes\s+/, '').trim();
      if (!name) throw new UserInputError('missing_name', 'Whom? For example: /forget Acme');
      if (!yes) {
        const p = await d.memory.forgetPreview(name);
        return { text: formatForgetPreview(p), buttons: [[{ label: `Forget ${name}`.slice(0, 40), style: 'danger', action: { type: 'command', text: `/forget --yes ${name}` } }]] };
      }
      return { text: formatForgetReceipt(await d.memory.forget(name, { actor })) };
    },
  };

  const budget: Cmd = {
    name: 'budget',
    readOnly: (args) => args.trim() === '',
    usage: '/budget [set <process|global> <day|month> <usd> | remove <process|global> <day|month>]',
    summary: 'Spending caps and what has been spent against them',
    help: 'Caps are per process or global, per day or month. A model call that would pass a cap is not made; the run asks you to raise it. Examples: /budget set invoice-intake day 5 — /budget set global month 40',
    async run({ args }) {
      const [verb, who, period, amount] = args.split(/\s+/).filter(Boolean);
      if (verb === 'set' || verb === 'remove') {
        if (!who || (period !== 'day' && period !== 'month')) throw new UserInputError('bad_budget', 'Usage: /budget set <process|global> <day|month> <usd>');
        const scope = who === 'global' ? 'global' : `process:${who}`;
        if (verb === 'remove') {
          await d.budget.removeCap(scope, period);
          return { text: `Removed the ${period} cap for ${who}.` };
        }
        const n = Number(amount?.replace(/^\$/, ''));
        if (!Number.isFinite(n) || n < 0) throw new UserInputError('bad_amount', 'The amount must be a number of dollars, e.g. 5 or 7.50.');
        await d.budget.setCap(scope, period, n);
        return { text: `${who}: ${period} cap set to ${usd(n)}.` };
      }
      const rows = await d.budget.usage();
      if (rows.length === 0) return { text: 'No caps are set. Example: /budget set global day 5' };
      return { text: rows.map((u) => `${u.scope.replace('process:', '')} ${u.period} (${u.periodKey}): ${usd(u.spentUsd)} spent${u.reservedUsd ? ` + ${usd(u.reservedUsd)} in flight` : ''} of ${usd(u.capUsd ?? 0)}`).join('\n') };
    },
  };

  const costs: Cmd = {
    name: 'costs',
    readOnly: true,
    usage: '/costs [days]',
    summary: 'Model spend by agent, process and day',
    help: 'Rolls up every recorded model call. /costs 7 covers the last week. Prices (USD per million tokens; common models ship with dated prices, yours win): /costs prices, or /costs price <model> <in per 1M> <out per 1M>.',
    async run({ args }) {
      const parts = args.split(/\s+/).filter(Boolean);
      if (parts[0] === 'prices') {
        const rows = await d.prices.list();
        const line = (p: (typeof rows)[number]) => `${p.model}: $${p.inputPerM}/M in, $${p.outputPerM}/M out${p.source === 'shipped' ? ` (shipped, as of ${p.asOf})` : ''}`;
        return { text: `${rows.map(line).join('\n')}\nA model in neither list has no known price: under a cap its calls are refused until you set one.` };
      }
      if (parts[0] === 'price') {
        const [, model, i, o] = parts;
        if (!model || !Number.isFinite(Number(i)) || !Number.isFinite(Number(o))) throw new UserInputError('bad_price', 'Usage: /costs price <model> <usd per 1M input tokens> <usd per 1M output tokens>');
        await d.prices.set(model, { inputPerM: Number(i), outputPerM: Number(o) });
        return { text: `${model}: $${i}/M in, $${o}/M out from now on.` };
      }
      const days = Math.min(90, Math.max(1, Number(parts[0] ?? 1) || 1));
      const r = await costReport(d.coordinator().db, new Date(Date.now() - days * 86_400_000));
      const lines = [`Model spend, last ${days} day${days === 1 ? '' : 's'}: ${usd(r.totalUsd)} over ${r.calls} calls (${r.failedCalls} failed).`];
      if (r.byAgent.length) lines.push(`By agent: ${r.byAgent.map((a) => `${a.agent} ${usd(a.usd)} ×${a.calls}`).join(', ')}`);
      if (r.byProcess.length) lines.push(`By process: ${r.byProcess.map((a) => `${a.process} ${usd(a.usd)} ×${a.calls}`).join(', ')}`);
      if (r.byDay.length > 1) lines.push(`By day: ${r.byDay.map((a) => `${a.day} ${usd(a.usd)}`).join(', ')}`);
      lines.push(`Deep passes (staged refinement): ${r.deepPasses.count}, ${usd(r.deepPasses.usd)}.`);
      return { text: lines.join('\n') };
    },
  };

  const retention: Cmd = {
    name: 'retention',
    readOnly: (args) => args.trim() === '',
    usage: '/retention [set <kind> <days> <delete|summarize> | run]',
    summary: 'How long I keep messages, invoices and logs',
    help: 'Per kind: keep N days, then delete or keep only the summary. Runs nightly. Example: /retention set message 90 summarize',
    async run({ args }) {
      const [verb, kind, days, action] = args.split(/\s+/).filter(Boolean);
      if (verb === 'set') {
        const p = RetentionPolicySchema.safeParse({ kind, keepDays: Number(days), action });
        if (!p.success) throw new UserInputError('bad_policy', 'Usage: /retention set <kind> <days> <delete|summarize>, e.g. /retention set message 90 summarize');
        await d.memory.retention.set(p.data);
        return { text: `${p.data.kind}: kept ${p.data.keepDays} days, then ${p.data.action === 'delete' ? 'deleted' : 'only the summary is kept'}.` };
      }
      if (verb === 'run') {
        const r = await d.memory.retention.run();
        return { text: Object.entries(r.byKind).map(([k, v]) => `${k}: ${v.deleted} deleted, ${v.summarized} summarised`).join('\n') };
      }
      const ps = await d.memory.retention.list();
      return { text: ps.map((p) => `${p.kind}: ${p.keepDays} days, then ${p.action}`).join('\n') || 'No retention policies: everything is kept.' };
    },
  };

  const allow: Cmd = {
    name: 'allow',
    readOnly: (args) => args.trim() === '',
    usage: '/allow [[<process>] <tool> | remove [<process>] <tool>]',
    summary: 'Let the assistant run one tool without asking',
    help: 'By default every action with an effect outside the chat (reminders included) asks you first. "/allow invoice-intake start_process" lets the assistant start invoice intake directly; "/allow remind" lets it set reminders without asking. "/allow remove remind" takes it back.',
    async run({ args }) {
      const parts = args.split(/\s+/).filter(Boolean);
      const c = d.coordinator();
      if (parts.length === 0) return { text: (await allowedActions(c)).join('\n') || 'Nothing is allowed without asking.' };
      const remove = parts[0] === 'remove';
      const rest = remove ? parts.slice(1) : parts;
      // One word is a tool for every process ("*"); two are a process and a tool.
      const [p, tool] = rest.length === 1 ? ['*', rest[0]] : rest;
      if (!p || !tool || rest.length > 2 || !/^[a-z][a-z0-9_]{1,63}$/.test(tool) || !/^(\*|[a-z0-9][a-z0-9._-]{0,99})$/.test(p)) throw new UserInputError('bad_allow', 'Usage: /allow <tool> or /allow <process> <tool>, e.g. /allow remind');
      const list = await setAllowed(c, `${p}:${tool}`, !remove);
      return { text: `${remove ? 'Removed' : 'Allowed'} ${p}:${tool}. Now allowed: ${list.join(', ') || 'nothing'}.` };
    },
  };

  const replay: Cmd = {
    name: 'replay-call',
    usage: '/replay-call <call id> [model]',
    summary: 'Re-send a recorded model call and compare old and new output',
    help: 'Failed calls in /inbox carry their id. The optional model is "name" or "provider:name".',
    async run({ args }) {
      const [id, model] = args.split(/\s+/).filter(Boolean);
      if (!id) throw new UserInputError('missing_id', 'Usage: /replay-call <call id> [model]');
      const r = await replayCall({ recorder: d.recorder, model: d.model }, id, { model });
      // Chat is narrow: one block after the other (the CLI shows them side by side).
      return {
        text: `ORIGINAL ${r.original.id} — ${r.original.model}, ${r.original.outcome}\n${r.original.output ?? r.original.error ?? '(no output)'}\n\nREPLAY ${r.replay.id ?? '-'} — ${r.replay.model ?? '-'}, ${r.replay.outcome}\n${r.replay.output ?? r.replay.error ?? '(no output)'}`,
      };
    },
  };

  router.register(memory, forget, budget, costs, retention, allow, replay);

  // /status gains each queue's worker count and the cost line (the core's /status stays the source of everything else).
  const status = router.get('status');
  if (status) {
    router.register({
      ...status,
      async run(inv, ctx) {
        const base = await status.run(inv, ctx);
        const workers = Object.entries(d.coordinator().concurrency()).map(([a, n]) => `${a} ${n}`).join(', ');
        const extra = [workers ? `Workers per queue — ${workers}.` : '', await costLine(d).catch(() => '')].filter(Boolean);
        return extra.length ? { ...base, text: `${base.text}\n${extra.join('\n')}` } : base;
      },
    });
  }
}
