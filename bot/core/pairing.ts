import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../../coordinator/index.ts';

/** Transaction client of the coordinator's database (what `db.$transaction(fn)` hands to fn). */
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Unambiguous characters (no 0/O, 1/I/L) so a code read off a screen is typed right the first time. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export interface ChatBindingRow {
  surface: string;
  chatId: string;
  userId: string;
  label: string | null;
  boundAt: Date;
}

export type RedeemResult =
  | { ok: true; binding: ChatBindingRow }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' }
  /** Too many wrong codes lately (from this chat or from all chats): nothing was checked. */
  | { ok: false; reason: 'throttled'; retryAfterMinutes: number };

export interface PairingOptions {
  ttlMinutes: number;
  /** Wrong codes one chat may send within the window before its attempts are refused. */
  maxWrongPerChat?: number;
  /** Wrong codes all chats together may send within the window (many chats cannot share the guessing). */
  maxWrongGlobal?: number;
  windowMinutes?: number;
}

const DEFAULT_LIMITS = { maxWrongPerChat: 5, maxWrongGlobal: 30, windowMinutes: 15 };

/** What a chat is told when its code is refused. */
export function pairFailureReply(r: Extract<RedeemResult, { ok: false }>): string {
  if (r.reason === 'throttled') return `Too many wrong codes; try again in ${r.retryAfterMinutes} minute${r.retryAfterMinutes === 1 ? '' : 's'}.`;
  if (r.reason === 'expired') return 'That code has expired. Create a new one with `coo pair`.';
  return 'That code is not valid (codes work once).';
}

function hashCode(code: string): string {
  return createHash('sha256').update(normalizeCode(code)).digest('hex');
}

/** Accepts "abcd-efgh", "ABCD EFGH" and "abcdefgh" alike. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Who may talk to the COO. The operator pairs a chat by sending a one-time code that the web console or
 * `coo pair` showed them; only the code's hash is stored, it expires, and it binds exactly one chat.
 * Wrong codes are throttled per chat and overall, so nobody can guess their way in. Everything else is
 * refused before it reaches the coordinator.
 */
export class PairingStore {
  private readonly limits: Required<Omit<PairingOptions, 'ttlMinutes'>>;

  constructor(private readonly db: Db, private readonly opts: PairingOptions = { ttlMinutes: 15 }) {
    this.limits = {
      maxWrongPerChat: opts.maxWrongPerChat ?? DEFAULT_LIMITS.maxWrongPerChat,
      maxWrongGlobal: opts.maxWrongGlobal ?? DEFAULT_LIMITS.maxWrongGlobal,
      windowMinutes: opts.windowMinutes ?? DEFAULT_LIMITS.windowMinutes,
    };
  }

  /** A fresh one-time code, shown once ("ABCD-EFGH"); valid for ttlMinutes. */
  async createPairingCode(now = new Date()): Promise<{ code: string; expiresAt: Date }> {
    let raw = '';
    for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = new Date(now.getTime() + this.opts.ttlMinutes * 60_000);
    await this.db.pairingCode.create({ data: { codeHash: hashCode(raw), expiresAt } });
    return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt };
  }

  /**
   * Spends a code on a chat. Attempts are serialized by one advisory lock (pairing is rare), so the limits
   * hold against concurrent guesses from any number of processes; a throttled attempt checks no code and
   * does not extend the lock-out. The conditional update makes a code usable once even when two chats race.
   */
  async redeem(code: string, who: { surface: string; chatId: string; userId: string; label?: string }, now = new Date()): Promise<RedeemResult> {
    const chat = `${who.surface}:${who.chatId}`;
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('coo.pairing'))`;
      const throttled = await this.throttled(tx, chat, now);
      if (throttled) return throttled;
      const r = await this.spend(tx, code, who, now);
      if (!r.ok) await tx.pairingFailure.create({ data: { chat, at: now } });
      return r;
    });
  }

  /** Refuses when this chat, or all chats together, sent too many wrong codes within the window. */
  private async throttled(tx: Tx, chat: string, now: Date): Promise<RedeemResult | null> {
    const windowMs = this.limits.windowMinutes * 60_000;
    const since = new Date(now.getTime() - windowMs);
    await tx.pairingFailure.deleteMany({ where: { at: { lte: since } } });
    // The limit-th newest failure in the window: once it ages out, fewer than `limit` remain.
    const nth = (where: { chat?: string }, limit: number) =>
      tx.pairingFailure.findFirst({ where: { ...where, at: { gt: since, lte: now } }, orderBy: { at: 'desc' }, skip: limit - 1, select: { at: true } });
    const [perChat, global] = await Promise.all([nth({ chat }, this.limits.maxWrongPerChat), nth({}, this.limits.maxWrongGlobal)]);
    const until = Math.max(perChat ? perChat.at.getTime() + windowMs : 0, global ? global.at.getTime() + windowMs : 0);
    if (until <= now.getTime()) return null;
    return { ok: false, reason: 'throttled', retryAfterMinutes: Math.max(1, Math.ceil((until - now.getTime()) / 60_000)) };
  }

  private async spend(tx: Tx, code: string, who: { surface: string; chatId: string; userId: string; label?: string }, now: Date): Promise<RedeemResult> {
    if (normalizeCode(code).length !== CODE_LENGTH) return { ok: false, reason: 'invalid' };
    const codeHash = hashCode(code);
    const spent = await tx.pairingCode.updateMany({
      where: { codeHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now, usedBy: `${who.surface}:${who.chatId}` },
    });
    if (spent.count === 0) {
      const row = await tx.pairingCode.findUnique({ where: { codeHash } });
      if (!row) return { ok: false, reason: 'invalid' };
      return { ok: false, reason: row.usedAt ? 'used' : 'expired' };
    }
    const binding = await tx.chatBinding.upsert({
      where: { surface_chatId: { surface: who.surface, chatId: who.chatId } },
      create: { surface: who.surface, chatId: who.chatId, userId: who.userId, label: who.label ?? null, boundAt: now },
      update: { userId: who.userId, label: who.label ?? null, boundAt: now },
    });
    return { ok: true, binding };
  }

  /**
   * Bound chats of one surface, where escalations and notices go. Not cached: a chat paired or unpaired
   * in another process (web console, CLI) counts at once, and the lookup is one indexed query.
   */
  async bindings(surface: string): Promise<ChatBindingRow[]> {
    return this.db.chatBinding.findMany({ where: { surface }, orderBy: { boundAt: 'asc' } });
  }

  /** True only for the user who paired this very chat. */
  async isAllowed(surface: string, chatId: string, userId: string): Promise<boolean> {
    const row = await this.db.chatBinding.findUnique({ where: { surface_chatId: { surface, chatId } } });
    return row !== null && row.userId === userId;
  }

  async unbind(surface: string, chatId: string): Promise<boolean> {
    const r = await this.db.chatBinding.deleteMany({ where: { surface, chatId } });
    return r.count > 0;
  }
}
