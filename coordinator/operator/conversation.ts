import type { Prisma } from '../db/client.ts';
import type { OperatorMessage as Row } from '../db/generated/client.ts';
import { type ConversationMessage, OutboundMessageSchema, type OutboundMessageInput } from './message.ts';

/** The NOTIFY channel every process listens on for conversation changes. */
export const CONVERSATION_CHANNEL = 'coo_conversation';

type Tx = Prisma.TransactionClient;

export function toConversationMessage(row: Row): ConversationMessage {
  return {
    id: row.id.toString(),
    direction: row.direction as 'in' | 'out',
    surface: row.surface,
    body: OutboundMessageSchema.parse(row.body),
    approvalId: row.approvalId,
    replyTo: row.replyTo === null ? null : row.replyTo.toString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Appends to the conversation and notifies every process in the same transaction: the NOTIFY is
 * delivered only if the message commits, so a surface never hears of a message that does not exist.
 */
export async function insertMessage(
  tx: Tx,
  m: { direction: 'in' | 'out'; surface: string; body: OutboundMessageInput; approvalId?: string | null; replyTo?: string | null },
): Promise<ConversationMessage> {
  const body = OutboundMessageSchema.parse(m.body);
  const row = await tx.operatorMessage.create({
    data: {
      direction: m.direction,
      surface: m.surface,
      body: body as object,
      approvalId: m.approvalId ?? null,
      replyTo: m.replyTo ? BigInt(m.replyTo) : null,
    },
  });
  await notify(tx, 'created', row.id);
  return toConversationMessage(row);
}

export async function updateMessageBody(tx: Tx, id: string | bigint, body: OutboundMessageInput): Promise<ConversationMessage> {
  const row = await tx.operatorMessage.update({ where: { id: BigInt(id) }, data: { body: OutboundMessageSchema.parse(body) as object } });
  await notify(tx, 'updated', row.id);
  return toConversationMessage(row);
}

/** Marks every message that carries an approval's buttons as settled, on every surface. */
export async function resolveApprovalMessages(tx: Tx, approvalId: string, resolution: string): Promise<void> {
  const rows = await tx.operatorMessage.findMany({ where: { approvalId } });
  for (const row of rows) {
    const body = OutboundMessageSchema.parse(row.body);
    await updateMessageBody(tx, row.id, { ...body, buttons: [], resolution });
  }
}

async function notify(tx: Tx, kind: 'created' | 'updated', id: bigint): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CONVERSATION_CHANNEL}, ${JSON.stringify({ kind, id: id.toString() })})`;
}
