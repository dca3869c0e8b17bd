import type { ConversationMessage, OperatorActionPayload } from '../../coordinator/index.ts';
import { OperatorActionPayloadSchema } from '../../coordinator/index.ts';
import type { ChatStateStore } from '../core/store.ts';

/** Slack's limits: 3000 characters per section text, 2000 per button value. */
const SECTION_MAX = 3000;
const VALUE_MAX = 2000;
export const BUTTON_ACTION_PREFIX = 'coo_btn_';

// Block Kit is loosely typed here on purpose: the Web API validates it, and the tests read it back.
export type Block = Record<string, unknown>;

export interface SlackRender {
  text: string;
  blocks: Block[];
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
 * A conversation message as Block Kit: the text in sections, an actions block per button row while the
 * question is open, and a context line with the outcome (who decided what, when) once it is settled;
 * `chat.update` with this render replaces the buttons with the outcome.
 */
export async function renderSlack(m: ConversationMessage, store: Pick<ChatStateStore, 'putButton'>): Promise<SlackRender> {
  const b = m.body;
  let body = escapeMrkdwn(b.text || '…');
  if (b.format === 'markdown') body = body.replace(/\*\*(.+?)\*\*/g, '*$1*');
  const blocks: Block[] = [];
  for (let i = 0; i < body.length && blocks.length < 40; i += SECTION_MAX) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: body.slice(i, i + SECTION_MAX) } });
  }
  if (b.files.length) {
    blocks.push({ type: 'context', elements: b.files.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `:paperclip: ${escapeMrkdwn(f.name)}` })) });
  }
  if (b.resolution) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:heavy_check_mark: ${escapeMrkdwn(b.resolution)}` }] });
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
      if (elements.length) blocks.push({ type: 'actions', block_id: `coo_actions_${r++}`, elements });
    }
  }
  const text = b.resolution ? `${b.text}\n${b.resolution}` : b.text;
  return { text: text.slice(0, 3900) || '…', blocks };
}
