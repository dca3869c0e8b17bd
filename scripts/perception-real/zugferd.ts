/**
 * ZUGFeRD / Factur-X invoices: the PDF carries its own machine-readable ground truth (the CII XML attachment).
 * Expected values come from that XML; where the printed page says something else (a few test files were edited
 * after their XML was made) the printed value wins, because that is what perception reads. Every override is
 * written down here with the reason.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { join, basename } from 'node:path';
import { splitOf, unknownExpected, type Expected, type ManifestEntry } from '../../bench/perception-sets/manifest.schema.ts';
import { readCii } from './cii.ts';

type Store = (collection: string, name: string, bytes: Buffer) => Promise<{ file: string; note: string }>;
type GitShow = (mirror: string, path: string) => Buffer;

interface ZDoc {
  repo: 'ZUGFeRD/mustangproject' | 'horstoeko/zugferd';
  path: string;
  /** Renderings of the same invoice data share a group. */
  group: string;
  language: string;
  vendor: string[];
  override?: Partial<Expected>;
  note?: string;
}

const M = 'ZUGFeRD/mustangproject';
const H = 'horstoeko/zugferd';
const DOCS: ZDoc[] = [
  { repo: M, path: 'library/src/test/resources/EN16931_Einfach.pdf', group: 'lieferant-471102-a', language: 'de', vendor: ['Lieferant GmbH'], note: 'XML visualisation (stylesheet 2.5)' },
  { repo: H, path: 'tests/assets/pdf_zf_en16931_1.pdf', group: 'lieferant-471102-a', language: 'de', vendor: ['Lieferant GmbH'], note: 'XML visualisation (AWV stylesheet 2.0)' },
  { repo: H, path: 'tests/assets/pdf_zf_xrechnung_1.pdf', group: 'lieferant-471102-a', language: 'de', vendor: ['Lieferant GmbH'], note: 'XRechnung visualisation, 3 pages' },
  { repo: M, path: 'library/src/test/resources/EN16931_1_Teilrechnung.pdf', group: 'lieferant-471102-b', language: 'de', vendor: ['Lieferant GmbH'], note: 'partial invoice: Bruttosumme 197,65 is the total, Zahlbetrag 147,65 after prepayment' },
  { repo: H, path: 'tests/assets/pdf_zf_en16931_3.pdf', group: 'lieferant-471102-b', language: 'de', vendor: ['Lieferant GmbH'], note: 'allowances and charges on lines and document' },
  { repo: M, path: 'validator/src/test/resources/Facture_F20180027.pdf', group: 'le-fournisseur', language: 'fr', vendor: ['LE FOURNISSEUR'], note: 'prints TOTAL TTC 110,00 and NET A PAYER 100,00 (prepaid 10); total = TTC' },
  { repo: H, path: 'tests/assets/pdf_fx_extended_1.pdf', group: 'le-fournisseur', language: 'fr', vendor: ['LE FOURNISSEUR'], note: 'prints TOTAL TTC 110,00 and NET A PAYER 100,00; total = TTC' },
  {
    repo: H, path: 'tests/assets/pdf_fx_minimum_1.pdf', group: 'le-fournisseur', language: 'fr', vendor: ['LE FOURNISSEUR'],
    override: { dueDate: '2022-03-02', lineItems: null }, note: 'MINIMUM profile XML has no lines and no due date; due date read from the page',
  },
  { repo: H, path: 'tests/assets/pdf_zf_extended_1.pdf', group: 'musterlieferant', language: 'de', vendor: ['MUSTERLIEFERANT GMBH'], note: 'EXTENDED profile visualisation' },
  { repo: M, path: 'validator/src/test/resources/zugferd_2p1_EXTENDED_PDFA-3A.pdf', group: 'musterlieferant', language: 'de', vendor: ['MUSTERLIEFERANT GMBH'], note: 'EXTENDED profile, letter-spaced text layer' },
  { repo: M, path: 'library/src/test/resources/EXTENDED_Fremdwaehrung_wdis_fx-pdfa4.pdf', group: 'rohstoff-ag', language: 'de', vendor: ['Rohstoff AG Salzgitter', 'Rohstoff AG'], note: 'foreign-currency invoice (GBP); Bruttosumme 1.021,91, Zahlbetrag 521,91' },
  { repo: M, path: 'validator/src/test/resources/103767-Invoice-2026-03-24-1.pdf', group: 'cronus-103767', language: 'en', vendor: ['CRONUS DE'], note: 'Business Central layout; the customer (Adatum Corporation) is printed beside the seller' },
  {
    repo: M, path: 'library/src/test/resources/MustangBeispiel20221026.pdf', group: 'weclapp-re1001', language: 'de', vendor: ['weclapp.com', 'weclapp'],
    override: { total: '963.12', tax: '153.78' }, note: 'the page prints Endsumme 963,12 and VAT 152,83 + 0,95; the XML says 963.11 / 153.77: printed values used',
  },
  { repo: M, path: 'library/src/test/resources/ZTESTZUGFERD_1_INVDSS_012015738820PDF-1.pdf', group: 'alphabet-2015738820', language: 'de', vendor: ['Alphabet Fuhrparkmanagement GmbH', 'Alphabet'], note: 'ZUGFeRD 1.0, leasing rate' },
  { repo: M, path: 'validator/src/test/resources/validAvoir_FR_type380_BASICWL.pdf', group: 'au-bon-moulin', language: 'fr', vendor: ['Au bon moulin', 'Au bon moulin SARL'], override: { lineItems: null }, note: 'credit note (Avoir), negative amounts; BASIC WL has no lines in the XML' },
  { repo: M, path: 'library/src/test/resources/zugferd_invoice.pdf', group: 'kraxi-2014-03', language: 'de', vendor: ['Kraxi GmbH', 'Kraxi'], note: 'ZUGFeRD 1.0 sample (PDFlib)' },
];

async function attachedXml(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  try {
    const att = (await doc.getAttachments()) as Record<string, { filename: string; content: Uint8Array }> | null;
    const xml = Object.values(att ?? {}).find((a) => a.filename.toLowerCase().endsWith('.xml'));
    if (!xml) throw new Error('no XML attachment');
    return Buffer.from(xml.content).toString('utf8');
  } finally {
    await doc.destroy();
  }
}

export async function zugferdEntries(mirrors: string, store: Store, gitShow: GitShow): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  for (const d of DOCS) {
    const pdf = gitShow(join(mirrors, `${d.repo.replace('/', '+')}/repo`), d.path);
    const v = readCii(await attachedXml(pdf));
    const prefix = d.repo === M ? 'mustang' : 'horstoeko';
    const s = await store('zugferd', `${prefix}-${basename(d.path)}`, pdf);
    const group = `zugferd/${d.group}`;
    const expected = unknownExpected({
      vendor: d.vendor, number: v.number, issueDate: v.issueDate, dueDate: v.dueDate, currency: v.currency, total: v.total, subtotal: v.subtotal, tax: v.tax,
      lineItems: v.lines.length ? v.lines.map((l) => ({ description: l.description.replace(/\s+/g, ' '), amount: l.amount })) : null,
      consistent: true,
      ...d.override,
    });
    out.push({ file: s.file, group, source: `${d.repo}:${d.path}`, collection: 'zugferd', split: splitOf(group), class: 'invoice', rendering: 'digital-pdf', language: d.language, expected, note: [d.note, 'expected values from the embedded CII XML'].filter(Boolean).join('; ') });
  }
  return out;
}
