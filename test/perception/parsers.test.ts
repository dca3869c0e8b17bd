import { describe, expect, it } from 'vitest';
import { parseAmount, findAmounts, inferDecimalStyle } from '../../perception/semantic/amount.ts';
import { findDates, parseDate, monthFromWord } from '../../perception/semantic/date.ts';
import { findCurrencies } from '../../perception/semantic/currency.ts';

describe('amount parsing', () => {
  it.each([
    ['1,234.56', 1234.56],
    ['1.234,56', 1234.56],
    ['1 234,56', 1234.56],
    ["1'234.56", 1234.56],
    ['1234.56', 1234.56],
    ['12,50', 12.5],
    ['0,99 €', 0.99],
    ['€1,234.56', 1234.56],
    ['EUR 1.234.567,89', 1234567.89],
    ['-12.50', -12.5],
    ['(12.50)', -12.5],
    ['1.234', 1234],
    ['1,234', 1234],
  ])('reads %s as %d', (s, v) => {
    expect(parseAmount(s)).toBe(v);
  });

  it('rejects malformed groupings', () => {
    expect(parseAmount('12.34.5')).toBeNull();
    expect(parseAmount('1.23,456.7')).toBeNull();
    expect(parseAmount('abc')).toBeNull();
  });

  it('finds amounts but skips percentages, dates, times and ids', () => {
    const found = findAmounts('MwSt 19% auf 1.000,00: 190,00 € am 26.11.2026 11:39 Rechnung RE-2026-0042');
    expect(found.map((a) => a.value)).toEqual([1000, 190]);
  });

  it('infers the decimal convention from the whole document', () => {
    expect(inferDecimalStyle('Summe 12,50\nMwSt 2,38\nGesamt 14,88')).toBe('comma');
    expect(inferDecimalStyle('Subtotal 12.50 Tax 2.38')).toBe('dot');
  });
});

describe('date parsing', () => {
  it.each([
    ['26.11.2026', '2026-11-26'],
    ['26/11/2026', '2026-11-26'],
    ['Nov 26, 2026', '2026-11-26'],
    ['November 26th, 2026', '2026-11-26'],
    ['2026-11-26', '2026-11-26'],
    ['26. November 2026', '2026-11-26'],
    ['3. März 2026', '2026-03-03'],
    ['3 Marz 2026', '2026-03-03'],
    ['26 novembre 2026', '2026-11-26'],
    ['15 août 2026', '2026-08-15'],
    ['26 de noviembre de 2026', '2026-11-26'],
    ['26 januari 2026', '2026-01-26'],
    ['26-11-26', '2026-11-26'],
    ['11/26/2026', '2026-11-26'],
  ])('reads %s', (s, iso) => {
    expect(parseDate(s)).toBe(iso);
  });

  it('uses the order hint only when day and month are ambiguous, and says so', () => {
    const dmy = findDates('05/06/2026', 'dmy')[0];
    const mdy = findDates('05/06/2026', 'mdy')[0];
    expect(dmy.iso).toBe('2026-06-05');
    expect(mdy.iso).toBe('2026-05-06');
    expect(dmy.unambiguous).toBe(false);
    expect(findDates('26/06/2026', 'mdy')[0]).toMatchObject({ iso: '2026-06-26', unambiguous: true });
  });

  it('rejects impossible dates and bare numbers', () => {
    expect(parseDate('31.02.2026')).toBeNull();
    expect(parseDate('INV-2026-0042')).toBeNull();
    expect(parseDate('Total 1.234,56')).toBeNull();
  });

  it('resolves abbreviated month names only when unique', () => {
    expect(monthFromWord('Sept')).toBe(9);
    expect(monthFromWord('juil')).toBe(7);
    expect(monthFromWord('jui')).toBeNull();
    expect(monthFromWord('Mrz')).toBe(3);
  });
});

describe('currency detection', () => {
  it('maps symbols and ISO codes, flagging ambiguous symbols', () => {
    expect(findCurrencies('Total €58.74').map((c) => c.code)).toEqual(['EUR']);
    expect(findCurrencies('1.234,56 EUR')[0]).toMatchObject({ code: 'EUR', ambiguous: false });
    expect(findCurrencies('£12.00')[0].code).toBe('GBP');
    expect(findCurrencies('CHF 12.50')[0].code).toBe('CHF');
    expect(findCurrencies('$12.00')[0]).toMatchObject({ code: 'USD', ambiguous: true });
    expect(findCurrencies('C$ 5.00')[0]).toMatchObject({ code: 'CAD', ambiguous: false });
    expect(findCurrencies('12,00 kr')[0]).toMatchObject({ code: 'SEK', ambiguous: true });
  });

  it('ignores three-letter words that are not currencies', () => {
    expect(findCurrencies('THE VAT AND TAX')).toEqual([]);
  });
});
