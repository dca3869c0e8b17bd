import { randomBytes } from 'node:crypto';
import type { EngineDeps } from '../engine/deps.ts';
import { AppError, UserInputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { PgListener } from '../runtime/listener.ts';
import type { QueueSet } from '../runtime/queues.ts';
import { decideApproval } from '../systems/approval.system.ts';
import type { OperatorApi } from './api.ts';
import { alreadyDecidedText, type CoreCommandContext } from './commands/core.commands.ts';
import { CommandRouter, isReadOnly } from './commands/registry.ts';
import { plainToCommand } from './commands/plain-language.ts';
import { CONVERSATION_CHANNEL, insertMessage, toConversationMessage, updateMessageBody } from './conversation.ts';
import { decisionCardFor, namedItemsCard } from './decision-card.ts';
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

/** Plain-language text and files go to handlers that later layers provide (the assistant, perception). */
/**
 * A free-text answer, or a request to answer with a slash command instead (what a plain request means
 * without a model). Only a read-only command runs that way; any other gets the operator's buttons back.
 */
export type FreeTextAnswer = OutboundMessageInput | { command: string };

/** A reply, and the approval it asks about when it carries that approval's buttons (they settle with it). */
interface Answer {
  body: OutboundMessageInput;
  approvalId?: string | null;
}

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
}

/**
 * The coordinator's side of every chat surface. Errors become short answers: bad input says what to
 * fix; our own faults say "something went wrong (ref X)" and log X with the details — never a stack
 * trace in chat.
 */
export class OperatorService implements OperatorApi {
  constructor(private readonly d: OperatorServiceDeps) {}

  async claimInbound(surface: string, key: string): Promise<boolean> {
    const r = await this.d.engine.db.inboundReceipt.createMany({ data: [{ surface, key }], skipDuplicates: true });
    return r.count === 1;
  }

  async handleMessage(raw: Parameters<OperatorApi['handleMessage']>[0]) {
    const parsed = InboundMessageSchema.safeParse(raw);
    if (!parsed.success) throw new UserInputError('invalid_message', `Message rejected: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const msg = parsed.data;
    if (msg.dedupeKey && !(await this.claimInbound(msg.surface, msg.dedupeKey))) return { duplicate: true, inbound: null, reply: null };
    const db = this.d.engine.db;
    const inbound = await db.$transaction((tx) =>
      insertMessage(tx, { direction: 'in', surface: msg.surface, body: { text: msg.text, files: msg.files, kind: 'reply' } }),
    );
    const { body, approvalId } = await this.answer(msg.text, msg.files, msg.actor, msg.surface, inbound.id);
    const reply = await db.$transaction((tx) => insertMessage(tx, { direction: 'out', surface: 'coo', body, approvalId, replyTo: inbound.id }));
    return { duplicate: false, inbound, reply };
  }

  /**
   * Runs the slash command a plain request meant, saying so, so the operator learns the command too.
   * Only a command that changes nothing runs this way: a sentence never decides, cancels, retries or
   * starts anything. Any other command comes back as the buttons that do it (its item's card), or as
   * the command to send.
   */
  private async answerWithCommand(command: string, actor: string, surface: string): Promise<Answer | null> {
    const parsed = CommandRouter.parse(command);
    const def = parsed && this.d.router.get(parsed.name);
    if (!parsed || !def) return null;
    if (!isReadOnly(def, parsed.args)) {
      const card = await decisionCardFor(this.d.engine, command);
      if (card) return card;
      return { body: { text: `I don't run /${parsed.name} from a sentence. To do it, send the command itself: ${command}` } };
    }
    const r = await this.d.router.dispatch(command, { actor, surface }, { deps: this.d.engine, queues: this.d.queues, router: this.d.router, sections: this.d.sections });
    return { body: { ...r, text: `(${command})\n${r.text ?? ''}` } };
  }

  private async answer(text: string, files: FileRef[], actor: string, surface: string, inboundId: string): Promise<Answer> {
    try {
      const trimmed = text.trim();
      if (trimmed.startsWith('/')) {
        return { body: await this.d.router.dispatch(trimmed, { actor, surface }, { deps: this.d.engine, queues: this.d.queues, router: this.d.router, sections: this.d.sections }) };
      }
      if (files.length > 0) {
        if (this.d.handlers.files) return { body: await this.d.handlers.files({ text, files, actor, surface, inboundId }) };
        return { body: { text: `Got ${files.map((f) => f.name).join(', ')}, but reading documents is not enabled in this deployment.` } };
      }
      if (!trimmed) return { body: { text: 'Send me a command such as /status, or /help to see them all.' } };
      // A sentence about a decision gets the item's buttons, with or without a model: only a press or
      // the exact command decides (issue 12; test/core/decisions-free-text.test.ts).
      const card = await decisionCardFor(this.d.engine, trimmed);
      if (card) return card;
      if (this.d.handlers.freeText) {
        const r = await this.d.handlers.freeText({ text: trimmed, actor, surface, inboundId });
        if (!('command' in r)) return this.withItemButtons(r);
        const viaCommand = await this.answerWithCommand(r.command, actor, surface);
        if (viaCommand) return viaCommand;
        return { body: { text: 'I understand commands only without a model — /help lists them.' } };
      }
      const plain = plainToCommand(trimmed);
      const viaCommand = plain && (await this.answerWithCommand(plain.command, actor, surface));
      if (viaCommand) return viaCommand;
      return { body: { text: `I understand commands for now — try /help. (Configure a model to talk to me in plain language.)` } };
    } catch (err) {
      return { body: { kind: 'error', text: this.explain(err) } };
    }
  }

  /**
   * An answer (the assistant's) that names approvals, or runs with cancel/retry words, carries their
   * buttons: the assistant can point at a decision but never make it, so the operator gets the press.
   */
  private async withItemButtons(body: OutboundMessageInput): Promise<Answer> {
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
    if (action.dedupeKey && !(await this.claimInbound(action.surface, action.dedupeKey))) {
      return { duplicate: true, ok: false, reply: OutboundMessageSchema.parse({ text: 'Already handled.' }) };
    }
    try {
      if (action.payload.type === 'command') {
        const r = await this.handleMessage({ surface: action.surface, actor: action.actor, text: action.payload.text });
        return { duplicate: false, ok: true, reply: r.reply!.body };
      }
      const r = await decideApproval(this.d.engine, { approvalId: action.payload.approvalId, option: action.payload.option, actor: action.actor, via: action.surface, reason: action.reason ?? null });
      const text = r.ok ? `${r.label} — recorded. Run ${r.runId} continues.` : alreadyDecidedText(r);
      return { duplicate: false, ok: r.ok, reply: OutboundMessageSchema.parse({ text }) };
    } catch (err) {
      return { duplicate: false, ok: false, reply: OutboundMessageSchema.parse({ kind: 'error', text: this.explain(err) }) };
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

  async deliveriesOf(messageId: string) {
    const rows = await this.d.engine.db.messageDelivery.findMany({ where: { messageId: BigInt(messageId) } });
    return rows.map((r) => ({ surface: r.surface, chatId: r.chatId, externalId: r.externalId, status: r.status }));
  }
}
