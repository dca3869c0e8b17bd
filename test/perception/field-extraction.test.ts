import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import type { Word } from '../../perception/result.schema.ts';

/**
 * OCR-free inputs: each row is a line at `y`; each cell is a segment starting at `x`. Words get boxes from a
 * fixed-pitch font (10 px per character, 20 px high), the way an OCR engine or PDF text layer reports them.
 */
type Row = [y: number, cells: [x: number, text: string][]];
function page(rows: Row[], pageIndex = 0, conf = 0.95): Word[] {
  const words: Word[] = [];
  for (const [y, cells] of rows) {
    for (const [x0, text] of cells) {
      let x = x0;
      for (const w of text.split(' ')) {
        if (w) words.push({ text: w, confidence: conf, box: { page: pageIndex, x, y, w: w.length * 10, h: 20 } });
        x += (w.length + 1) * 10;
      }
    }
  }
  return words;
}

describe('invoice field extraction from words and boxes', () => {
  it('reads a German invoice with labels left of values and comma decimals', () => {
    const words = page([
      [40, [[60, 'Nordlicht Consulting GmbH']]],
      [70, [[60, 'Hauptstraße 12, 10115 Berlin']]],
      [140, [[60, 'RECHNUNG']]],
      [180, [[560, 'Rechnungsnummer:'], [800, 'RE-2026-0042']]],
      [210, [[560, 'Rechnungsdatum:'], [800, '26.11.2026']]],
      [240, [[560, 'Zahlbar bis:'], [800, '10.12.2026']]],
      [320, [[60, 'Bezeichnung'], [500, 'Menge'], [620, 'Einzelpreis'], [820, 'Betrag']]],
      [350, [[60, 'Beratungsstunden'], [500, '10'], [620, '95,00'], [820, '950,00']]],
      [380, [[60, 'Webhosting'], [500, '1'], [620, '284,56'], [820, '284,56']]],
      [440, [[560, 'Zwischensumme'], [800, '1.234,56 €']]],
      [470, [[560, 'MwSt 19%'], [800, '234,57 €']]],
      [500, [[560, 'Gesamtbetrag'], [800, '1.469,13 €']]],
    ]);
    const r = extractInvoiceFields({ words, pageHeights: [1400] });
    expect(r.vendor.value).toBe('Nordlicht Consulting GmbH');
    expect(r.number.value).toBe('RE-2026-0042');
    expect(r.issueDate.value).toBe('2026-11-26');
    expect(r.dueDate.value).toBe('2026-12-10');
    expect(r.currency.value).toBe('EUR');
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([1234.56, 234.57, 1469.13]);
    expect(r.lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Beratungsstunden', 10, 95, 950],
      ['Webhosting', 1, 284.56, 284.56],
    ]);
    expect(r.checks.every((c) => c.passed)).toBe(true);
    expect(r.total.confidence).toBeGreaterThan(0.9);
    expect(r.total.source?.text).toBe('1.469,13');
    expect(r.total.source?.box).toMatchObject({ page: 0, y: 500 });
    expect(r.language).toBe('de');
  });

  it('reads a French invoice whose values sit below their labels, with spaces as thousands separators', () => {
    const words = page([
      [40, [[60, 'Atelier Lumière SARL']]],
      [120, [[60, 'FACTURE']]],
      [170, [[60, 'N° DE FACTURE'], [360, 'DATE'], [600, "DATE D'ÉCHÉANCE"]]],
      [200, [[60, 'F2026-118'], [360, '26/11/2026'], [600, '26/12/2026']]],
      [300, [[60, 'Désignation'], [500, 'Qté'], [620, 'Prix unitaire'], [840, 'Montant']]],
      [330, [[60, 'Création de logo'], [500, '1'], [620, '1 200,00'], [840, '1 200,00']]],
      [400, [[560, 'Total HT'], [840, '1 200,00 €']]],
      [430, [[560, 'TVA 20%'], [840, '240,00 €']]],
      [460, [[560, 'Total TTC'], [840, '1 440,00 €']]],
    ]);
    const r = extractInvoiceFields({ words, pageHeights: [1400] });
    expect(r.number.value).toBe('F2026-118');
    expect(r.issueDate.value).toBe('2026-11-26');
    expect(r.dueDate.value).toBe('2026-12-26');
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([1200, 240, 1440]);
    expect(r.vendor.value).toBe('Atelier Lumière SARL');
    expect(r.language).toBe('fr');
  });

  it('reads inline "Label: value" Spanish lines and prefers "Total" over the "Total" column header', () => {
    const words = page([
      [40, [[60, 'Soluciones Iberia S.L.']]],
      [100, [[60, 'Factura nº: A-5531']]],
      [130, [[60, 'Fecha: 3 de marzo de 2026']]],
      [200, [[60, 'Concepto'], [500, 'Cantidad'], [820, 'Total']]],
      [230, [[60, 'Mantenimiento'], [500, '2'], [820, '150,00']]],
      [300, [[560, 'Base imponible: 150,00 EUR']]],
      [330, [[560, 'IVA 21%: 31,50 EUR']]],
      [360, [[560, 'Total: 181,50 EUR']]],
    ]);
    const r = extractInvoiceFields({ words, pageHeights: [1400] });
    expect(r.number.value).toBe('A-5531');
    expect(r.issueDate.value).toBe('2026-03-03');
    expect(r.total.value).toBe(181.5);
    expect(r.subtotal.value).toBe(150);
    expect(r.tax.value).toBe(31.5);
    expect(r.currency.value).toBe('EUR');
  });

  it('reads a Dutch invoice and a US-dated English one', () => {
    const nl = extractInvoiceFields({
      words: page([
        [40, [[60, 'De Molen B.V.']]],
        [100, [[60, 'Factuurnummer'], [300, '2026-0113']]],
        [130, [[60, 'Factuurdatum'], [300, '26-11-2026']]],
        [300, [[560, 'Subtotaal'], [800, '€ 100,00']]],
        [330, [[560, 'BTW 21%'], [800, '€ 21,00']]],
        [360, [[560, 'Te betalen'], [800, '€ 121,00']]],
      ]),
      pageHeights: [1400],
    });
    expect([nl.number.value, nl.issueDate.value, nl.total.value, nl.currency.value]).toEqual(['2026-0113', '2026-11-26', 121, 'EUR']);
    const us = extractInvoiceFields({
      words: page([
        [40, [[60, 'Blue Harbor Print Inc.']]],
        [100, [[60, 'Invoice #'], [300, '10045']]],
        [130, [[60, 'Date'], [300, '11/05/2026']]],
        [300, [[560, 'Subtotal'], [800, '$1,000.00']]],
        [330, [[560, 'Sales tax'], [800, '$80.00']]],
        [360, [[560, 'Amount due'], [800, '$1,080.00']]],
      ]),
      pageHeights: [1400],
    });
    expect(us.issueDate.value).toBe('2026-11-05');
    expect(us.issueDate.reasons.join(' ')).toMatch(/swapped/);
    expect(us.total.value).toBe(1080);
    expect(us.currency.value).toBe('USD');
    expect(us.currency.reasons.join(' ')).toMatch(/shared by several currencies/);
  });

  it('lowers confidence and explains when subtotal + tax does not equal the total', () => {
    const rows = (total: string): Row[] => [
      [40, [[60, 'Kessler Tools GmbH']]],
      [100, [[60, 'Rechnungsnummer'], [400, '4711']]],
      [130, [[60, 'Datum'], [400, '01.02.2026']]],
      [300, [[560, 'Nettobetrag'], [800, '100,00 EUR']]],
      [330, [[560, 'MwSt 19%'], [800, '19,00 EUR']]],
      [360, [[560, 'Gesamtbetrag'], [800, `${total} EUR`]]],
    ];
    const good = extractInvoiceFields({ words: page(rows('119,00')), pageHeights: [1400] });
    const bad = extractInvoiceFields({ words: page(rows('191,00')), pageHeights: [1400] });
    expect(good.checks.find((c) => c.name === 'subtotal_plus_tax')?.passed).toBe(true);
    expect(bad.checks.find((c) => c.name === 'subtotal_plus_tax')?.passed).toBe(false);
    expect(bad.total.value).toBe(191);
    expect(bad.total.confidence).toBeLessThan(good.total.confidence - 0.2);
    expect(bad.total.reasons.join(' ')).toMatch(/does not equal the total/);
  });

  it('does not take the value of the next label on the same line', () => {
    const r = extractInvoiceFields({
      words: page([
        [40, [[60, 'Linden Media AG']]],
        [100, [[60, 'Rechnungsdatum:'], [400, 'Fällig am:'], [600, '10.12.2026']]],
        [300, [[560, 'Gesamtbetrag'], [800, '50,00 EUR']]],
      ]),
      pageHeights: [1400],
    });
    expect(r.dueDate.value).toBe('2026-12-10');
    expect(r.issueDate.source?.text).not.toBe('10.12.2026');
  });

  it('never invents a field absent from the text', () => {
    const r = extractInvoiceFields({
      words: page([
        [40, [[60, 'Vega Studio Ltd']]],
        [100, [[60, 'Subtotal'], [400, '10.00']]],
        [130, [[60, 'VAT'], [400, '2.00']]],
      ]),
      pageHeights: [1400],
    });
    expect(r.total.value).toBeNull();
    expect(r.currency.value).toBeNull();
    expect(r.number.value).toBeNull();
    // Unknown, not inconsistent: a missing currency is listed in lowConfidence, not flagged as a failed check.
    expect(r.checks.find((c) => c.name === 'currency_known')?.passed).toBeNull();
  });

  it('ignores a leading position number in item rows and reads a "zzgl. MwSt" line', () => {
    const r = extractInvoiceFields({
      words: page([
        [40, [[300, 'Bäckerei Sonnenschein e.K.']]],
        [160, [[60, 'Rechnung Nr. 2026/1187'], [800, 'Köln, den 26. November 2026']]],
        [240, [[60, 'Pos.'], [140, 'Artikel'], [620, 'Anzahl'], [760, 'Preis'], [900, 'Summe']]],
        [280, [[60, '1'], [140, 'Hochzeitstorte 3-stöckig'], [620, '1'], [760, '389,00'], [900, '389,00']]],
        [320, [[60, '2'], [140, 'Petit Fours (Stück)'], [620, '120'], [760, '1,85'], [900, '222,00']]],
        [400, [[600, 'Nettobetrag:'], [900, '611,00 €']]],
        [440, [[600, 'zzgl. 7 % MwSt.:'], [900, '42,77 €']]],
        [480, [[600, 'Gesamtbetrag:'], [900, '653,77 €']]],
      ]),
      pageHeights: [1400],
    });
    expect(r.number.value).toBe('2026/1187');
    expect(r.issueDate.value).toBe('2026-11-26');
    expect(r.lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Hochzeitstorte 3-stöckig', 1, 389, 389],
      ['Petit Fours (Stück)', 120, 1.85, 222],
    ]);
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([611, 42.77, 653.77]);
    expect(r.checks.map((c) => c.passed)).toEqual([true, true, true, true]);
  });

  it('reads receipt rows with "N x price" quantity lines under their description', () => {
    const r = extractInvoiceFields({
      words: page([
        [40, [[120, 'Bäckerei Kessler KG']]],
        [120, [[20, '26.11.2026 08:15'], [300, 'Bon-Nr. 8812']]],
        [170, [[20, 'Brötchen']]],
        [200, [[20, '6 x 0,45'], [380, '2,70']]],
        [230, [[20, 'Kaffee'], [380, '3,20']]],
        [290, [[20, 'SUMME'], [340, '5,90 EUR']]],
      ]),
      pageHeights: [600],
    });
    expect(r.number.value).toBe('8812');
    expect(r.issueDate.value).toBe('2026-11-26');
    expect(r.total.value).toBe(5.9);
    expect(r.lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Brötchen', 6, 0.45, 2.7],
      ['Kaffee', null, null, 3.2],
    ]);
    expect(r.checks.find((c) => c.name === 'line_items_sum')?.passed).toBe(true);
  });
});
