/**
 * Hand-checked expected values for the real documents taken from public repositories. The values come from each
 * source's own ground truth (invoice2data's tests/compare/*.json, SROIE's data/key/*.json, the ZUGFeRD XML embedded
 * in the PDF) and were compared with the printed document (pdf-dump.ts for PDFs, the image viewer for scans);
 * where the two disagree or the source lacks a field, the note says what was done.
 */
import { unknownExpected, type Expected } from '../../bench/perception-sets/manifest.schema.ts';

export interface CuratedDoc {
  /** Path inside the source repository. */
  path: string;
  class: 'invoice' | 'receipt';
  rendering: 'digital-pdf' | 'scan';
  language: string;
  expected: Expected;
  note?: string;
}

const li = (...xs: [string, string][]): { description: string; amount: string }[] => xs.map(([description, amount]) => ({ description, amount }));

const aws = unknownExpected({
  vendor: ['Amazon Web Services'], number: '42183017', issueDate: '2014-08-03', currency: 'USD', total: '4.11', subtotal: '4.11', tax: '0.00',
  lineItems: li(['AWS Data Transfer', '0.01'], ['Amazon Elastic Compute Cloud', '1.87'], ['Amazon Glacier', '2.22'], ['Amazon Simple Storage Service', '0.01']),
  consistent: true,
});
const flipkart = unknownExpected({
  vendor: ['WS Retail Services Pvt. Ltd.', 'Flipkart'], number: 'BLR_WFLD20151000982590', issueDate: '2015-10-20', currency: 'INR', total: '319.00',
  lineItems: li(['SanDisk Ultra 16 GB MicroSDHC Class 10 48 MB/s Memory Card', '319.00']), consistent: true,
});
const sammy = unknownExpected({
  vendor: ['Sammy Maystone'], number: 'invoice_number_1', issueDate: '2022-01-01', dueDate: '2022-01-31', currency: 'USD', total: '127.50', subtotal: '127.50', tax: '0.00',
  lineItems: li(['Service A', '120.00'], ['Service B', '7.50']), consistent: true,
});
const oyo = unknownExpected({
  vendor: ['OYO', 'Oravel Stays Pvt. Ltd.', 'Oravel Stays Private Limited'], number: 'IBZY2087', issueDate: '2017-12-31', currency: 'INR', total: '1939.00',
  lineItems: li(['Room Charges', '1939.00']), consistent: true,
});

/** invoice-x/invoice2data, tests/compare (MIT). The PNGs are the same pages rasterised (kept as "scan", same group). */
export const INVOICE2DATA: CuratedDoc[] = [
  { path: 'tests/compare/AmazonWebServices.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'en', expected: aws },
  { path: 'tests/compare/AmazonWebServices.png', class: 'invoice', rendering: 'scan', language: 'en', expected: aws, note: 'raster of the PDF (2975x3850, downscaled)' },
  {
    path: 'tests/compare/AzureInterior.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'en',
    expected: unknownExpected({
      vendor: ['Azure Interior'], number: 'INV/2023/03/0008', issueDate: '2023-03-20', dueDate: '2023-04-04', currency: 'USD', total: '279.84', subtotal: '262.90', tax: '16.94',
      lineItems: li(['Beeswax XL', '42.00'], ['Office Chair', '70.00'], ['Olive Oil', '0.90'], ['Luxury Truffles', '150.00']), consistent: true,
    }),
    note: 'Odoo layout: the issuer (Azure Interior) is top left, the customer (YourCompany) beside it',
  },
  { path: 'tests/compare/FlipkartInvoice.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'en', expected: flipkart, note: 'number printed "# BLR_…"; currency not printed (source says INR)' },
  { path: 'tests/compare/FlipkartInvoice.png', class: 'invoice', rendering: 'scan', language: 'en', expected: flipkart, note: 'small raster of the PDF (789x557)' },
  {
    path: 'tests/compare/NetpresseInvoice.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'fr',
    expected: unknownExpected({
      vendor: ['NETPRESSE'], number: '2022089083', issueDate: '2022-11-28', currency: 'EUR', total: '56.02', subtotal: '46.68', tax: '9.34',
      lineItems: li(['le-tout-lyon.fr du 06/12/2022', '45.93'], ['Justificatif PDF', '0.75'], ['Justificatif Papier', '0.00']), consistent: true,
    }),
  },
  {
    path: 'tests/compare/QualityHosting.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'de',
    expected: unknownExpected({
      vendor: ['QualityHosting AG'], number: '30064443', issueDate: '2014-05-07', dueDate: '2014-05-21', currency: 'EUR', total: '34.73', subtotal: '34.73',
      lineItems: li(
        ['Small Business StandardExchange 2010', '3.89'], ['Small Business QualityExchange 2010', '5.39'], ['Small Business QualityExchange 2010', '5.39'],
        ['Small Business QualityExchange 2010', '5.39'], ['Small Business QualityExchange 2010', '5.39'], ['Small Business QualityExchange 2010', '5.39'],
        ['Small Business StandardExchange 2010', '3.89'],
      ),
      consistent: true,
    }),
    note: 'two pages; due date read from "Zahlungsziel 21.05.14" (the source JSON has none)',
  },
  { path: 'tests/compare/SammyMaystoneLinesTest.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'en', expected: sammy, note: 'total read from the page (source JSON has none)' },
  { path: 'tests/compare/SammyMaystoneLinesTest.png', class: 'invoice', rendering: 'scan', language: 'en', expected: sammy, note: 'raster of the PDF' },
  {
    path: 'tests/compare/coolblue1.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'nl',
    expected: unknownExpected({
      vendor: ['Coolblue B.V.', 'Coolblue'], number: '993548900', issueDate: '2014-04-19', currency: 'EUR', total: '717.97', subtotal: '593.36', tax: '124.61',
      lineItems: li(['Apple iPad Air Wifi 16 GB Zilver', '399.00'], ['Incl. Thuiskopieheffing: Thuiskopie €3.50', '4.24'], ['Decoded Leather Slim Cover Apple iPad Air 2 Zwart', '69.99'],
        ['Nintendo 3DS XL Wit + Blauw', '189.00'], ['Nintendo AC-adapter', '14.99'], ['Mario Kart 7 3DS', '44.99']),
      consistent: true,
    }),
    note: 'prices include VAT; "Exclusief BTW" is the subtotal',
  },
  {
    path: 'tests/compare/coolblue2.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'nl',
    expected: unknownExpected({
      vendor: ['Coolblue B.V.', 'Coolblue'], number: '992288600', issueDate: '2014-03-29', currency: 'EUR', total: '4904.94', subtotal: '4053.67', tax: '851.27',
      lineItems: li(['Decoded Leather Sleeve 15,4\'\' Vintage Bruin', '199.98'], ['Apple MacBook Pro Retina 13,3\'\' + Apple Magic Mouse', '2321.00'], ['Incl. Thuiskopieheffing: Thuiskopie €3.50', '4.24'],
        ['Microsoft Office Mac Home and Student 2011 NL PKC', '124.99'], ['HP USB 3.0 Port Replicator 3005pr (H1L08ET)', '159.99'], ['MSI GS60 2QE-226NL Ghost Pro', '1999.00'],
        ['Hex Outpost Origin Rugzak 15\'\' Grijs', '79.99'], ['Case-Mate Barely There Case Sony Xperia Z3 Transparant', '19.99']),
      consistent: true,
    }),
    note: 'bundle components without a price are not counted as line items',
  },
  {
    path: 'tests/compare/free_fiber.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'fr',
    expected: unknownExpected({
      vendor: ['Free', 'Free SAS'], number: '562044387', issueDate: '2015-07-02', dueDate: '2015-07-05', currency: 'EUR', total: '29.99', subtotal: '24.99', tax: '5.00', consistent: true,
    }),
  },
  { path: 'tests/compare/oyo.pdf', class: 'receipt', rendering: 'digital-pdf', language: 'en', expected: oyo, note: '"PAYMENT RECEIPT" from a hotel booking; amounts printed "Rs"' },
  { path: 'tests/compare/oyo.png', class: 'receipt', rendering: 'scan', language: 'en', expected: oyo, note: 'raster of the PDF' },
  {
    path: 'tests/compare/saeco.pdf', class: 'invoice', rendering: 'digital-pdf', language: 'nl',
    expected: unknownExpected({
      vendor: ['e-Luscious Nederland B.V.', 'Saeco'], number: 'VF1005193039', issueDate: '2022-09-08', dueDate: '2022-09-22', currency: 'EUR', total: '49.99', subtotal: '41.31', tax: '8.68',
      lineItems: li(['Onderhoudsset CA6707/10', '49.99'], ['SX Flyer SAECO Korting KVDNL', '0.00']), consistent: true,
    }),
    note: 'the issuer\'s name is only in an embedded image (needs OCR of the image)',
  },
];

const MONTHS: Record<string, string> = { JAN: '01', FEB: '02', MAR: '03', APR: '04', MAY: '05', JUN: '06', JUL: '07', AUG: '08', SEP: '09', OCT: '10', NOV: '11', DEC: '12' };

/** SROIE dates are day-first (Malaysia): 25/12/2018, 24-01-18, 5/3/2018, 21 MAR 2018. */
export function sroieDate(s: string): string {
  const t = s.trim().toUpperCase();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(t);
  if (m) {
    const y = m[3].length === 2 ? `20${m[3]}` : m[3];
    return `${y}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  }
  m = /^(\d{1,2}) ([A-Z]{3})[A-Z]* (\d{4})$/.exec(t);
  if (m && MONTHS[m[2]]) return `${m[3]}-${MONTHS[m[2]]}-${m[1].padStart(2, '0')}`;
  throw new Error(`unrecognised SROIE date ${s}`);
}

/** "RM 3.30", "$8.70", "1,007.50" → "3.30", "8.70", "1007.50". */
export function sroieTotal(s: string): string {
  const t = s.replace(/^(RM|\$)\s*/i, '').replace(/,/g, '').trim();
  if (!/^\d+\.\d{2}$/.test(t)) throw new Error(`unrecognised SROIE total ${s}`);
  return t;
}

/**
 * SROIE labels the legal company; where the receipt's letterhead is a brand printed above it (checked against the
 * repository's OCR lines of each picked receipt, and by eye for 462), the brand is accepted too.
 */
const SROIE_BRANDS: Record<string, string[]> = {
  '042': ['GEOVENTURE'],
  '322': ['MAXINCOME RESOURCES SDN BHD'],
  '462': ['SIZZLING STONEGRILL'],
  '518': ['RapidKL', 'MRT'],
};

/** A vendor label with a leading "owned by" ("DIMILIKI OLEH :") also accepts the company alone. */
export function sroieVendor(s: string, id = ''): string[] {
  const names = [s.trim(), ...(SROIE_BRANDS[id] ?? [])];
  const owned = /^DIMILIKI OLEH\s*:\s*(.+)$/i.exec(s.trim());
  if (owned) names.push(owned[1]);
  return names;
}

/**
 * softmatic/vision-data 2D/Receipts (CC-BY-4.0): German till receipts scanned at 300 dpi, cropped (A) or on the
 * whole scanner bed (B, C). The file name is the ground truth: merchant_DDMMYYYY[_items]_amount-in-cents. The
 * merchant is a short store name; the names printed on the receipts (checked against the Textract lines shipped
 * beside each scan, and by eye for the unreadable ones) are listed here.
 */
export const SOFTMATIC_VENDORS: Record<string, string[]> = {
  aldi: ['ALDI'],
  apotheke: ['Delphin Apotheke'],
  hornbach: ['HORNBACH Baumarkt AG', 'HORNBACH'],
  ikea: ['IKEA Deutschland GmbH & Co. KG', 'IKEA'],
  lidl: ['Lidl'],
  marktkauf: ['Marktkauf'],
  real: ['real GmbH', 'real'],
  roller: ['ROLLER'],
  rossmann: ['ROSSMANN'],
  toom: ['toom Baumarkt GmbH', 'toom'],
  mediamarkt: ['Media Markt', 'MEDIA MARKT TV-Hifi-Elektro GmbH Paderborn'],
  thalia: ['Thalia', 'Thalia Bücher'],
  dm: ['dm drogerie markt', 'dm'],
  kaufland: ['Kaufland'],
  saturn: ['SATURN', 'SATURN ELECTRO HANDELSGES.MBH'],
  'tanke_07092018_01_03400': ['Westfalen Tankstelle', 'Westfalen'],
  'tanke_07092018_01_03935': ['AUTO SPREVES GmbH', 'SPREVES'],
};

/** "aldi_02032020_19_02423" → date 2020-03-02, total "24.23"; "saturn_08092017_112900" → total "1129.00". */
export function softmaticName(stem: string): { merchant: string; issueDate: string; total: string; vendor: string[] } {
  const m = /^([a-z]+)_(\d{2})(\d{2})(\d{4})(?:_\d{2})?_(\d+)(?:_B)?$/.exec(stem);
  if (!m) throw new Error(`unrecognised softmatic file name ${stem}`);
  const cents = Number(m[5]);
  const key = m[1] === 'tanke' ? stem.replace(/_B$/, '') : m[1];
  const vendor = SOFTMATIC_VENDORS[key];
  if (!vendor) throw new Error(`no vendor name for ${stem}`);
  return { merchant: m[1], issueDate: `${m[4]}-${m[3]}-${m[2]}`, total: (cents / 100).toFixed(2), vendor };
}
