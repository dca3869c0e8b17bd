import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitText, assignParts } from '../../bot/core/split.ts';
import { ChatStateStore } from '../../bot/core/store.ts';
import { renderSlack } from '../../bot/slack/render.ts';
import { MAX_TEXT, renderTelegram } from '../../bot/telegram/render.ts';
import { type ConversationMessage, message, type OutboundMessageInput } from '../../coordinator/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const msg = (over: Partial<OutboundMessageInput>): ConversationMessage => ({
  id: '9',
  direction: 'out',
  surface: 'coo',
  approvalId: null,
  replyTo: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  body: message({ text: '', ...over }),
});

/** Paragraphs of numbered words, so order and completeness can be checked word by word. */
function longText(words: number, perParagraph = 90): string {
  const ws = Array.from({ length: words }, (_, i) => `w${i}`);
  const paras: string[] = [];
  for (let i = 0; i < ws.length; i += perParagraph) paras.push(ws.slice(i, i + perParagraph).join(' '));
  return paras.join('\n\n');
}
const wordsOf = (parts: string[]) => parts.join(' ').split(/\s+/).filter(Boolean);

describe('splitting long text', () => {
  let tdb: TestDatabase;
  let store: ChatStateStore;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    store = new ChatStateStore(tdb.db);
  });
  afterAll(async () => tdb?.drop());

  it('keeps short text whole and cuts long text in order, on paragraph breaks, never inside a word', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
    const text = longText(3000);
    const parts = splitText(text, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(wordsOf(parts)).toEqual(wordsOf([text]));
    // Every cut but a forced one falls between paragraphs: each part ends a paragraph.
    for (const p of parts.slice(0, -1)) expect(text).toContain(`${p}\n\n`);
  });

  it('falls back to a line break, then a space, and cuts a word only when it alone is too long', () => {
    expect(splitText('aaaa bbbb\ncccc dddd', 12)).toEqual(['aaaa bbbb', 'cccc dddd']);
    expect(splitText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never cuts inside an atomic span such as an &amp; entity', () => {
    const s = `${'a'.repeat(8)}&amp;${'b'.repeat(8)}`;
    const parts = splitText(s, 10, /&(?:amp|lt|gt);/);
    expect(parts[0]).toBe('a'.repeat(8));
    expect(parts[1].startsWith('&amp;')).toBe(true);
  });

  it('maps a re-render onto the delivered messages, the new last part always on the last one', () => {
    expect(assignParts(['a', 'b', 'c'], 3, 100)).toEqual(['a', 'b', 'c']);
    expect(assignParts(['a', 'b', 'c'], 2, 100)).toEqual(['a', 'b\nc']);
    expect(assignParts(['a', 'z'], 3, 100)).toEqual(['a', '⋯', 'z']);
  });

  it('renders long Telegram text as several parts with the keyboard for the last, and a decision changes only the last', async () => {
    const buttons = [[{ label: 'Approve', style: 'primary' as const, action: { type: 'decide' as const, approvalId: 'apv_1', option: 'approve' } }]];
    const open = await renderTelegram(msg({ text: longText(3000), buttons }), store);
    expect(open.parts.length).toBeGreaterThan(2);
    for (const p of open.parts) expect(p.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(open.reply_markup.inline_keyboard).toHaveLength(1);
    const decided = await renderTelegram(msg({ text: longText(3000), resolution: 'Approve — by 1001 via telegram at 2026-12-01 10:00 UTC' }), store);
    expect(decided.parts.length).toBe(open.parts.length);
    expect(decided.parts.slice(0, -1)).toEqual(open.parts.slice(0, -1));
    expect(decided.parts.at(-1)).toMatch(/✔ Approve — by 1001/);
    expect(decided.parts.at(-1)!.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(decided.reply_markup.inline_keyboard).toEqual([]);
  });

  it('renders long Slack text as messages of sections of at most 3,000 characters, buttons on the last', async () => {
    const buttons = [[{ label: 'Approve', style: 'primary' as const, action: { type: 'decide' as const, approvalId: 'apv_1', option: 'approve' } }]];
    const text = longText(6000).replace(/w1(\d)/g, 'R&D$1');
    const r = await renderSlack(msg({ text, buttons }), store);
    expect(r.parts.length).toBeGreaterThan(1);
    for (const p of r.parts) {
      expect(p.blocks.length).toBeLessThanOrEqual(50);
      expect(p.text.length).toBeLessThan(4000);
      for (const b of p.blocks.filter((x) => x.type === 'section')) {
        const t = (b.text as { text: string }).text;
        expect(t.length).toBeLessThanOrEqual(3000);
        // No entity cut in half at either end.
        expect(t).not.toMatch(/&(?:am?|l|g)?$/);
        expect(t).not.toMatch(/^(?:mp|p|t)?;/);
      }
    }
    expect(r.parts.slice(0, -1).some((p) => p.blocks.some((b) => b.type === 'actions'))).toBe(false);
    expect(r.parts.at(-1)!.blocks.some((b) => b.type === 'actions')).toBe(true);
    const sections = r.parts.flatMap((p) => p.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text.replace(/&amp;/g, '&')));
    expect(wordsOf(sections)).toEqual(wordsOf([text]));
  });
});
