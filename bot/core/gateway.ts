import type { Logger } from 'pino';
import type { OperatorApi } from '../../coordinator/index.ts';
import type { FileRef, OperatorActionPayload } from '../../coordinator/index.ts';
import { pairingCodeIn } from './commands.ts';
import { pairFailureReply, type PairingStore } from './pairing.ts';
import { safeErr } from './redact.ts';
import type { SurfaceHub } from './surface.ts';

export interface InboundContext {
  surface: string;
  chatId: string;
  userId: string;
  /** Private chat / DM: an unpaired sender gets a short refusal there; groups get silence. */
  isPrivate: boolean;
  text: string;
  /** Downloads the message's files; called only once the sender is known to be the operator. */
  files?: () => Promise<FileRef[]>;
  /** The platform's delivery id (update_id, event_id): a redelivery is processed once. */
  dedupeKey?: string;
  /** The platform's id of the operator's message, recorded so replies find their chat. */
  externalId?: string | null;
  /** The platform's id of the message this one replies to: a typed value answers only the question it replies to. */
  replyToExternalId?: string | null;
  label?: string;
}

export type MessageOutcome =
  | { kind: 'refused'; reply: string | null }
  | { kind: 'paired'; reply: string }
  | { kind: 'pair_failed'; reply: string }
  | { kind: 'handled'; duplicate: boolean };

export type ActionOutcome = { kind: 'refused'; reply: string | null } | { kind: 'handled'; duplicate: boolean; ok: boolean; text: string };

export const REFUSAL =
  'This COO works for one operator only. If that is you, send /pair CODE with a code from the web console or `coo pair`.';

/**
 * The one way into the coordinator from a chat: checks that the sender is the paired operator (or pairs
 * them), then passes text, files and button presses on through the OperatorApi with the platform's
 * delivery id, so that redeliveries are dropped by the coordinator's durable inbound receipt.
 */
export class ChatGateway {
  private readonly log: Logger;

  constructor(private readonly deps: { operator: OperatorApi; pairing: PairingStore; hub: SurfaceHub; logger: Logger }) {
    this.log = deps.logger.child({ component: 'chat-gateway' });
  }

  /**
   * Durable once-only claim for what never reaches handleMessage on its own (a Slack file seen in two
   * events). `owner` is the delivery that claims: its own redelivery, after a crash, takes the file again.
   */
  claim(surface: string, key: string, owner?: string): Promise<boolean> {
    return this.deps.operator.claimInbound(surface, key, owner);
  }

  isAllowed(surface: string, chatId: string, userId: string): Promise<boolean> {
    return this.deps.pairing.isAllowed(surface, chatId, userId);
  }

  async message(ctx: InboundContext): Promise<MessageOutcome> {
    const code = pairingCodeIn(ctx.text);
    if (code) {
      const r = await this.deps.pairing.redeem(code, { surface: ctx.surface, chatId: ctx.chatId, userId: ctx.userId, label: ctx.label });
      if (r.ok) {
        this.log.info({ surface: ctx.surface, chatId: ctx.chatId, userId: ctx.userId }, 'chat paired');
        return { kind: 'paired', reply: 'Paired. I will send escalations, notices and the daily digest here. Try /help.' };
      }
      this.log.warn({ surface: ctx.surface, chatId: ctx.chatId, userId: ctx.userId, reason: r.reason }, 'pairing code refused');
      return { kind: 'pair_failed', reply: pairFailureReply(r) };
    }
    if (!(await this.isAllowed(ctx.surface, ctx.chatId, ctx.userId))) return this.refuse(ctx);
    const files = ctx.files ? await ctx.files() : [];
    if (ctx.text.trim() === '' && files.length === 0) {
      // e.g. a file already taken from another event of the same share: nothing left to hand over.
      this.log.debug({ surface: ctx.surface, dedupeKey: ctx.dedupeKey }, 'nothing to hand over');
      return { kind: 'handled', duplicate: true };
    }
    const release = this.deps.hub.beginInbound({ surface: ctx.surface, chatId: ctx.chatId, externalId: ctx.externalId ?? null, text: ctx.text, fileCount: files.length });
    let res: Awaited<ReturnType<OperatorApi['handleMessage']>>;
    try {
      res = await this.deps.operator.handleMessage({
        surface: ctx.surface,
        actor: ctx.userId,
        chatId: ctx.chatId,
        text: ctx.text,
        files,
        dedupeKey: ctx.dedupeKey,
        ...(ctx.replyToExternalId ? { replyToExternalId: ctx.replyToExternalId } : {}),
      });
    } finally {
      release();
    }
    if (res.duplicate) {
      this.log.info({ surface: ctx.surface, dedupeKey: ctx.dedupeKey }, 'dropped a redelivered message');
      return { kind: 'handled', duplicate: true };
    }
    if (res.inbound) {
      await this.deps.hub.noteOrigin(res.inbound.id, ctx.surface, ctx.chatId, ctx.externalId ?? null).catch((err) =>
        this.log.warn({ err: safeErr(err) }, 'could not record where a message came from'),
      );
    }
    return { kind: 'handled', duplicate: false };
  }

  async action(ctx: { surface: string; chatId: string; userId: string; isPrivate: boolean; payload: OperatorActionPayload; dedupeKey?: string }): Promise<ActionOutcome> {
    if (!(await this.isAllowed(ctx.surface, ctx.chatId, ctx.userId))) return this.refuse(ctx);
    if (ctx.payload.type === 'command') {
      const r = await this.message({ ...ctx, text: ctx.payload.text });
      return r.kind === 'handled' ? { kind: 'handled', duplicate: r.duplicate, ok: true, text: 'OK' } : { kind: 'refused', reply: null };
    }
    const res = await this.deps.operator.handleAction({ surface: ctx.surface, actor: ctx.userId, payload: ctx.payload, dedupeKey: ctx.dedupeKey });
    return { kind: 'handled', duplicate: res.duplicate, ok: res.ok, text: res.reply.text };
  }

  private refuse(ctx: { surface: string; chatId: string; userId: string; isPrivate: boolean }): { kind: 'refused'; reply: string | null } {
    // Ids only: the text and files of a stranger's message are not logged.
    this.log.warn({ surface: ctx.surface, chatId: ctx.chatId, userId: ctx.userId, private: ctx.isPrivate }, 'refused a message from an unpaired user or chat');
    return { kind: 'refused', reply: ctx.isPrivate ? REFUSAL : null };
  }
}
