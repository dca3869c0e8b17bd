import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import { page, type Row } from './support/words.ts';

/** A false "inconsistent" flag is worse than none: only real contradictions fail a check. */
const extract = (rows: Row[]) => extractInvoiceFields({ words: page(rows), pageHeights: [1400] });
const failed = (r: ReturnType<typeof extract>) => r.checks.filter((c) => c.passed === false).map((c) => c.name);

describe('consistency checks do not raise false alarms', () => {
  it('treats a missing date or currency as unknown, not inconsistent', () => {
    const r = extract([
      [40, [[60, 'Vega Studio Ltd']]],
      [100, [[560, 'Invoice No'], [800, '77']]],
      [500, [[560, 'Subtotal'], [800, '10.00']]],
      [530, [[560, 'VAT'], [800, '2.00']]],
      [560, [[560, 'Total'], [800, '12.00']]],
    ]);
    expect(r.issueDate.value).toBeNull();
    expect(r.currency.value).toBeNull();
    expect(failed(r)).toEqual([]);
    expect(r.checks.find((c) => c.name === 'dates_parse')?.passed).toBeNull();
    expect(r.checks.find((c) => c.name === 'currency_known')?.passed).toBeNull();
  });

  it('blames a misread item row, not the document, when the items do not add up', () => {
    const r = extract([
      [40, [[60, 'Kessler Tools GmbH']]],
      [100, [[560, 'Rechnungsnummer'], [800, '4711']]],
      [130, [[560, 'Datum'], [800, '01.02.2026']]],
      [200, [[60, 'Beschreibung'], [500, 'Menge'], [620, 'Preis'], [820, 'Betrag']]],
      [230, [[60, 'Schrauben'], [500, '2'], [620, '30,00'], [820, '60,00']]],
      [260, [[60, 'Dübel'], [500, '1'], [620, '40,00'], [820, '46,00', { conf: 0.55 }]]],
      [400, [[560, 'Nettobetrag'], [800, '100,00']]],
      [430, [[560, 'MwSt 19%'], [800, '19,00']]],
      [460, [[560, 'Gesamtbetrag'], [800, '119,00 EUR']]],
    ]);
    expect(failed(r)).toEqual([]);
    expect(r.subtotal.confidence).toBeGreaterThan(0.9);
    expect(r.total.confidence).toBeGreaterThan(0.9);
    const bad = r.lineItems.find((i) => i.description === 'Dübel')!;
    const good = r.lineItems.find((i) => i.description === 'Schrauben')!;
    expect(bad.confidence).toBeLessThan(good.confidence);
    expect(bad.confidence).toBeLessThan(0.6);
  });

  it('lowers only the misread amount when subtotal + tax ≠ total and one of them was hard to read', () => {
    const r = extract([
      [40, [[60, 'Kessler Tools GmbH']]],
      [100, [[560, 'Rechnungsnummer'], [800, '4711']]],
      [130, [[560, 'Datum'], [800, '01.02.2026']]],
      [400, [[560, 'Nettobetrag'], [800, '100,00']]],
      [430, [[560, 'MwSt 19%'], [800, '79,00', { conf: 0.5 }]]],
      [460, [[560, 'Gesamtbetrag'], [800, '119,00 EUR']]],
    ]);
    expect(failed(r)).toEqual([]);
    expect(r.tax.confidence).toBeLessThan(0.6);
    expect(r.total.confidence).toBeGreaterThan(0.8);
    expect(r.subtotal.confidence).toBeGreaterThan(0.8);
  });
});
