import { randomBytes } from 'node:crypto';
import type { Db } from '../../coordinator/index.ts';
import type { OperatorActionPayload } from '../../coordinator/index.ts';
import { OperatorActionPayloadSchema } from '../../coordinator/index.ts';

/**
 * bot/'s own small persistence: each surface's delivery cursor and button payloads too long for a
 * platform's callback data. Kept apart from the coordinator's tables, which bot/ reaches only through
 * the OperatorApi.
 */
export class ChatStateStore {
  constructor(private readonly db: Db) {}

  async cursor(surface: string): Promise<{ messageId: bigint; seenAt: Date } | null> {
    const row = await this.db.chatCursor.findUnique({ where: { surface } });
    return row ? { messageId: row.messageId, seenAt: row.seenAt } : null;
  }

  async saveCursor(surface: string, messageId: bigint, seenAt: Date): Promise<void> {
    await this.db.chatCursor.upsert({
      where: { surface },
      create: { surface, messageId, seenAt },
      update: { messageId, seenAt },
    });
  }

  /** Stores a payload and returns a short token for it; buttons carrying tokens keep working after restarts. */
  async putButton(payload: OperatorActionPayload): Promise<string> {
    const token = randomBytes(9).toString('base64url');
    await this.db.chatButton.create({ data: { token, payload } });
    return token;
  }

  async getButton(token: string): Promise<OperatorActionPayload | null> {
    const row = await this.db.chatButton.findUnique({ where: { token } });
    if (!row) return null;
    const parsed = OperatorActionPayloadSchema.safeParse(row.payload);
    return parsed.success ? parsed.data : null;
  }
}
