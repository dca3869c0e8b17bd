import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import { page, type Row } from './support/words.ts';

/** The vendor is the issuer (letterhead, sender block, legal form, tax ids, IBAN owner), never the bill-to party. */
const vendorOf = (rows: Row[]) => extractInvoiceFields({ words: page(rows), pageHeights: [1400] }).vendor.value;
const totals: Row[] = [
  [700, [[560, 'Subtotal'], [800, '100.00']]],
  [730, [[560, 'VAT 20%'], [800, '20.00']]],
  [760, [[560, 'Total'], [800, '120.00 EUR']]],
];

describe('vendor is the issuer, not the customer', () => {
  it.each([
    ['letter-spaced "B I L L  T O"', 'B I L L  T O'],
    ['letter-spaced "S H I P  T O"', 'S H I P  T O'],
    ['"Billed to" in capitals', 'BILLED TO:'],
    ['German "Rechnungsempfänger"', 'Rechnungsempfänger'],
    ['French "Facturé à"', 'Facturé à'],
  ])('skips the customer block under %s', (_n, label) => {
    const spaced = label.includes('  ');
    const v = vendorOf([
      [40, [[600, 'Hooli Design Studio', { h: 1.2 }]]],
      [70, [[600, 'VAT No: GB123456789']]],
      [160, [[60, spaced ? label : label, spaced ? { spaced: true } : {}]]],
      [190, [[60, 'Globex Corporation Ltd']]],
      [215, [[60, '42 Main Street']]],
      [300, [[560, 'Invoice No'], [800, '1001']]],
      ...totals,
    ]);
    expect(v).toBe('Hooli Design Studio');
  });

  it('skips an unlabelled customer block and finds the issuer from its tax id and footer', () => {
    const v = vendorOf([
      [40, [[60, 'HOOLI', { h: 2.5 }]]],
      [160, [[60, 'Globex Corporation Ltd']]],
      [185, [[60, '42 Main Street']]],
      [210, [[60, 'London SW1A 1AA']]],
      [300, [[560, 'Invoice No'], [800, '1001']]],
      ...totals,
      [1300, [[60, 'Hooli Design GmbH · USt-IdNr. DE123456789 · IBAN DE89 3704 0044 0532 0130 00']]],
    ]);
    expect(v).toBe('Hooli Design GmbH');
  });

  it('prefers the legal name over a logo wordmark', () => {
    expect(vendorOf([
      [40, [[60, 'ACME', { h: 3 }]]],
      [110, [[60, 'Acme Widgets Ltd']]],
      [135, [[60, '1 Industrial Way, Leeds']]],
      [300, [[560, 'Invoice No'], [800, '1001']]],
      ...totals,
    ])).toBe('Acme Widgets Ltd');
    expect(vendorOf([
      [40, [[600, 'nordlicht', { h: 2.4 }]]],
      [100, [[600, 'Nordlicht Consulting GmbH']]],
      [125, [[600, 'Hauptstraße 12, 10115 Berlin']]],
      [300, [[560, 'Rechnungsnummer'], [800, '1001']]],
      ...totals,
    ])).toBe('Nordlicht Consulting GmbH');
  });

  it('does not read a unit in a table row ("1 kg") as a legal form', () => {
    const r = extractInvoiceFields({
      words: page([
        [20, [[60, 'Corner Market', { h: 1.4 }]]],
        [60, [[60, 'Receipt 4471']]],
        [100, [[20, 'Flour 1 kg'], [300, '2.49']]],
        [130, [[20, 'Sugar 2 KG'], [300, '3.10']]],
        [160, [[20, 'Oil 1 L'], [300, '4.20']]],
        [200, [[20, 'TOTAL'], [300, '9.79']]],
      ]),
      pageHeights: [500],
    });
    expect(r.vendor.value).toBe('Corner Market');
  });

  it('does not take "from" inside prose as a vendor label', () => {
    expect(vendorOf([
      [40, [[60, 'Blue Harbor Print Inc.', { h: 1.3 }]]],
      [120, [[60, 'Thank you for your order from Globex Corporation last week.']]],
      [300, [[560, 'Invoice No'], [800, '1001']]],
      ...totals,
    ])).toBe('Blue Harbor Print Inc.');
  });

  it('still honours an explicit "From:" sender label and an IBAN owner', () => {
    expect(vendorOf([
      [40, [[60, 'INVOICE', { h: 2 }]]],
      [120, [[60, 'From:'], [200, 'Kessler Tools GmbH']]],
      [120, [[600, 'Bill to:'], [720, 'Globex Ltd']]],
      ...totals,
    ])).toBe('Kessler Tools GmbH');
    expect(vendorOf([
      [40, [[60, 'RECHNUNG', { h: 2 }]]],
      [160, [[60, 'Globex Ltd']]],
      [185, [[60, 'Ringstraße 4, 80331 München']]],
      ...totals,
      [1250, [[60, 'Kontoinhaber: Müller & Söhne OHG']]],
      [1280, [[60, 'IBAN DE89 3704 0044 0532 0130 00']]],
    ])).toBe('Müller & Söhne OHG');
  });

  it.each([
    ['a Malaysian till slip', ['SYARIKAT PERNIAGAAN GIN KEE', '(81109-A)', 'NO 290, JALAN AIR PANAS', 'SETAPAK, 53200 KUALA LUMPUR', 'GST ID: 000750673920'], 'SYARIKAT PERNIAGAAN GIN KEE'],
    ['a name under a lot-number line', ['Lot 38, Jalan Besar', 'TASTE OF THE WORLD SDN BHD', 'GST REG NO: 001234567'], 'TASTE OF THE WORLD SDN BHD'],
    ['a "S/B" legal form', ['99 SPEED MART S/B', 'LOT P.T. 2811, JALAN ANGSA', 'TAMAN BERKELEY'], '99 SPEED MART S/B'],
    ['a cashier line above the name', ['Cashier: AMY', 'PINGHWAI TRADING SDN BHD', 'Tel 03-1234 5678'], 'PINGHWAI TRADING SDN BHD'],
  ])('finds the business on %s, not an address or till word', (_n, top, want) => {
    const rows: Row[] = top.map((t, i): Row => [20 + 28 * i, [[40, t]]]);
    rows.push([220, [[20, 'ITEM'], [300, 'RM']]], [250, [[20, 'TOTAL'], [300, '60.95']]]);
    expect(extractInvoiceFields({ words: page(rows), pageHeights: [900] }).vendor.value).toBe(want);
  });

  it('does not take garbled OCR debris for the name', () => {
    const words = page([
      [20, [[40, '7 ig olO Hi', { conf: 0.3 }]]],
      [48, [[40, 'SUN VICTORY SDN BHD', { conf: 0.85 }]]],
      [76, [[40, 'NO 12, JALAN SS4C/5']]],
      [250, [[20, 'TOTAL'], [300, '4.00']]],
    ]);
    expect(extractInvoiceFields({ words, pageHeights: [900] }).vendor.value).toBe('SUN VICTORY SDN BHD');
  });
});
