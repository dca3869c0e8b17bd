import type pg from 'pg';
import type { Db, Prisma } from '../db/client.ts';
import { insertMessage, toConversationMessage } from './conversation.ts';
import type { ConversationMessage, OutboundMessageInput } from './message.ts';

type Tx = Prisma.TransactionClient;

/**
 * A delivery being worked on. Its receipt says 'received' until `settle` commits it, in the same
 * transaction as the work's answer; until then a redelivery of the same id does the work (a crash, a
 * PostgreSQL restart or a failed step of the work never turns a press into "Already handled.").
 * While held, a session advisory lock on its own connection keeps a second live delivery of the same id
 * waiting; the lock dies with the process or the connection, so a crashed holder never blocks the redelivery.
 */
export interface ReceiptHold {
  /** Stable across redeliveries of this delivery: the key that makes the work's effects idempotent. */
  readonly requestKey: string;
  /** The operator's message recorded for this delivery (by the first delivery; a redelivery reuses it). */
  readonly inbound: ConversationMessage | null;
  /** Marks the receipt done inside the caller's transaction; false if it was no longer 'received'. */
  settle(tx: Tx): Promise<boolean>;
  /** Gives the lock back; the receipt stays as settle left it. Call in `finally`. */
  release(): Promise<void>;
}

/** The key a delivery's effects are made idempotent on (surfaces' ids are only unique per surface). */
export function requestKeyOf(surface: string, key: string): string {
  return `${surface}:${key}`;
}

export class InboundReceipts {
  constructor(
    private readonly db: Db,
    /** Connections for the per-delivery locks; separate from the pools the work itself uses, so holders never starve it. */
    private readonly locks: pg.Pool,
  ) {}

  /**
   * Records the delivery (and the operator's message, in the same transaction) unless it was settled
   * before, then waits for any other live delivery of the same id. 'duplicate' means the work is done.
   */
  async take(surface: string, key: string, inbound?: OutboundMessageInput): Promise<ReceiptHold | 'duplicate'> {
    const first = await this.db.$transaction(async (tx) => {
      const created = await tx.inboundReceipt.createMany({ data: [{ surface, key, status: 'received' }], skipDuplicates: true });
      if (created.count === 0 || !inbound) return null;
      const m = await insertMessage(tx, { direction: 'in', surface, body: inbound });
      await tx.inboundReceipt.update({ where: { surface_key: { surface, key } }, data: { messageId: BigInt(m.id) } });
      return m;
    });
    if (!first && (await this.statusOf(surface, key)) === 'done') return 'duplicate';

    const lockKey = `inbound:${surface}:${key}`;
    const conn = await this.locks.connect();
    let released = false;
    const release = async (err?: Error) => {
      if (released) return;
      released = true;
      if (err) return conn.release(err);
      await conn.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).then(
        () => conn.release(),
        (e: Error) => conn.release(e),
      );
    };
    try {
      await conn.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
      const row = await this.db.inboundReceipt.findUnique({ where: { surface_key: { surface, key } } });
      if (!row || row.status === 'done') {
        await release();
        return 'duplicate';
      }
      const kept = first ?? (row.messageId === null ? null : await this.db.operatorMessage.findUnique({ where: { id: row.messageId } }).then((r) => (r ? toConversationMessage(r) : null)));
      // The first delivery's message is gone (deleted since): record it again rather than answer nothing.
      const message = kept ?? (inbound ? await this.db.$transaction(async (tx) => {
        const m = await insertMessage(tx, { direction: 'in', surface, body: inbound });
        await tx.inboundReceipt.update({ where: { surface_key: { surface, key } }, data: { messageId: BigInt(m.id) } });
        return m;
      }) : null);
      return {
        requestKey: requestKeyOf(surface, key),
        inbound: message,
        settle: async (tx) => {
          const r = await tx.inboundReceipt.updateMany({ where: { surface, key, status: 'received' }, data: { status: 'done', settledAt: new Date() } });
          return r.count === 1;
        },
        release: () => release(),
      };
    } catch (err) {
      await release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /**
   * A once-only claim outside handleMessage (a Slack file seen in a message event and a file_shared
   * event): true for the first claimant, and again for the same `owner` (its redelivery, whose work may
   * have been cut short), false for anyone else.
   */
  async claim(surface: string, key: string, owner?: string): Promise<boolean> {
    const r = await this.db.inboundReceipt.createMany({ data: [{ surface, key, claimedBy: owner ?? null }], skipDuplicates: true });
    if (r.count === 1) return true;
    if (!owner) return false;
    const row = await this.db.inboundReceipt.findUnique({ where: { surface_key: { surface, key } }, select: { claimedBy: true } });
    return row?.claimedBy === owner;
  }

  private async statusOf(surface: string, key: string): Promise<string | null> {
    const row = await this.db.inboundReceipt.findUnique({ where: { surface_key: { surface, key } }, select: { status: true } });
    return row?.status ?? null;
  }
}
