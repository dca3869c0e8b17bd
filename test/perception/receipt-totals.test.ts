import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import { page, type Row } from './support/words.ts';

/**
 * Receipts name their total in their own vocabulary and print the payment under it (cash tendered, change,
 * card); amounts may have no decimals (yen) or Swiss apostrophes. Each case is a narrow till receipt.
 */
const receipt = (rows: Row[]) => extractInvoiceFields({ words: page(rows), pageHeights: [900] });

describe('receipt totals from receipt vocabulary', () => {
  it.each([
    ['TOTAL / CASH / CHANGE', [['TOTAL', '19.98'], ['CASH', '50.00'], ['CHANGE', '30.02']], 19.98],
    ['AMOUNT DUE / TENDERED', [['AMOUNT DUE', '$7.45'], ['CASH TENDERED', '$20.00'], ['CHANGE DUE', '$12.55']], 7.45],
    ['SUMME / BAR / RÜCKGELD', [['SUMME EUR', '12,40'], ['BAR', '20,00'], ['Rückgeld', '7,60']], 12.4],
    ['TOTAL TTC / ESPECES / RENDU', [['TOTAL TTC', '8,70'], ['ESPECES', '10,00'], ['RENDU', '1,30']], 8.7],
    ['TOTAL / EFECTIVO / CAMBIO', [['TOTAL', '23,15'], ['EFECTIVO', '50,00'], ['CAMBIO', '26,85']], 23.15],
    ['rounding line before the payable total', [['Total', '12.32'], ['Rounding', '-0.02'], ['Total rounded', '12.30'], ['Cash', '20.00']], 12.3],
    ['RM lines', [['TOTAL RM', '25.90'], ['CASH RM', '50.00'], ['CHANGE RM', '24.10']], 25.9],
    ['£ with card', [['BALANCE DUE', '£4.50'], ['VISA DEBIT', '£4.50']], 4.5],
    ['OCR slip "TOTAI"', [['TOTAI', '9.40'], ['CASH', '10.00'], ['CHANGE', '0.60']], 9.4],
    ['OCR slip "TUTAL RM"', [['TUTAL RM', '22.25'], ['CASH', '50.00']], 22.25],
    ['rounded total after a rounding adjustment', [['Total Incl. GST', '8.11'], ['Rounding Adj', '-0.01'], ['Total', '8.10'], ['Cash', '10.00']], 8.1],
    ['a zero "total" line is not the total', [['Total Discount', '0.00'], ['Total', '0.00'], ['TOTAL AMOUNT', '12.00']], 12],
    ['"Total GST" is the tax, not the total', [['Total Sales', '57.50'], ['Total GST', '3.45'], ['TOTAL', '60.95'], ['CASH', '100.00']], 60.95],
    ['"Summe MwSt" is the tax, not the total', [['Summe MwSt', '1,99'], ['SUMME EUR', '12,40'], ['BAR', '20,00']], 12.4],
  ])('%s', (_name, pairs, want) => {
    const rows: Row[] = [
      [20, [[60, 'CORNER MARKET']]],
      [50, [[60, '12 High Street']]],
      [90, [[20, 'Milk'], [300, '1.00']]],
      ...pairs.map(([label, value], i): Row => [140 + 30 * i, [[20, label], [300, value]]]),
    ];
    expect(receipt(rows).total.value).toBe(want);
  });

  it('never takes a cash-tendered or change line as the total when no total label was read', () => {
    const r = receipt([
      [20, [[60, 'CORNER MARKET']]],
      [90, [[20, 'Bread'], [300, '$2.49']]],
      [120, [[20, 'Eggs'], [300, '$3.99']]],
      [160, [[20, 'T0TAL'], [300, '$6.48']]],
      [190, [[20, 'CASH'], [300, '$20.00']]],
      [220, [[20, 'CHANGE'], [300, '$13.52']]],
    ]);
    expect(r.total.value).toBe(6.48);
  });

  it('reads yen totals without decimals and the currency from the yen sign or code', () => {
    const a = receipt([
      [20, [[60, 'FamilyMart Shibuya']]],
      [90, [[20, 'Onigiri'], [300, '¥150']]],
      [120, [[20, 'Green tea'], [300, '¥130']]],
      [160, [[20, 'TOTAL'], [300, '¥280']]],
      [190, [[20, 'CASH'], [300, '¥1,000']]],
      [220, [[20, 'CHANGE'], [300, '¥720']]],
    ]);
    expect([a.total.value, a.currency.value]).toEqual([280, 'JPY']);
    const b = receipt([
      [20, [[60, 'Lawson Ginza']]],
      [60, [[20, 'Currency: JPY']]],
      [90, [[20, 'Coffee'], [300, '1,200']]],
      [160, [[20, 'TOTAL'], [300, '1,650']]],
    ]);
    expect([b.total.value, b.currency.value]).toEqual([1650, 'JPY']);
  });

  it('does not take whole numbers as money when OCR lost the decimal points of a decimal currency', () => {
    const r = receipt([
      [20, [[60, 'TIMES BOOKSTORES']]],
      [90, [[20, 'BOOK'], [300, '12 37']]],
      [160, [[20, 'TOTAL RM'], [300, '1237']]],
    ]);
    expect(r.total.value).not.toBe(1237);
  });

  it('reads Swiss apostrophe thousands and ".–" whole francs', () => {
    const r = receipt([
      [20, [[60, 'Velo Bern AG']]],
      [90, [[20, 'Service'], [300, "1'200.00"]]],
      [160, [[20, 'Total CHF'], [300, "1’234.50"]]],
    ]);
    expect([r.total.value, r.currency.value]).toEqual([1234.5, 'CHF']);
    const s = receipt([
      [20, [[60, 'Café Zürich GmbH']]],
      [160, [[20, 'Total CHF'], [300, '12.–']]],
    ]);
    expect(s.total.value).toBe(12);
  });

  it('reads rupee and ringgit marks as currencies', () => {
    const inr = receipt([[20, [[60, 'Flipmart Retail Pvt Ltd']]], [160, [[20, 'Grand Total'], [300, 'Rs. 319.00']]]]);
    expect([inr.total.value, inr.currency.value]).toEqual([319, 'INR']);
    const myr = receipt([[20, [[60, 'KEDAI MAJU']]], [160, [[20, 'TOTAL'], [300, 'RM 12.00']]]]);
    expect([myr.total.value, myr.currency.value]).toEqual([12, 'MYR']);
  });

  it('takes the amount under the items that equals their sum when OCR lost the total label', () => {
    const r = receipt([
      [20, [[60, 'PASAR MINI JIN SENG']]],
      [90, [[20, 'SEAFOOD'], [300, '23.40']]],
      [120, [[20, 'VEGETABLES'], [300, '1.80']]],
      [150, [[20, 'NOODLES'], [300, '3.20']]],
      [200, [[20, 'T~~L ;'], [300, '28.40']]],
      [230, [[20, 'CASH'], [300, '50.00']]],
    ]);
    expect(r.total.value).toBe(28.4);
    expect(r.total.reasons.join(' ')).toMatch(/equals their sum/);
  });

  it('does not take the net amount for the total when OCR lost the tax and total labels', () => {
    const r = receipt([
      [20, [[60, 'Bergmann Logistics S.L.']]],
      [90, [[20, 'Descripción Cant. Precio'], [300, 'Importe']]],
      [120, [[20, 'Formación 1 264.02'], [300, '264.02']]],
      [150, [[20, 'Alojamiento web 16 158.46'], [300, '2535.36']]],
      [200, [[20, 'Base imponible'], [300, '2799.38 EUR']]],
      [230, [[300, '587.87 EUR']]],
      [260, [[300, '3387.25 EUR']]],
    ]);
    expect(r.total.value).toBe(3387.25);
  });

  it('takes the items sum under a SUBTOTAL as the total when nothing larger follows (tax included)', () => {
    const r = receipt([
      [20, [[60, 'PASAR MINI JIN SENG']]],
      [90, [[20, 'SEAFOOD'], [300, '23.40']]],
      [120, [[20, 'VEGETABLES'], [300, '21.50']]],
      [160, [[20, 'SUBTOTAL:'], [300, '44.90']]],
      [200, [[20, 'CASH'], [300, '100.00']]],
      [230, [[20, 'CASH CHANGE'], [300, '55.10']]],
    ]);
    expect(r.total.value).toBe(44.9);
  });
});
