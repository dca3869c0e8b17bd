import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../../coordinator/index.ts';

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

export type RedeemResult = { ok: true; binding: ChatBindingRow } | { ok: false; reason: 'invalid' | 'expired' | 'used' };

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
 * Everything else is refused before it reaches the coordinator.
 */
export class PairingStore {
  constructor(private readonly db: Db, private readonly opts: { ttlMinutes: number } = { ttlMinutes: 15 }) {}

  /** A fresh one-time code, shown once ("ABCD-EFGH"); valid for ttlMinutes. */
  async createPairingCode(now = new Date()): Promise<{ code: string; expiresAt: Date }> {
    let raw = '';
    for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = new Date(now.getTime() + this.opts.ttlMinutes * 60_000);
    await this.db.pairingCode.create({ data: { codeHash: hashCode(raw), expiresAt } });
    return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt };
  }

  /** Spends a code on a chat. The conditional update makes a code usable once even when two chats race. */
  async redeem(code: string, who: { surface: string; chatId: string; userId: string; label?: string }, now = new Date()): Promise<RedeemResult> {
    if (normalizeCode(code).length !== CODE_LENGTH) return { ok: false, reason: 'invalid' };
    const codeHash = hashCode(code);
    const spent = await this.db.pairingCode.updateMany({
      where: { codeHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now, usedBy: `${who.surface}:${who.chatId}` },
    });
    if (spent.count === 0) {
      const row = await this.db.pairingCode.findUnique({ where: { codeHash } });
      if (!row) return { ok: false, reason: 'invalid' };
      return { ok: false, reason: row.usedAt ? 'used' : 'expired' };
    }
    const binding = await this.db.chatBinding.upsert({
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
