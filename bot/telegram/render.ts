import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ConversationMessage, FileRef, OperatorActionPayload } from '../../coordinator/index.ts';
import { planUploads, type UploadLimits } from '../core/outbound-files.ts';
import { splitText } from '../core/split.ts';
import type { ChatStateStore } from '../core/store.ts';

/** Telegram's limits: 4096 characters of text, 64 bytes of callback data. */
export const MAX_TEXT = 4096;
const MAX_CALLBACK_BYTES = 64;
/** Room kept free in the last part for the resolution line, so a decision never moves the cuts. */
const RESOLUTION_ROOM = 300;
/** Bots may upload documents up to 50 MB and photos up to 10 MB (larger images go as documents). */
export const TELEGRAM_UPLOADS: UploadLimits = { platform: 'Telegram', maxBytes: 50 * 1024 * 1024 };
export const TELEGRAM_PHOTO_MAX_BYTES = 10 * 1024 * 1024;

export interface TelegramRender {
  /** The text as one or more messages, in order; the keyboard goes on the last. */
  parts: string[];
  reply_markup: InlineKeyboardMarkup;
  /** Files to upload after the text. */
  uploads: FileRef[];
}

/**
 * Encodes a button payload as callback data. Short decisions and commands travel inline ("d|id|option",
 * "c|/text"), so a press works whatever happened to this process since; longer ones are stored in
 * chat_button and travel as a token ("b|token"), which also survives restarts.
 */
export async function encodeCallback(payload: OperatorActionPayload, store: Pick<ChatStateStore, 'putButton'>): Promise<string> {
  const inline = payload.type === 'decide' ? `d|${payload.approvalId}|${payload.option}` : `c|${payload.text}`;
  if (Buffer.byteLength(inline, 'utf8') <= MAX_CALLBACK_BYTES && !(payload.type === 'decide' && payload.approvalId.includes('|'))) return inline;
  return `b|${await store.putButton(payload)}`;
}

export async function decodeCallback(data: string, store: Pick<ChatStateStore, 'getButton'>): Promise<OperatorActionPayload | null> {
  if (data.startsWith('d|')) {
    const rest = data.slice(2);
    const i = rest.indexOf('|');
    if (i <= 0 || i === rest.length - 1) return null;
    return { type: 'decide', approvalId: rest.slice(0, i), option: rest.slice(i + 1) };
  }
  if (data.startsWith('c|') && data.length > 2) return { type: 'command', text: data.slice(2) };
  if (data.startsWith('b|')) return store.getButton(data.slice(2));
  return null;
}

/**
 * A conversation message as Telegram shows it: plain text (no parse mode, so nothing the COO writes can
 * break the markup, and a cut can never leave an entity open), split into messages of at most 4,096
 * characters on paragraph, line or word boundaries; an inline keyboard on the last part while the
 * question is open, and once settled the resolution line instead of the keyboard (an empty keyboard
 * removes it). Files become uploads, or a line saying why one was not sent.
 */
export async function renderTelegram(m: ConversationMessage, store: Pick<ChatStateStore, 'putButton'>): Promise<TelegramRender> {
  const b = m.body;
  const plan = planUploads(b.files, TELEGRAM_UPLOADS);
  // A message of files only still names them, so there is a text to carry buttons and edits.
  const names = b.text.trim() === '' && plan.uploads.length ? plan.uploads.map((f) => `📎 ${f.name}`) : [];
  const body = [b.text, ...names, ...plan.notes].join('\n').trim() || '…';
  const parts = splitText(body, MAX_TEXT);
  const last = parts.pop()!;
  parts.push(...(last.length > MAX_TEXT - RESOLUTION_ROOM ? splitText(last, MAX_TEXT - RESOLUTION_ROOM) : [last]));
  if (b.resolution) parts[parts.length - 1] += `\n\n✔ ${b.resolution.slice(0, RESOLUTION_ROOM - 10)}`;
  const inline_keyboard: InlineKeyboardButton[][] = [];
  if (!b.resolution) {
    for (const row of b.buttons) {
      const out: InlineKeyboardButton[] = [];
      for (const btn of row) out.push({ text: styleLabel(btn.label, btn.style), callback_data: await encodeCallback(btn.action, store) });
      if (out.length) inline_keyboard.push(out);
    }
  }
  return { parts, reply_markup: { inline_keyboard }, uploads: plan.uploads };
}

function styleLabel(label: string, style: string): string {
  if (style === 'primary') return `✅ ${label}`;
  if (style === 'danger') return `✖ ${label}`;
  return label;
}
