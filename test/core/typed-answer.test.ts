import { describe, expect, it } from 'vitest';
import { parseTypedAmount, parseTypedDate, validateTypedValue } from '../../coordinator/operator/typed-answer.ts';

// A typed correction is validated as the kind the question asked for, before it decides anything.
describe('typed answers to "what is the right value?"', () => {
  it.each([
    ['396.27', 396.27],
    ['396,27', 396.27],
    ['€396.27', 396.27],
    ['1.396,27', 1396.27],
    ['1,396.27', 1396.27],
    ["1'396.27", 1396.27],
    ['1 396,27 EUR', 1396.27],
    ['400', 400],
    ['12.5', 12.5],
  ])('reads the amount %s as %d', (text, n) => expect(parseTypedAmount(text)).toBe(n));

  it.each(['about 400', '396.27.1', '3,96,27', 'yes', '', '12/01/2026'])('refuses "%s" as an amount', (text) => expect(parseTypedAmount(text)).toBeNull());

  it.each([
    ['2026-01-04', '2026-01-04'],
    ['4.1.2026', '2026-01-04'],
    ['04/01/2026', '2026-01-04'],
    ['4 Jan 2026', '2026-01-04'],
    ['4. January 2026', '2026-01-04'],
    ['Jan 4, 2026', '2026-01-04'],
  ])('reads the date %s as %s', (text, iso) => expect(parseTypedDate(text)).toBe(iso));

  it.each(['31.2.2026', '2026-13-01', 'next Friday', '4 Foo 2026', '4.1.26'])('refuses "%s" as a date', (text) => expect(parseTypedDate(text)).toBeNull());

  it('says what to type instead, and keeps a text answer to one short line', () => {
    expect(validateTypedValue('amount', 'lots', 'the right total')).toEqual({ ok: false, message: '“lots” is not an amount. Reply with the right total, e.g. 396.27.' });
    expect(validateTypedValue('text', 'Brightline Studio', 'the right vendor')).toEqual({ ok: true, value: 'Brightline Studio' });
    expect(validateTypedValue('text', 'a\nb', 'the right vendor').ok).toBe(false);
  });
});
