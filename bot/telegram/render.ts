import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ConversationMessage, OperatorActionPayload } from '../../coordinator/index.ts';
import type { ChatStateStore } from '../core/store.ts';

/** Telegram's limits: 4096 characters of text, 64 bytes of callback data. */
const MAX_TEXT = 4096;
const MAX_CALLBACK_BYTES = 64;

export interface TelegramRender {
  text: string;
  reply_markup: InlineKeyboardMarkup;
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
 * break the markup), an inline keyboard while the question is open, and once settled the resolution line
 * instead of the keyboard (an empty keyboard removes it).
 */
export async function renderTelegram(m: ConversationMessage, store: Pick<ChatStateStore, 'putButton'>): Promise<TelegramRender> {
  const b = m.body;
  const lines = [b.text];
  for (const f of b.files) lines.push(`📎 ${f.name}`);
  if (b.resolution) lines.push('', `✔ ${b.resolution}`);
  let text = lines.join('\n').trim() || '…';
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 1)}…`;
  const inline_keyboard: InlineKeyboardButton[][] = [];
  if (!b.resolution) {
    for (const row of b.buttons) {
      const out: InlineKeyboardButton[] = [];
      for (const btn of row) out.push({ text: styleLabel(btn.label, btn.style), callback_data: await encodeCallback(btn.action, store) });
      if (out.length) inline_keyboard.push(out);
    }
  }
  return { text, reply_markup: { inline_keyboard } };
}

function styleLabel(label: string, style: string): string {
  if (style === 'primary') return `✅ ${label}`;
  if (style === 'danger') return `✖ ${label}`;
  return label;
}
