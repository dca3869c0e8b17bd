import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Prisma } from '../db/client.ts';
import type { EngineDeps } from '../engine/deps.ts';
import { AppError, UserInputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { crashPoint } from '../runtime/crash-points.ts';
import type { PgListener } from '../runtime/listener.ts';
import type { QueueSet } from '../runtime/queues.ts';
import { decideApproval, TYPED_OPTION } from '../systems/approval.system.ts';
import type { OperatorApi } from './api.ts';
import { alreadyDecidedText, type CoreCommandContext } from './commands/core.commands.ts';
import { CommandRouter, isReadOnly } from './commands/registry.ts';
import { plainToCommand } from './commands/plain-language.ts';
import { CONVERSATION_CHANNEL, insertMessage, toConversationMessage, updateMessageBody } from './conversation.ts';
import { decisionCardFor, namedItemsCard } from './decision-card.ts';
import { InboundReceipts, type ReceiptHold } from './inbound-receipt.ts';
import { typedAnswerFor } from './typed-answer.ts';
import {
  type ConversationEvent,
  type ConversationMessage,
  InboundMessageSchema,
  type OperatorAction,
  OperatorActionSchema,
  type OutboundMessage,
  type OutboundMessageInput,
  OutboundMessageSchema,
  type FileRef,
} from './message.ts';

/**
 * A free-text answer, or a request to answer with a slash command instead (what a plain request means
 * without a model). Only a read-only command runs that way; any other gets the operator's buttons back.
 */
export type FreeTextAnswer = OutboundMessageInput | { command: string };

/** A reply, and the approval it asks about when it carries that approval's buttons (they settle with it). */
interface Reply {
  body: OutboundMessageInput;
  approvalId?: string | null;
}

/**
 * Plain-language text and files go to handlers that later layers provide (the assistant, perception).
 * `inboundId` is the operator's message, the same for every redelivery of one delivery: a handler
 * whose answer has effects (a run it starts) keys them on it, since a redelivery after a crash runs it again.
 */
export interface ConversationHandlers {
  freeText?(msg: { text: string; actor: string; surface: string; inboundId: string }): Promise<FreeTextAnswer>;
  files?(msg: { text: string; files: FileRef[]; actor: string; surface: string; inboundId: string }): Promise<OutboundMessageInput>;
}

export interface OperatorServiceDeps {
  engine: EngineDeps;
  queues: QueueSet | null;
  router: CommandRouter<CoreCommandContext>;
  listener: PgListener | null;
  log: Logger;
  handlers: ConversationHandlers;
  sections?: CoreCommandContext['sections'];
  /** Connections that hold an inbound delivery's lock while its work runs (InboundReceipts). */
  receiptLocks: pg.Pool;
}

/** What the work for one inbound request came to: the answer, and whether the request is settled by it. */
interface Answer extends Reply {
  /** False when our own fault cut the work short: the receipt stays open and a redelivery does the work. */
  settled: boolean;
}

/**
 * The coordinator's side of every chat surface. Errors become short answers: bad input says what to
 * fix; our own faults say "something went wrong (ref X)" and log X with the details — never a stack
 * trace in chat.
 */
export class OperatorService implements OperatorApi {
  private readonly receipts: InboundReceipts;

  constructor(private readonly d: OperatorServiceDeps) {
    this.receipts = new InboundReceipts(d.engine.db, d.receiptLocks);
  }

  claimInbound(surface: string, key: string, owner?: string): Promise<boolean> {
    return this.receipts.claim(surface, key, owner);
  }

  async handleMessage(raw: Parameters<OperatorApi['handleMessage']>[0]) {
    const parsed = InboundMessageSchema.safeParse(raw);
    if (!parsed.success) throw new UserInputError('invalid_message', `Message rejected: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const msg = parsed.data;
    const db = this.d.engine.db;
    const said = { text: msg.text, files: msg.files, kind: 'reply' as const };
    const replyTo = msg.replyTo ?? (msg.replyToExternalId && msg.chatId ? await this.deliveredAs(msg.surface, msg.chatId, msg.replyToExternalId) : undefined);
    if (!msg.dedupeKey) {
      const inbound = await db.$transaction((tx) => insertMessage(tx, { direction: 'in', surface: msg.surface, body: said }));
      const { body, approvalId } = await this.answer(msg.text, msg.files, msg.actor, msg.surface, inbound.id, undefined, replyTo);
      const reply = await db.$transaction((tx) => insertMessage(tx, { direction: 'out', surface: 'coo', body, approvalId, replyTo: inbound.id }));
      return { duplicate: false, inbound, reply };
    }
    const hold = await this.receipts.take(msg.surface, msg.dedupeKey, said);
    if (hold === 'duplicate') return { duplicate: true, inbound: null, reply: null };
    try {
      const inbound = hold.inbound!;
      crashPoint('after-inbound-receipt');
      const answer = await this.answer(msg.text, msg.files, msg.actor, msg.surface, inbound.id, hold.requestKey, replyTo);
      crashPoint('after-inbound-work');
      const reply = await this.settle(hold, answer, (tx) =>
        insertMessage(tx, { direction: 'out', surface: 'coo', body: answer.body, approvalId: answer.approvalId, replyTo: inbound.id }),
      );
      return reply === null ? { duplicate: true, inbound: null, reply: null } : { duplicate: false, inbound, reply };
    } finally {
      await hold.release();
    }
  }

  /**
   * Commits the answer and, when the work is settled, the receipt with it. Null when the receipt was
   * settled by another delivery meanwhile (cannot happen while the hold's lock is held; kept as a guard).
   */
  private async settle<T>(hold: ReceiptHold, answer: Answer, write: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | null> {
    try {
      return await this.d.engine.db.$transaction(async (tx) => {
        if (answer.settled && !(await hold.settle(tx))) throw new AlreadySettled();
        return write(tx);
      });
    } catch (err) {
      if (err instanceof AlreadySettled) return null;
      throw err;
    }
  }

  /**
   * Runs the slash command a plain request meant, saying so, so the operator learns the command too.
   * Only a command that changes nothing runs this way: a sentence never decides, cancels, retries or
   * starts anything. Any other command comes back as the buttons that do it (its item's card), or as
   * the command to send.
   */
  private async answerWithCommand(command: string, actor: string, surface: string, requestKey?: string): Promise<Reply | null> {
    const parsed = CommandRouter.parse(command);
    const def = parsed && this.d.router.get(parsed.name);
    if (!parsed || !def) return null;
    if (!isReadOnly(def, parsed.args)) {
      const card = await decisionCardFor(this.d.engine, command);
      if (card) return card;
      return { body: { text: `I don't run /${parsed.name} from a sentence. To do it, send the command itself: ${command}` } };
    }
    const r = await this.dispatch(command, actor, surface, requestKey);
    return { body: { ...r, text: `(${command})\n${r.text ?? ''}` } };
  }

  private dispatch(command: string, actor: string, surface: string, requestKey?: string): Promise<OutboundMessageInput> {
    return this.d.router.dispatch(command, { actor, surface, requestKey }, { deps: this.d.engine, queues: this.d.queues, router: this.d.router, sections: this.d.sections });
  }

  private async answer(text: string, files: FileRef[], actor: string, surface: string, inboundId: string, requestKey?: string, replyTo?: string): Promise<Answer> {
    try {
      return { ...(await this.work(text, files, actor, surface, inboundId, requestKey, replyTo)), settled: true };
    } catch (err) {
      // The operator's mistake is an answer; our fault (a database that restarted, a lock that timed out)
      // leaves the request open, so that its redelivery does the work.
      return { body: { kind: 'error', text: this.explain(err) }, settled: isOperatorError(err) };
    }
  }

  private async work(text: string, files: FileRef[], actor: string, surface: string, inboundId: string, requestKey?: string, replyTo?: string): Promise<Reply> {
    const trimmed = text.trim();
    if (trimmed.startsWith('/')) return { body: await this.dispatch(trimmed, actor, surface, requestKey) };
    if (files.length > 0) {
      if (this.d.handlers.files) return { body: await this.d.handlers.files({ text, files, actor, surface, inboundId }) };
      return { body: { text: `Got ${files.map((f) => f.name).join(', ')}, but reading documents is not enabled in this deployment.` } };
    }
    if (!trimmed) return { body: { text: 'Send me a command such as /status, or /help to see them all.' } };
    // The one place text becomes a value: the answer to the question that asked the operator to type it.
    const typed = await typedAnswerFor(this.d.engine, trimmed, replyTo, inboundId);
    if (typed?.kind === 'invalid') return { body: { kind: 'error', text: typed.text } };
    if (typed) {
      const r = await decideApproval(this.d.engine, { approvalId: typed.approvalId, option: TYPED_OPTION, value: typed.value, actor, via: surface, requestKey });
      return { body: { text: r.ok ? `Got it: ${typed.value}. Run ${r.runId} continues.` : alreadyDecidedText(r) } };
    }
    // A sentence about a decision gets the item's buttons, with or without a model: only a press or
    // the exact command decides (issue 12; test/core/decisions-free-text.test.ts).
    const card = await decisionCardFor(this.d.engine, trimmed);
    if (card) return card;
    if (this.d.handlers.freeText) {
      const r = await this.d.handlers.freeText({ text: trimmed, actor, surface, inboundId });
      if (!('command' in r)) return this.withItemButtons(r);
      const viaCommand = await this.answerWithCommand(r.command, actor, surface, requestKey);
      if (viaCommand) return viaCommand;
      return { body: { text: 'I understand commands only without a model — /help lists them.' } };
    }
    const plain = plainToCommand(trimmed);
    const viaCommand = plain && (await this.answerWithCommand(plain.command, actor, surface, requestKey));
    if (viaCommand) return viaCommand;
    return { body: { text: `I understand commands for now — try /help. (Configure a model to talk to me in plain language.)` } };
  }

  /**
   * An answer (the assistant's) that names approvals, or runs with cancel/retry words, carries their
   * buttons: the assistant can point at a decision but never make it, so the operator gets the press.
   */
  private async withItemButtons(body: OutboundMessageInput): Promise<Reply> {
    if (body.buttons?.length) return { body };
    const card = await namedItemsCard(this.d.engine, body.text);
    if (!card?.body.buttons?.length) return { body };
    return { body: { ...body, text: `${body.text}\n\n${card.body.text}`, buttons: card.body.buttons }, approvalId: card.approvalId };
  }

  /** Turns any error into one line for the operator. */
  explain(err: unknown): string {
    if (err instanceof AppError && !err.reportable) return err.message;
    const ref = randomBytes(4).toString('hex');
    this.d.log.error({ ref, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'operator request failed');
    return `Something went wrong on my side (ref ${ref}). Nothing was changed by this request; the details are in the log.`;
  }

  async handleAction(raw: OperatorAction): Promise<{ duplicate: boolean; ok: boolean; reply: OutboundMessage }> {
    const parsed = OperatorActionSchema.safeParse(raw);
    if (!parsed.success) return { duplicate: false, ok: false, reply: OutboundMessageSchema.parse({ kind: 'error', text: 'That button is not valid any more.' }) };
    const action = parsed.data;
    const handled = { duplicate: true, ok: false, reply: OutboundMessageSchema.parse({ text: 'Already handled.' }) };
    if (action.payload.type === 'command') {
      // A command button is a message the operator did not have to type: the same receipt covers it.
      try {
        const r = await this.handleMessage({ surface: action.surface, actor: action.actor, text: action.payload.text, dedupeKey: action.dedupeKey });
        return r.duplicate ? handled : { duplicate: false, ok: true, reply: r.reply!.body };
      } catch (err) {
        return { duplicate: false, ok: false, reply: OutboundMessageSchema.parse({ kind: 'error', text: this.explain(err) }) };
      }
    }
    const payload = action.payload;
    const decide = async (requestKey?: string): Promise<{ ok: boolean; answer: Answer }> => {
      try {
        const r = await decideApproval(this.d.engine, { approvalId: payload.approvalId, option: payload.option, actor: action.actor, via: action.surface, reason: action.reason ?? null, requestKey });
        return { ok: r.ok, answer: { body: { text: r.ok ? `${r.label} — recorded. Run ${r.runId} continues.` : alreadyDecidedText(r) }, settled: true } };
      } catch (err) {
        return { ok: false, answer: { body: { kind: 'error', text: this.explain(err) }, settled: isOperatorError(err) } };
      }
    };
    if (!action.dedupeKey) {
      const r = await decide();
      return { duplicate: false, ok: r.ok, reply: OutboundMessageSchema.parse(r.answer.body) };
    }
    const hold = await this.receipts.take(action.surface, action.dedupeKey);
    if (hold === 'duplicate') return handled;
    try {
      crashPoint('after-inbound-receipt');
      const r = await decide(hold.requestKey);
      crashPoint('after-inbound-work');
      if ((await this.settle(hold, r.answer, async () => true)) === null) return handled;
      return { duplicate: false, ok: r.ok, reply: OutboundMessageSchema.parse(r.answer.body) };
    } finally {
      await hold.release();
    }
  }

  async post(body: OutboundMessageInput, opts: { approvalId?: string; replyTo?: string } = {}): Promise<ConversationMessage> {
    return this.d.engine.db.$transaction((tx) => insertMessage(tx, { direction: 'out', surface: 'coo', body, approvalId: opts.approvalId, replyTo: opts.replyTo }));
  }

  async update(id: string, body: OutboundMessageInput): Promise<ConversationMessage> {
    return this.d.engine.db.$transaction((tx) => updateMessageBody(tx, id, body));
  }

  async findByRef(ref: string): Promise<ConversationMessage | null> {
    const row = await this.d.engine.db.operatorMessage.findFirst({ where: { body: { path: ['ref'], equals: ref } } });
    return row ? toConversationMessage(row) : null;
  }

  async listMessages(opts: { after?: string; limit?: number } = {}): Promise<ConversationMessage[]> {
    const limit = Math.min(opts.limit ?? 100, 500);
    const db = this.d.engine.db;
    if (opts.after) {
      const rows = await db.operatorMessage.findMany({ where: { id: { gt: BigInt(opts.after) } }, orderBy: { id: 'asc' }, take: limit });
      return rows.map(toConversationMessage);
    }
    const rows = await db.operatorMessage.findMany({ orderBy: { id: 'desc' }, take: limit });
    return rows.reverse().map(toConversationMessage);
  }

  async getMessage(id: string): Promise<ConversationMessage | null> {
    if (!/^\d+$/.test(id)) return null;
    const row = await this.d.engine.db.operatorMessage.findUnique({ where: { id: BigInt(id) } });
    return row ? toConversationMessage(row) : null;
  }

  subscribe(listener: (event: ConversationEvent) => void): () => void {
    if (!this.d.listener) throw new Error('This process was started without a LISTEN connection; subscribe is unavailable.');
    // Re-reads run one after another, so this subscriber hears events in the order they were notified.
    let chain: Promise<void> = Promise.resolve();
    return this.d.listener.on(CONVERSATION_CHANNEL, (payload) => {
      const { kind, id } = JSON.parse(payload) as { kind: 'created' | 'updated'; id: string };
      chain = chain
        .then(async () => {
          const message = await this.getMessage(id);
          if (message) listener({ kind, message });
        })
        .catch((err) => this.d.log.warn({ err: String(err) }, 'conversation subscriber failed'));
    });
  }

  async recordDelivery(d: { messageId: string; surface: string; chatId: string; externalId: string | null; status: 'pending' | 'sent' | 'failed' }): Promise<void> {
    await this.d.engine.db.messageDelivery.upsert({
      where: { messageId_surface_chatId: { messageId: BigInt(d.messageId), surface: d.surface, chatId: d.chatId } },
      create: { messageId: BigInt(d.messageId), surface: d.surface, chatId: d.chatId, externalId: d.externalId, status: d.status, attempts: 1 },
      update: { externalId: d.externalId ?? undefined, status: d.status, attempts: { increment: 1 } },
    });
  }

  /** The COO message a platform message (or one part of a split one) is a copy of, for replies to it. */
  private async deliveredAs(surface: string, chatId: string, externalId: string): Promise<string | undefined> {
    const rows = await this.d.engine.db.messageDelivery.findMany({ where: { surface, chatId, externalId: { contains: externalId } }, select: { messageId: true, externalId: true }, take: 20 });
    // externalId is "id#hash,id#hash" for a message sent in parts (bot/core/split.ts), or a plain id.
    const hit = rows.find((r) => (r.externalId ?? '').split(',').some((part) => part.split('#')[0] === externalId));
    return hit ? String(hit.messageId) : undefined;
  }

  async deliveriesOf(messageId: string) {
    const rows = await this.d.engine.db.messageDelivery.findMany({ where: { messageId: BigInt(messageId) } });
    return rows.map((r) => ({ surface: r.surface, chatId: r.chatId, externalId: r.externalId, status: r.status }));
  }
}

class AlreadySettled extends Error {}

/** The operator's own mistake (bad input, a policy refusal): answering it settles the request. */
function isOperatorError(err: unknown): boolean {
  return err instanceof AppError && !err.reportable && !err.retryable;
}
