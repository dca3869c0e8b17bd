import { describe, expect, it } from 'vitest';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import { page, type Row } from './support/words.ts';

/** Totals blocks as real invoices and GST receipts print them: VAT breakdowns, item-row rates, prepayments. */
const extract = (rows: Row[], h = 1400) => extractInvoiceFields({ words: page(rows), pageHeights: [h] });

describe('totals from real-world layouts', () => {
  it("does not take a VAT breakdown's Total row for the document total", () => {
    const r = extract([
      [20, [[60, 'KHE ELECTRICAL TRADING']]],
      [300, [[20, 'Total Sales (Excluding GST) :'], [420, '96.00']]],
      [330, [[20, 'Total GST :'], [420, '5.76']]],
      [360, [[20, 'Rounding :'], [420, '-0.01']]],
      [390, [[20, 'Total Sales (Inclusive of GST) :'], [420, '101.75']]],
      [420, [[20, 'CASH :'], [420, '104.75']]],
      [480, [[20, 'Tax Code'], [160, '%'], [220, 'Amt (RM)'], [360, 'Tax(RM)']]],
      [510, [[20, 'SR'], [160, '6'], [220, '96.00'], [360, '5.76']]],
      [540, [[20, 'Total :'], [220, '96.00'], [360, '5.76']]],
    ], 900);
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([96, 5.76, 101.75]);
    expect(r.checks.filter((c) => c.passed === false)).toEqual([]);
  });

  it('ignores the rate printed in item rows and reads the VAT breakdown and totals block', () => {
    const r = extract([
      [20, [[60, 'Lieferant GmbH']]],
      [80, [[60, 'Handelsrechnung (380) Nr. 471102 vom 05.06.2018']]],
      [200, [[60, 'Pos Beschreibung'], [400, 'Nettopreis'], [540, 'Menge'], [640, 'Steuer'], [800, 'Entgelt']]],
      [230, [[60, '1 Kunstrasen'], [400, '3,33'], [540, '3 m²'], [640, '19 % VAT (S)'], [800, '10,00']]],
      [260, [[60, '2 Schweinesteak'], [400, '5,50'], [540, '5 kg'], [640, '7 % VAT (S)'], [800, '27,50']]],
      [290, [[60, 'Bruttopreis : 5,50']]],
      [400, [[60, 'Art (Kategorie) Steuerbasisbetrag'], [500, 'USt. %'], [700, 'USt.-Betrag']]],
      [430, [[60, 'VAT (S)'], [300, '275,00'], [500, '7'], [700, '19,25']]],
      [460, [[60, 'VAT (S)'], [300, '198,00'], [500, '19'], [700, '37,62']]],
      [520, [[60, 'Gesamtbetrag der Zuschläge'], [700, '0,00']]],
      [550, [[60, 'Rechnungssumme ohne USt.'], [700, '473,00']]],
      [580, [[60, 'Bruttosumme'], [700, '529,87']]],
      [610, [[60, 'Erhaltene Anzahlungen'], [700, '100,00']]],
      [640, [[60, 'Zahlbetrag'], [700, '429,87']]],
    ]);
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([473, 56.87, 529.87]);
    expect(r.issueDate.value).toBe('2018-06-05');
    expect(r.number.value).toBe('471102');
  });

  it('keeps the segments of a VAT row apart ("19" then "163,16" is not 19 163,16)', () => {
    const r = extract([
      [20, [[60, 'Rohstoff AG']]],
      [400, [[60, 'Umsatzsteuer (S)'], [300, '850,00'], [420, '858,75'], [540, '19'], [700, '163,16']]],
      [460, [[60, 'Rechnungssumme ohne USt.'], [700, '858,75']]],
      [490, [[60, 'Bruttosumme'], [700, '1.021,91']]],
    ]);
    expect(r.tax.value).toBe(163.16);
  });

  it('reads labels with a currency inside ("Montant EUR HT") and values under a totals header', () => {
    const r = extract([
      [20, [[60, 'Free SAS']]],
      [400, [[500, 'Montant EUR HT'], [700, 'Montant TVA'], [900, 'Montant EUR TTC']]],
      [430, [[60, 'Total facture'], [500, '24.99'], [700, '5.00'], [900, '29.99']]],
    ]);
    expect(r.total.value).toBe(29.99);
    const b = extract([
      [20, [[60, 'LE FOURNISSEUR SARL']]],
      [400, [[60, 'Tout retard de paiement, calculée sur la base'], [700, 'TOTAL HT'], [820, 'TOTAL TVA'], [940, 'TOTAL TTC']]],
      [420, [[60, 'de trois fois le taux d intérêt légal. Indemnité forfaitaire']]],
      [445, [[700, '100,00'], [820, '10,00'], [940, '110,00']]],
      [480, [[60, 'Acompte :'], [300, '10,00']]],
      [510, [[60, 'NET A PAYER'], [300, '100,00 EUR']]],
    ]);
    expect([b.subtotal.value, b.tax.value, b.total.value]).toEqual([100, 10, 110]);
  });

  it('does not read a money word deep inside a sentence as a label', () => {
    const r = extract([
      [20, [[60, 'Rohstoff AG']]],
      [100, [[60, 'Aus internen Gründen wird der Steuerbetrag auch in EUR 183,14 ausgegeben.']]],
      [400, [[60, 'Nettobetrag'], [700, '100,00']]],
      [430, [[60, 'MwSt 19 %'], [700, '19,00']]],
      [460, [[60, 'Gesamtbetrag'], [700, '119,00 EUR']]],
    ]);
    expect(r.tax.value).toBe(19);
  });
});

describe('dates and vendors in structured layouts', () => {
  it('does not take a service-period date as the issue date', () => {
    const r = extract([
      [20, [[60, 'LE FOURNISSEUR SARL']]],
      [60, [[60, 'FACTURE N° :'], [300, 'F20180027']]],
      [90, [[60, 'Date :'], [300, '31/12/2018']]],
      [300, [[60, 'DATE DE DEBUT DE PRESTATION : 01/12/2018']]],
      [330, [[60, 'DATE DE FACTURE ASSOCIÉE : 30/11/2018']]],
    ]);
    expect(r.issueDate.value).toBe('2018-12-31');
  });

  it('reads a due date from a dated payment phrase, skipping the cash-discount one', () => {
    const r = extract([
      [20, [[60, 'Rohstoff AG']]],
      [60, [[60, 'Rechnungsdatum'], [300, '01.12.2025']]],
      [300, [[60, 'Zahlbar mit 2% Skonto bis'], [400, '14.12.2025']]],
      [330, [[60, 'Zahlbar ohne Abschlag bis'], [400, '31.12.2025']]],
    ]);
    expect(r.dueDate.value).toBe('2025-12-31');
  });

  it('finds the seller under its label block and not a caption', () => {
    expect(extract([
      [40, [[60, 'Verkäufer']]],
      [70, [[60, 'Nummer:'], [200, '12345676']]],
      [100, [[60, 'Name:'], [200, 'Rohstoff AG Salzgitter']]],
      [200, [[60, 'Käufer']]],
      [230, [[60, 'Name:'], [200, 'Metallbau Leipzig GmbH & Co. KG']]],
    ]).vendor.value).toBe('Rohstoff AG Salzgitter');
    expect(extract([
      [40, [[60, 'SELLER TRADE NAME'], [600, 'Adresse du Client']]],
      [65, [[60, 'LE FOURNISSEUR']]],
      [90, [[60, "35 rue d'ici"], [600, 'LE CLIENT']]],
    ]).vendor.value).toBe('LE FOURNISSEUR');
    expect(extract([
      [40, [[60, 'Free Service Abonné']]],
      [300, [[60, 'Adresse email de contact'], [600, "Nom de l'abonné"]]],
      [1300, [[60, 'Free SAS au capital de 3.441.812 Euros − B 421 938 861 RCS Paris − Siège social: 8 rue de la Ville 75008 Paris']]],
    ]).vendor.value).toBe('Free SAS');
  });
});

describe('receipt stamps and names as OCR reads them', () => {
  it.each([
    ['02.05 2020 16:34', '2020-05-02'],
    ['02 05.2020 16:34', '2020-05-02'],
    ['25.04.20 12:01', '2020-04-25'],
  ])('reads the till stamp "%s"', (stamp, iso) => {
    const r = extract([[20, [[60, 'toom Baumarkt GmbH']]], [300, [[20, 'SUMME EUR'], [300, '19,99']]], [400, [[20, stamp], [300, '3619']]]], 900);
    expect(r.issueDate.value).toBe(iso);
  });

  it('does not read two numbers as a date without a time after them', () => {
    const r = extract([[20, [[60, 'toom Baumarkt GmbH']]], [300, [[20, 'Art. 02.05 2020'], [300, '19,99']]]], 900);
    expect(r.issueDate.value).toBeNull();
  });

  it('does not take a date whose label is qualified ("Date début :") as the issue date', () => {
    const r = extract([[20, [[60, 'Atelier SARL']]], [60, [[60, 'Date début : 01/12/2019']]], [90, [[60, 'Date : 15/01/2020']]]]);
    expect(r.issueDate.value).toBe('2020-01-15');
  });

  it('cleans a vendor name: registration number in brackets, SON BHD, prose before an imprint name', () => {
    expect(extract([[20, [[60, 'BOON SENG PAPER SDN BHD (1248717-W)']]], [300, [[20, 'TOTAL'], [300, '9.00']]]], 900).vendor.value).toBe('BOON SENG PAPER SDN BHD');
    expect(extract([[20, [[60, 'KAISON FURNISHING SON BHD']]], [300, [[20, 'TOTAL'], [300, '9.00']]]], 900).vendor.value).toBe('KAISON FURNISHING SDN BHD');
    expect(extract([[20, [[60, '99 SPEED MART 5/B (519537-X)']]], [48, [[60, '1237-THN INDAH PERDANA']]], [300, [[20, 'TOTAL'], [300, '9.00']]]], 900).vendor.value).toBe('99 SPEED MART S/B');
    expect(extract([
      [40, [[60, 'Rechnung']]],
      [1300, [[60, 'Haftung nur bei Verschulden der QualityHosting AG · USt-IdNr. DE123456789']]],
    ]).vendor.value).toBe('QualityHosting AG');
  });

  it('takes the stated invoice currency over one shown for reference', () => {
    const r = extract([
      [20, [[60, 'Rohstoff AG']]],
      [60, [[60, 'Währung:'], [300, 'GBP']]],
      [400, [[60, 'Steuerbetrag in GBP'], [700, '163,16']]],
      [430, [[60, 'Steuerbetrag in EUR'], [700, '183,14 EUR']]],
      [460, [[60, 'Bruttosumme'], [700, '1.021,91 EUR']]],
    ]);
    expect(r.currency.value).toBe('GBP');
  });

  it('takes the overall subtotal, not a section subtotal, and ignores a wrapped column header', () => {
    const r = extract([
      [20, [[60, 'Azure Interior']]],
      [200, [[60, 'Description'], [400, 'Quantity'], [560, 'Unit Price'], [800, 'Amount']]],
      [230, [[60, 'Beeswax XL'], [400, '1.00 kg'], [560, '42.00'], [800, '$ 42.00']]],
      [260, [[60, 'Office Chair'], [400, '1.00 Units'], [560, '70.00'], [800, '$ 70.00']]],
      [290, [[500, 'Subtotal $ 112.00']]],
      [320, [[60, 'Luxury Truffles'], [400, '15.00 g'], [560, '10.00'], [800, '$ 150.90']]],
      [350, [[500, 'Subtotal $ 150.90']]],
      [400, [[500, 'Subtotal'], [800, '$ 262.90']]],
      [430, [[500, 'Tax 15% on $ 112.90'], [800, '$ 16.94']]],
      [460, [[500, 'Total'], [800, '$ 279.84']]],
    ]);
    expect([r.subtotal.value, r.tax.value, r.total.value]).toEqual([262.9, 16.94, 279.84]);
    const q = extract([
      [20, [[60, 'QualityHosting AG']]],
      [200, [[60, 'Pos.'], [140, 'Menge Beschreibung'], [560, 'VK-Preis'], [800, 'Zeilenbetrag']]],
      [220, [[560, 'Ohne'], [800, 'Ohne MwSt.']]],
      [240, [[560, 'MwSt.']]],
      [270, [[60, '1'], [140, '1 Small Business Exchange'], [560, '3,89'], [800, '3,89']]],
      [300, [[60, '2'], [140, '1 Small Business Exchange'], [560, '5,39'], [800, '5,39']]],
      [360, [[500, 'Nettobetrag'], [800, '9,28']]],
      [390, [[500, 'MwSt. 19 %'], [800, '1,76']]],
      [420, [[500, 'Total EUR'], [800, '11,04']]],
    ]);
    expect([q.subtotal.value, q.tax.value, q.total.value]).toEqual([9.28, 1.76, 11.04]);
  });

  it('prefers the total that equals the items when a currency sign was misread as a digit, and skips "No." in an address', () => {
    const r = extract([
      [20, [[60, 'Retail Invoices/Bill']]],
      [60, [[60, 'Warehouse Address: NO. 42/1 & 43, Hoskote Taluk']]],
      [200, [[60, 'Product'], [300, 'Title'], [500, 'Qty'], [600, 'Price'], [800, 'Total']]],
      [230, [[60, 'Memory cards'], [300, 'SanDisk 16 GB'], [500, '1'], [600, '319.00'], [800, '319.00']]],
      [300, [[60, 'Total'], [500, '1'], [600, '319.00'], [800, '319.00']]],
      [340, [[60, 'Grand Total'], [800, '7 319.00']]],
    ]);
    expect(r.total.value).toBe(319);
    expect(r.number.value).toBeNull();
  });
});
