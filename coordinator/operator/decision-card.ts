import type { EngineDeps } from '../engine/deps.ts';
import { approvalButtons, type ApprovalOption } from '../systems/approval.system.ts';
import { alreadyDecidedText } from './commands/core.commands.ts';
import { decisionMentions } from './commands/plain-language.ts';
import { type Button, type OutboundMessageInput, OutboundMessageSchema } from './message.ts';

/**
 * What a sentence about a decision gets back instead of the decision: the items it names, each with the
 * buttons that decide it. A press goes the normal way (an approval's own `decide` buttons; `/cancel` and
 * `/retry` command buttons for a run), so the operator's act is always a press or an exact command —
 * never a reading of "don't approve…", "is … ok?" or "ok so reject…".
 */
export interface DecisionCard {
  body: OutboundMessageInput;
  /** The approval the card asks about, when it asks about exactly one: its buttons settle with the approval's own card. */
  approvalId: string | null;
}

interface Section {
  text: string;
  buttons: Button[];
  /** Set for a pending approval. */
  approvalId?: string;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** A sentence naming more items than this gets the first ones; the rest are named, not carded. */
const MAX_ITEMS = 5;
const DEFAULT_LABELS = new Set(['Approve', 'Reject']);

/**
 * The card for free text that touches a decision, or null when it does not: a sentence naming an
 * approval, a sentence naming a run with words about cancelling or retrying it, or a bare yes/no (which
 * answers the latest open question, so it gets that question's buttons again).
 */
export async function decisionCardFor(deps: EngineDeps, text: string): Promise<DecisionCard | null> {
  const named = await namedItemsCard(deps, text);
  if (named) return named;
  return decisionMentions(text).bareAnswer ? lastQuestionCard(deps, text.trim()) : null;
}

/**
 * The card for the approvals a text names (and the runs it names with cancel/retry words), or null when
 * it names none. Also used on the assistant's answers, so "apv_… is the Acme quote" comes with its buttons.
 */
export async function namedItemsCard(deps: EngineDeps, text: string): Promise<DecisionCard | null> {
  const m = decisionMentions(text);
  const runIds = m.runControl ? m.runIds : [];
  return m.approvalIds.length > 0 || runIds.length > 0 ? cardFor(deps, m.approvalIds, runIds, '') : null;
}

async function cardFor(deps: EngineDeps, approvalIds: string[], runIds: string[], lead: string): Promise<DecisionCard> {
  const items = [...approvalIds.map((id) => ({ kind: 'approval' as const, id })), ...runIds.map((id) => ({ kind: 'run' as const, id }))];
  const sections: Section[] = [];
  for (const item of items.slice(0, MAX_ITEMS)) sections.push(item.kind === 'approval' ? await approvalSection(deps, item.id) : await runSection(deps, item.id));
  if (items.length > MAX_ITEMS) sections.push({ text: `Also named: ${items.slice(MAX_ITEMS).map((i) => i.id).join(', ')} — ask about them one at a time.`, buttons: [] });
  const withButtons = sections.filter((s) => s.buttons.length > 0);
  // With several items on one card, each button says which item it decides.
  const rows = withButtons.map((s) => (withButtons.length > 1 ? s.buttons.map((b) => ({ ...b, label: `${b.label} · ${itemOf(b)}`.slice(0, 60) })) : s.buttons));
  const pending = sections.filter((s) => s.approvalId);
  return {
    body: { kind: withButtons.length > 0 ? 'approval' : 'reply', text: [lead, ...sections.map((s) => s.text)].filter(Boolean).join('\n\n'), buttons: rows },
    approvalId: pending.length === 1 ? pending[0].approvalId! : null,
  };
}

function itemOf(b: Button): string {
  return b.action.type === 'decide' ? b.action.approvalId : b.action.text.split(/\s+/)[1] ?? '';
}

async function approvalSection(deps: EngineDeps, id: string): Promise<Section> {
  const a = await deps.db.approval.findUnique({ where: { id } });
  if (!a) return { text: `There is no approval "${id}". /inbox lists what waits for you.`, buttons: [] };
  if (a.status !== 'pending') return { text: alreadyDecidedText({ ...a, approvalId: a.id }), buttons: [] };
  const run = await deps.db.run.findUnique({ where: { id: a.runId }, select: { process: true } });
  const options = a.options as ApprovalOption[];
  const yes = options[0];
  const no = options.find((o) => o.id === 'reject' || o.id === 'cancel') ?? options[options.length - 1];
  const plain = options.every((o) => DEFAULT_LABELS.has(o.label));
  const named = (o: ApprovalOption) => (DEFAULT_LABELS.has(o.label) ? '' : ` (${o.label})`);
  return {
    text: [
      plain ? `Do you want to approve or reject ${a.id}?` : `What is your answer to ${a.id}: ${options.map((o) => o.label).join(' or ')}?`,
      a.question,
      `Run ${a.runId}${run ? ` (${run.process})` : ''} · approval ${a.id}`,
      `A sentence never decides: press a button, or send /approve ${a.id}${named(yes)} or /reject ${a.id}${named(no)}.`,
    ].join('\n'),
    buttons: approvalButtons(a.id, options).flat(),
    approvalId: a.id,
  };
}

async function runSection(deps: EngineDeps, id: string): Promise<Section> {
  const run = await deps.db.run.findUnique({ where: { id }, select: { process: true, status: true, currentStep: true, error: true, state: true } });
  if (!run) return { text: `There is no run "${id}". /runs lists recent runs.`, buttons: [] };
  const wait = (run.state as { wait?: { kind?: string } | null } | null)?.wait;
  // The same conditions /retry and /cancel check, so every button offered can succeed.
  const canRetry = (run.status === 'failed' && run.currentStep !== null) || (run.status === 'waiting' && wait?.kind === 'escalation');
  const canCancel = !TERMINAL.has(run.status);
  const buttons: Button[] = [];
  if (canRetry) buttons.push({ label: 'Retry', style: 'primary', action: { type: 'command', text: `/retry ${id}` } });
  if (canCancel) buttons.push({ label: 'Cancel', style: 'danger', action: { type: 'command', text: `/cancel ${id}` } });
  const where = `Run ${id} (${run.process}) is ${run.status}${run.currentStep ? ` at step "${run.currentStep}"` : ''}${run.error ? ` — ${run.error.slice(0, 120)}` : ''}.`;
  if (buttons.length === 0) return { text: `${where} There is nothing to cancel or retry.`, buttons };
  const verbs = [canRetry ? 'retry' : '', canCancel ? 'cancel' : ''].filter(Boolean).join(' or ');
  const commands = buttons.map((b) => (b.action.type === 'command' ? b.action.text : '')).join(' or ');
  return { text: `${where}\nDo you want to ${verbs} it? A sentence never cancels or retries: press a button, or send ${commands}.`, buttons };
}

/** A bare "yes"/"no" answers the latest question that is still open: its buttons again, nothing decided. */
async function lastQuestionCard(deps: EngineDeps, said: string): Promise<DecisionCard | null> {
  const rows = await deps.db.operatorMessage.findMany({ where: { direction: 'out' }, orderBy: { id: 'desc' }, take: 20, select: { body: true } });
  for (const row of rows) {
    const body = OutboundMessageSchema.safeParse(row.body);
    if (!body.success) continue;
    const buttons = body.data.buttons.flat();
    const approvals = [...new Set(buttons.flatMap((b) => (b.action.type === 'decide' ? [b.action.approvalId] : [])))];
    const runs = [...new Set(buttons.flatMap((b) => (b.action.type === 'command' ? [/^\/(?:cancel|retry)\s+(\S+)$/.exec(b.action.text)?.[1]].filter((x): x is string => !!x) : [])))];
    if (approvals.length === 0 && runs.length === 0) continue;
    const card = await cardFor(deps, approvals, runs, `“${said.slice(0, 40)}” alone decides nothing. The open question:`);
    if (card.body.buttons?.length) return card;
  }
  return null;
}
