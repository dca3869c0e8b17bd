import { z } from 'zod';

/**
 * The platform-neutral conversation model. The coordinator speaks only in these shapes; each surface
 * (web console, Telegram, Slack) renders them its own way: buttons become inline keyboards or Block Kit.
 * Button payloads are defined here, once, and imported by every adapter.
 */
export const SurfaceSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/);
export type Surface = z.infer<typeof SurfaceSchema>;

export const OperatorActionPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('decide'), approvalId: z.string().min(1), option: z.string().min(1) }),
  z.object({ type: z.literal('command'), text: z.string().min(1).max(2000) }),
]);
export type OperatorActionPayload = z.infer<typeof OperatorActionPayloadSchema>;

export const ButtonSchema = z.object({
  label: z.string().min(1).max(60),
  style: z.enum(['primary', 'danger', 'default']).default('default'),
  action: OperatorActionPayloadSchema,
});
export type Button = z.infer<typeof ButtonSchema>;

export const FileRefSchema = z.object({
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  /** Where the coordinator keeps the bytes (the data dir); surfaces upload from or download to here. */
  path: z.string().optional(),
  url: z.string().optional(),
});
export type FileRef = z.infer<typeof FileRefSchema>;

export const OutboundMessageSchema = z.object({
  text: z.string(),
  /** Rows of buttons. */
  buttons: z.array(z.array(ButtonSchema)).default([]),
  files: z.array(FileRefSchema).default([]),
  /** Set once the message's question is settled: surfaces replace the buttons with this line. */
  resolution: z.string().optional(),
  kind: z.enum(['reply', 'approval', 'notice', 'digest', 'error', 'progress']).default('reply'),
  format: z.enum(['plain', 'markdown']).default('plain'),
  /** An idempotency reference: a process that posts under a ref can find its message after a crash. */
  ref: z.string().max(200).optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;
export type OutboundMessageInput = z.input<typeof OutboundMessageSchema>;

export const InboundMessageSchema = z.object({
  surface: SurfaceSchema,
  /** The operator's identity on that surface (user id), for the audit trail. */
  actor: z.string().min(1),
  chatId: z.string().optional(),
  text: z.string().max(20_000).default(''),
  files: z.array(FileRefSchema).default([]),
  /** The platform's delivery id (Telegram update_id, Slack event_id): a redelivery is processed once. */
  dedupeKey: z.string().optional(),
  /** The COO message this one replies to (Telegram reply_to_message, a thread): a typed value answers only its question. */
  replyTo: z.string().regex(/^\d+$/).optional(),
  /** The platform's id of the message this one replies to (Telegram reply_to_message), in `chatId`: found through where the COO's messages were delivered. */
  replyToExternalId: z.string().max(100).optional(),
});
export type InboundMessage = z.input<typeof InboundMessageSchema>;

export const OperatorActionSchema = z.object({
  surface: SurfaceSchema,
  actor: z.string().min(1),
  payload: OperatorActionPayloadSchema,
  reason: z.string().max(2000).optional(),
  dedupeKey: z.string().optional(),
});
export type OperatorAction = z.input<typeof OperatorActionSchema>;

/** A stored conversation message, as surfaces receive it. */
export interface ConversationMessage {
  id: string;
  direction: 'in' | 'out';
  surface: string;
  body: OutboundMessage;
  approvalId: string | null;
  replyTo: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a surface hears when the conversation changes (from any process, via LISTEN/NOTIFY). */
export interface ConversationEvent {
  kind: 'created' | 'updated';
  message: ConversationMessage;
}

export function message(input: OutboundMessageInput): OutboundMessage {
  return OutboundMessageSchema.parse(input);
}
