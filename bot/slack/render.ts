import type { ConversationMessage, FileRef, OperatorActionPayload } from '../../coordinator/index.ts';
import { OperatorActionPayloadSchema } from '../../coordinator/index.ts';
import { planUploads, type UploadLimits } from '../core/outbound-files.ts';
import { splitText } from '../core/split.ts';
import type { ChatStateStore } from '../core/store.ts';

/** Slack's limits: 3000 characters per section text, 2000 per button value, 50 blocks per message. */
const SECTION_MAX = 3000;
const VALUE_MAX = 2000;
/** Raw text per message: at most 12 sections of escaped text, well under the 50-block and ~40k limits. */
export const MESSAGE_TEXT_MAX = 12_000;
/** Slack truncates the notification text; we keep it short, as Slack recommends (under 4,000). */
const FALLBACK_MAX = 3_900;
/** Slack takes files up to 1 GB; the COO's own files are far smaller, but the limit is checked. */
export const SLACK_UPLOADS: UploadLimits = { platform: 'Slack', maxBytes: 1024 * 1024 * 1024 };
const ENTITY = /&(?:amp|lt|gt);/;
export const BUTTON_ACTION_PREFIX = 'coo_btn_';

// Block Kit is loosely typed here on purpose: the Web API validates it, and the tests read it back.
export type Block = Record<string, unknown>;

export interface SlackMessagePart {
  text: string;
  blocks: Block[];
}

export interface SlackRender {
  /** One Slack message per part, in order; buttons and the outcome are on the last. */
  parts: SlackMessagePart[];
  uploads: FileRef[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function encodeValue(payload: OperatorActionPayload, store: Pick<ChatStateStore, 'putButton'>): Promise<string> {
  const json = `j|${JSON.stringify(payload)}`;
  if (json.length <= VALUE_MAX) return json;
  return `b|${await store.putButton(payload)}`;
}

export async function decodeValue(value: string, store: Pick<ChatStateStore, 'getButton'>): Promise<OperatorActionPayload | null> {
  if (value.startsWith('j|')) {
    try {
      const parsed = OperatorActionPayloadSchema.safeParse(JSON.parse(value.slice(2)));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
  if (value.startsWith('b|')) return store.getButton(value.slice(2));
  return null;
}

/**
 * A conversation message as Block Kit: the text cut into messages of at most 12,000 characters and each
 * into sections of at most 3,000 (on paragraph, line or word boundaries, never inside an `&amp;`
 * entity), an actions block per button row on the last message while the question is open, and a
 * context line with the outcome (who decided what, when) once settled; `chat.update` of the last
 * message replaces its buttons with the outcome. Files become uploads, or a line saying why not.
 */
export async function renderSlack(m: ConversationMessage, store: Pick<ChatStateStore, 'putButton'>): Promise<SlackRender> {
  const b = m.body;
  const plan = planUploads(b.files, SLACK_UPLOADS);
  const raws = splitText(b.text || '…', MESSAGE_TEXT_MAX);
  const parts: SlackMessagePart[] = raws.map((raw) => {
    let body = escapeMrkdwn(raw);
    if (b.format === 'markdown') body = body.replace(/\*\*(.+?)\*\*/g, '*$1*');
    const blocks: Block[] = splitText(body, SECTION_MAX, ENTITY).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
    return { text: escapeMrkdwn(raw).slice(0, FALLBACK_MAX), blocks };
  });
  const last = parts[parts.length - 1];
  if (plan.notes.length) {
    last.blocks.push({ type: 'context', elements: plan.notes.slice(0, 10).map((n) => ({ type: 'mrkdwn', text: escapeMrkdwn(n) })) });
  }
  if (b.resolution) {
    last.blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:heavy_check_mark: ${escapeMrkdwn(b.resolution)}` }] });
    last.text = `${last.text}\n${escapeMrkdwn(b.resolution)}`.slice(0, FALLBACK_MAX);
  } else {
    let r = 0;
    for (const row of b.buttons.slice(0, 5)) {
      const elements: Block[] = [];
      let c = 0;
      for (const btn of row.slice(0, 25)) {
        const el: Block = {
          type: 'button',
          action_id: `${BUTTON_ACTION_PREFIX}${r}_${c++}`,
          text: { type: 'plain_text', text: btn.label.slice(0, 75), emoji: true },
          value: await encodeValue(btn.action, store),
        };
        if (btn.style === 'primary' || btn.style === 'danger') el.style = btn.style;
        elements.push(el);
      }
      if (elements.length) last.blocks.push({ type: 'actions', block_id: `coo_actions_${r++}`, elements });
    }
  }
  return { parts, uploads: plan.uploads };
}
