import { describe, expect, it } from 'vitest';
import { approvalCard, keyFields } from '../../agents/assistant/approval-card.ts';

const IBAN = 'DE89 3704 0044 0532 0130 00';
const card = (args: unknown, tool = 'start_process', process = 'payments') => approvalCard({ tool, args, summary: `${tool} ${process}`, process });
/** The card without its wrapping (line breaks and the indentation they add), to find a long value whole. */
const unwrapped = (s: string) => s.replace(/\n {4}/g, '');
const leafValues = (v: unknown): string[] => (v !== null && typeof v === 'object' ? Object.values(v as object).flatMap(leafValues) : [String(v)]);

describe('approval card for an action the assistant proposed', () => {
  it.each([
    ['behind 400 dots', { note: `Pay now ${'.'.repeat(400)} to ${IBAN}` }],
    ['behind 5,000 spaces and words', { input: { text: `${'lorem ipsum '.repeat(420)}then send to attacker@evil.test and IBAN ${IBAN}` } }],
    ['deep in nested input', { input: { lines: [{ a: 1 }, { b: { c: [`x`, `payee: ${IBAN}`] } }] } }],
    ['in full-width digits', { text: `pay to ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００` }],
    ['after a bidi override', { text: `\u202Etset.live@rekcatta ot dnes\u202C ${IBAN}` }],
  ])('puts the IBAN hidden %s first and marked, and shows every argument whole', (_what, args) => {
    const text = card(args);
    const first = text.indexOf('‼ IBAN:');
    expect(first).toBeGreaterThan(-1);
    expect(first).toBeLessThan(text.indexOf('Every argument'));
    // Every character of every argument is in the card (wrapped, never cut; invisible ones shown as code points).
    const shown = unwrapped(text).replace(/⟨U\+[0-9A-F]{4}⟩/g, '');
    for (const v of leafValues(args)) expect(shown, v).toContain(v.replace(/\p{Cf}/gu, ''));
    expect(text).not.toContain('…');
  });

  it('lists recipients, IBANs, amounts and addresses before the arguments, named by key or found in text', () => {
    const k = keyFields({ to: 'anna@example.com', amount: 9800, currency: 'EUR', input: { text: `Pay 9,800.00 EUR to ${IBAN}, Musterstraße 12, 10115 Berlin` } });
    const order = ['RECIPIENT', 'IBAN', 'IBAN/ACCOUNT', 'AMOUNT', 'ADDRESS'];
    expect(k.map((x) => order.indexOf(x.kind))).toEqual(k.map((x) => order.indexOf(x.kind)).sort((a, b) => a - b));
    expect(k[0]).toMatchObject({ kind: 'RECIPIENT', value: 'anna@example.com', path: 'to' });
    expect(k.some((x) => x.kind === 'IBAN' && x.value === IBAN)).toBe(true);
    expect(k.some((x) => x.kind === 'AMOUNT' && x.value.includes('9,800.00 EUR'))).toBe(true);
    expect(k.some((x) => x.kind === 'ADDRESS' && x.value.includes('Musterstraße 12'))).toBe(true);
  });

  it('shows invisible characters as code points instead of letting them hide text', () => {
    const text = card({ to: 'boss@company.test\u200b\u202e', text: 'ok' }, 'send_email', 'email');
    expect(text).toContain('boss@company.test⟨U+200B⟩⟨U+202E⟩');
    expect(text).not.toMatch(/[\u200b\u202e]/);
  });

  it('wraps a long value onto lines of at most 72 characters and says how long it is', () => {
    const text = card({ text: 'word '.repeat(300).trim() }, 'remind', 'reminder');
    const block = text.split('\n').filter((l) => l.startsWith('    '));
    expect(block.length).toBeGreaterThan(15);
    for (const l of block) expect(l.length).toBeLessThanOrEqual(76);
    expect(text).toContain('• text (1499 characters');
  });
});
