import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import { findDates } from '../../perception/semantic/date.ts';
import { page, type Row } from './support/words.ts';

const extract = (rows: Row[]) => extractInvoiceFields({ words: page(rows), pageHeights: [1400] });
const head = (dateLabel: string, date: string): Row[] => [
  [40, [[60, 'Kessler Tools GmbH', { h: 1.3 }]]],
  [120, [[560, 'Invoice No'], [800, '4711']]],
  [150, [[560, dateLabel], [800, date]]],
];
const foot: Row[] = [
  [500, [[560, 'Subtotal'], [800, '100,00']]],
  [530, [[560, 'VAT 19%'], [800, '19,00']]],
  [560, [[560, 'Total'], [800, '119,00 EUR']]],
];

describe('due dates from payment terms', () => {
  it.each([
    ['Payment terms: Net 30', '2026-03-03'],
    ['Terms: NET 14', '2026-02-15'],
    ['Payable within 14 days of the invoice date.', '2026-02-15'],
    ['Due within 30 days', '2026-03-03'],
    ['Zahlbar innerhalb von 14 Tagen ohne Abzug.', '2026-02-15'],
    ['Zahlungsbedingungen: 30 Tage netto', '2026-03-03'],
    ['Zahlbar innert 30 Tagen.', '2026-03-03'],
    ['14 Tage 2 % Skonto, 30 Tage netto', '2026-03-03'],
    ['Paiement à 30 jours.', '2026-03-03'],
    ['Conditions de paiement : à 45 jours fin de facture', '2026-03-18'],
    ['Forma de pago: transferencia a 30 días', '2026-03-03'],
    ['Te betalen binnen 14 dagen na factuurdatum.', '2026-02-15'],
  ])('"%s" → %s from the issue date', (terms, want) => {
    const r = extract([...head('Date', '01.02.2026'), [600, [[60, terms]]], ...foot]);
    expect(r.issueDate.value).toBe('2026-02-01');
    expect(r.dueDate.value).toBe(want);
    expect(r.dueDate.reasons.join(' ')).toMatch(/computed|payment terms/i);
  });

  it('prefers a printed due date to terms', () => {
    const r = extract([...head('Date', '01.02.2026'), [180, [[560, 'Due date'], [800, '20.02.2026']]], [600, [[60, 'Net 30']]], ...foot]);
    expect(r.dueDate.value).toBe('2026-02-20');
  });

  it.each([
    ['Scadenza', '15/03/2026'],
    ['Data di scadenza', '15/03/2026'],
    ['Förfallodatum', '2026-03-15'],
    ['Forfaldsdato', '15.03.2026'],
    ['Zahlungsfrist', '15.03.2026'],
    ['Échéance le', '15/03/2026'],
    ['Please pay by', '15/03/2026'],
    ['Payment date', '15/03/2026'],
    ['Vencimento', '15/03/2026'],
    ['Termin płatności', '15.03.2026'],
  ])('reads the due-date label "%s"', (label, date) => {
    const r = extract([...head('Date', '01.02.2026'), [180, [[560, label], [800, date]]], ...foot]);
    expect(r.dueDate.value).toBe('2026-03-15');
  });
});

describe('tax labels', () => {
  it.each(['Summe ohne MwSt.', 'Total exkl. MwSt.', 'Netto (ohne USt)', 'Total sans TVA', 'Amount excluding VAT', 'Total before VAT', 'Total net HT'])(
    'reads "%s" as the subtotal, not the tax',
    (label) => {
      const r = extract([
        ...head('Date', '01.02.2026'),
        [500, [[560, label], [800, '100,00']]],
        [530, [[560, 'MwSt. 19 %'], [800, '19,00']]],
        [560, [[560, 'Gesamt inkl. MwSt.'], [800, '119,00 EUR']]],
      ]);
      expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([100, 19, 119]);
    },
  );

  it('takes the tax, not the base, from a rate line that prints both', () => {
    const r = extract([
      ...head('Date', '01.02.2026'),
      [500, [[560, 'Net'], [800, '100.00']]],
      [530, [[560, 'VAT 20%'], [680, '100.00'], [800, '20.00']]],
      [560, [[560, 'Total'], [800, '120.00 GBP']]],
    ]);
    expect(r.tax.value).toBe(20);
    const de = extract([
      ...head('Datum', '01.02.2026'),
      [500, [[560, 'Nettobetrag'], [800, '1.000,00']]],
      [530, [[560, '19 % MwSt. auf 1.000,00'], [800, '190,00']]],
      [560, [[560, 'Gesamtbetrag'], [800, '1.190,00 EUR']]],
    ]);
    expect(de.tax.value).toBe(190);
  });

  it('sums several tax rates', () => {
    const r = extract([
      ...head('Datum', '01.02.2026'),
      [500, [[560, 'Nettobetrag'], [800, '150,00']]],
      [530, [[560, 'MwSt. 7 %'], [800, '3,50']]],
      [560, [[560, 'MwSt. 19 %'], [800, '19,00']]],
      [590, [[560, 'Gesamtbetrag'], [800, '172,50 EUR']]],
    ]);
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([150, 22.5, 172.5]);
    expect(r.checks.find((c) => c.name === 'subtotal_plus_tax')?.passed).toBe(true);
  });
});

describe('document numbers', () => {
  it.each([
    ['Invoice No:', 'INV-2024/0042', 'INV-2024/0042'],
    ['Rechnung Nr.', 'RE 2024-118', 'RE 2024-118'],
    ['Invoice #', 'INV 0042', 'INV 0042'],
    ['N° de facture', 'FA-2024-07', 'FA-2024-07'],
  ])('keeps the printed prefix: %s %s', (label, value, want) => {
    const r = extract([[40, [[60, 'Kessler Tools GmbH']]], [120, [[560, label], [800, value]]], ...foot]);
    expect(r.number.value).toBe(want);
  });

  it('joins a number split into touching pieces by a PDF text layer', () => {
    const words = page([[40, [[60, 'Kessler Tools GmbH']]], [120, [[560, 'Invoice No:']]], ...foot]);
    words.push({ text: 'INV-', confidence: 0.95, box: { page: 0, x: 800, y: 120, w: 40, h: 20 } });
    words.push({ text: '2024/0042', confidence: 0.95, box: { page: 0, x: 841, y: 120, w: 90, h: 20 } });
    expect(extractInvoiceFields({ words, pageHeights: [1400] }).number.value).toBe('INV-2024/0042');
  });

  it('reads a value two lines under its column header', () => {
    const r = extract([
      [40, [[60, 'Kessler Tools GmbH']]],
      [100, [[60, 'Invoice Number'], [400, 'Invoice Date']]],
      [125, [[700, 'Page 1 of 1']]],
      [150, [[60, 'A-77812'], [400, '05.03.2026']]],
      ...foot,
    ]);
    expect([r.number.value, r.issueDate.value]).toEqual(['A-77812', '2026-03-05']);
  });

  it.each([
    ['Order #', '55123'],
    ['Order ID:', '55123'],
    ['Bestellnr.', '55123'],
    ['Commande n°', '55123'],
    ['PO #', '55123'],
    ['Your ref.', '55123'],
  ])('does not take an order number ("%s") as the invoice number', (label, value) => {
    const r = extract([
      [40, [[60, 'Kessler Tools GmbH']]],
      [100, [[560, label], [800, value]]],
      [130, [[560, 'Invoice No'], [800, '9001']]],
      ...foot,
    ]);
    expect(r.number.value).toBe('9001');
  });
});

describe('dates as printed', () => {
  it.each([
    ['March 5 , 2026', '2026-03-05'],
    ['Mar 5 ,2026', '2026-03-05'],
    ['5 March , 2026', '2026-03-05'],
    ['05-Mar-2026', '2026-03-05'],
    ['5-Mar-26', '2026-03-05'],
    ['5 Mär. 2026', '2026-03-05'],
  ])('reads "%s"', (s, iso) => {
    expect(findDates(s)[0]?.iso).toBe(iso);
  });
});
