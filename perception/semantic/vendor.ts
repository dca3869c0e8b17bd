import type { Word } from '../result.schema.ts';
import { findLabels } from './labels.ts';
import { norm } from './normalize.ts';
import type { Line, Segment } from './layout.ts';
import { found, missing, type FieldDraft } from './field-result.ts';
import type { LabelOccurrence } from './candidates.ts';
import { candidatesFor } from './candidates.ts';
import { findAmounts } from './amount.ts';

/**
 * The vendor is the issuer: an explicit sender label ("From:", "Seller", the IBAN's account holder), else the
 * letterhead — segments near the top of the first page that are not titles, labels, addresses, contact details
 * or the customer's (bill-to / ship-to) block — scored by font size, a legal-form suffix and height on the page,
 * with the company named in the imprint next to its tax/registration ids and IBAN as strong evidence. A logo
 * wordmark ("ACME") gives way to the legal name it abbreviates ("Acme Widgets Ltd").
 */
/** Unambiguous legal forms, any case. */
const LEGAL_ANY = /\b(gmbh|mbh|ltd|limited|llc|inc|corp|corporation|plc|llp|sarl|sasu|eurl|bvba|srl|spa|s\.p\.a|e\.\s?k|gbr|ohg|pty|pvt|pte|lda|kgaa|oyj|aps|kft|s\.r\.o|s\.l\.u?|s\.a\.s?|b\.v|n\.v|sdn\.?\s?bhd|bhd|berhad|s\/b|tbk)(?![\p{L}])\.?/iu;
/** Words that name a business (not a legal form, but rarely in an address or a customer block). */
const BUSINESS = /\b(trading|enterprises?|restaurants?|restoran|cafe|café|bakery|bakeries|mart|supermarket|hypermarket|stores?|bookstores?|pharmacy|hardware|electrical|furnishing|services|industries|holdings|company|group|market|shop|kedai|syarikat|perniagaan|pasar|studio|consulting|solutions|systems|technologies|gmbh)\b/i;
/** Short forms that are also ordinary words or units ("kg", "as", "co"): only as printed, never after a number. */
const LEGAL_CASED = /(?<![\d.,]\s?)\b(AG|KG|UG|SA|SAS|AB|AS|ASA|OY|BV|NV|SL|SE|Co\.|& Co)(?![\p{L}])/u;
const TITLES = new Set(['invoice', 'tax invoice', 'rechnung', 'facture', 'factura', 'factuur', 'fattura', 'faktura', 'receipt', 'sales receipt', 'kassenbon', 'quittung', 'beleg', 'ticket', 'recibo', 'recu', 'kassabon', 'bon', 'factura simplificada', 'ticket de caisse', 'credit note', 'gutschrift', 'avoir', 'proforma', 'proforma invoice', 'bill', 'original', 'copy', 'page 1 of 1']);
const ADDRESS = /(\d{4,5}\s+[A-Za-zÀ-ÿ])|(\b(str|strasse|straße|street|st|rue|avenue|av|calle|c\/|plaza|gracht|straat|weg|laan|road|rd|lane|ln|via|allee|platz|blvd|boulevard|chemin|place|way|jalan|jln|taman|kawasan|bandar|lorong|persiaran|mall|floor|level|blk|block|suite|building|tower|centre|center|industrial|perindustrian)\b\.?)|(\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b)|(,\s*[A-Z]{2}\s+\d{5})|(^\s*(no\.?|lot|unit|shop)\s*[\dA-Z]{0,3}\d)|(^\s*\d+[A-Za-z]?\s*,)/i;
/** Till and form words that head a line but are never the business name. */
/** Form words anywhere in a segment that make it a field caption, not a name. */
const CAPTION = /\b(e ?mail|adresse|address|contact|kontakt|telephone|telefon|website|trade name|legal name|page \d|seite \d)\b/;
const NOT_NAME = /^(name|nom|cashier|kasse|kassierer|caissier|cajero|server|table|date|time|tel|fax|gst|gst id|gst reg|reg no|company no|co reg|tax invoice|simplified tax invoice|invoice|receipt|bill|order|member|customer|thank|welcome|original|copy|qty|item|description|amount|price)\b/;
const CONTACT = /@|www\.|https?:|\btel\b|\bphone\b|\bfax\b|iban|bic|swift|\+\d{2}|\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/i;
const CUSTOMER_LABELS = /^(bill to|billed to|billto|ship to|shipto|shipped to|deliver to|delivery address|sold to|invoice to|invoiced to|customer|client|cliente|kunde|rechnungsempfanger|empfanger|lieferadresse|lieferanschrift|rechnungsadresse|facture a|facturer a|facture a l attention de|adresse de livraison|livrer a|facturar a|enviar a|direccion de envio|klant|factuur aan|afleveradres|to)\b/;
/** Tax and registration ids, bank details, imprint words: the issuer's own block or footer. */
const REGISTRATION = /\b(vat|ust|ust idnr|mwst|tva|iva|btw|uid|siret|siren|cif|nif|abn|acn|gst|ein|steuernr|steuernummer|hrb|hra|kvk|rcs|iban|company no|company number|reg no|registered|handelsregister|amtsgericht|registergericht|geschaftsfuhrer|managing director|chamber of commerce)\b/;

const isLegal = (text: string): boolean => LEGAL_ANY.test(text) || LEGAL_CASED.test(text);

interface Cand {
  words: Word[];
  text: string;
  score: number;
  legal: boolean;
  big: boolean;
  imprint: boolean;
}

export function extractVendor(lines: Line[], occurrences: LabelOccurrence[], pageHeight: number): FieldDraft<string> {
  // A sender label counts only where it starts its segment: "from" inside a sentence is prose. The name is
  // next to it or in the block below it ("Verkäufer" / "Nummer: 123" / "Name: Rohstoff AG").
  const labelled = occurrences.filter((o) => o.def.field === 'vendor' && norm(o.segment.text).startsWith(o.def.text));
  for (const occ of labelled) {
    const near = [...candidatesFor(occ, lines).map((c) => c.words), ...blockBelow(lines, occ)];
    for (const words of near) {
      const t = cleanVendor(words);
      if (nameLike(t) && words.length <= 8) return found(t, words, 0.9, [`found next to the label "${occ.segment.text}"`]);
    }
  }
  const first = lines.filter((l) => l.page === 0);
  if (!first.length) return missing('no text on the first page');
  const heights = first.map((l) => l.height).sort((a, b) => a - b);
  const medianH = heights[Math.floor(heights.length / 2)] || 1;
  const customer = customerSegments(first);
  const limit = pageHeight * 0.4;
  const cands: Cand[] = [];
  for (const l of first) {
    if (l.box.y > limit) continue;
    // Table rows ("Flour 1 kg   2.49") are not letterheads.
    if (findAmounts(l.text).some((a) => a.hasDecimals)) continue;
    for (const seg of l.segments) {
      if (customer.has(seg)) continue;
      // Cleaned first: a bracketed registration number must not make the name look like a number.
      const text = cleanVendor(seg.words);
      if (!nameLike(text)) continue;
      const legal = isLegal(text);
      const h = Math.max(...seg.words.map((w) => w.box.h)) / medianH;
      const sender = senderBlockBelow(first, l, seg) ? 0.5 : 0;
      const business = !legal && BUSINESS.test(text) ? 0.6 : 0;
      // Garbled OCR is not a name: the words' own confidence counts.
      const conf = seg.words.reduce((a, w) => a + w.confidence, 0) / seg.words.length;
      const score = h + (legal ? 1.2 : 0) + business + (1 - seg.box.y / Math.max(1, limit)) * 0.6 - (seg.words.length > 8 ? 1 : 0) + sender + (conf - 0.85) * 2;
      cands.push({ words: seg.words, text: cleanVendor(seg.words), score, legal, big: h > 1.25, imprint: false });
    }
  }
  cands.push(...imprintNames(lines));
  if (!cands.length) return missing('no letterhead or company name found at the top of the first page');
  cands.sort((a, b) => b.score - a.score);
  let best = cands[0];
  if (!best.legal) {
    // A wordmark ("ACME", "nordlicht") abbreviates the legal name printed smaller nearby or in the imprint.
    const key = norm(best.text).split(' ')[0];
    const legalName = key.length >= 3 ? cands.find((c) => c.legal && norm(c.text).split(' ').includes(key)) : undefined;
    if (legalName) best = legalName;
  }
  const reasons = [best.imprint ? 'taken from the imprint next to the tax/registration ids (no "From:" label)' : 'taken from the letterhead (no "From:" label)'];
  if (!best.legal) reasons.push('no legal form (GmbH, Ltd, SARL…) to confirm it is a company name');
  const base = 0.5 + (best.legal ? 0.3 : 0) + (best.big || best.imprint ? 0.15 : 0);
  return found(best.text, best.words, base, reasons);
}

/** Segments of the next lines at or right of a label, skipping "Name:"/"Nummer:" keys. */
function blockBelow(lines: Line[], occ: LabelOccurrence): Word[][] {
  const out: Word[][] = [];
  for (const l of lines) {
    if (l.page !== occ.line.page || l.index <= occ.line.index || l.index > occ.line.index + 5) continue;
    for (const s of l.segments) {
      if (s.box.x + s.box.w < occ.segment.box.x - occ.segment.box.h) continue;
      const words = /^(name|nom|nombre|naam|firma|company|raison sociale)\s*:?$/i.test(s.words[0]?.text.replace(/:$/, '') ?? '') ? s.words.slice(1) : s.words;
      if (words.length) out.push(words);
    }
  }
  return out;
}

function nameLike(text: string): boolean {
  const n = norm(text);
  if (n.length < 3 || TITLES.has(n) || !/[A-Za-zÀ-ÿ]{2}/.test(text)) return false;
  if (ADDRESS.test(text) || CONTACT.test(text) || CUSTOMER_LABELS.test(n) || NOT_NAME.test(n) || CAPTION.test(n)) return false;
  // OCR debris ("7 ig olO Hi", "We + BALL- 18"): a name is mostly letters, with at least one real word.
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters < text.replace(/\s/g, '').length * 0.6 || !/\p{L}{3,}/u.test(text)) return false;
  const digits = (text.match(/\d/g) ?? []).length;
  if (digits > text.length * 0.3) return false;
  // Field labels ("Invoice No", "Datum") are not names; payment words ("Bar", "Cash") may be part of one.
  const hits = findLabels(n).filter((h) => h.def.field !== 'vendor' && !h.def.payment);
  return !hits.some((h) => h.def.text.length >= 3 || h.end - h.start === n.length);
}

/** Segments of the bill-to / ship-to blocks: the label, what follows it on its line, and its column below. */
function customerSegments(lines: Line[]): Set<Segment> {
  const out = new Set<Segment>();
  for (const l of lines) {
    l.segments.forEach((seg, si) => {
      const n = norm(seg.text);
      if (!CUSTOMER_LABELS.test(n) || (n.startsWith('to') && n !== 'to')) return;
      out.add(seg);
      for (const right of l.segments.slice(si + 1, si + 2)) out.add(right);
      const x0 = seg.box.x - seg.box.h * 2;
      const x1 = seg.box.x + seg.box.h * 2;
      for (const below of lines) {
        if (below.index <= l.index || below.index > l.index + 6 || below.box.y > seg.box.y + seg.box.h * 9) continue;
        for (const s of below.segments) if (s.box.x >= x0 && s.box.x <= x1) out.add(s);
      }
    });
  }
  return out;
}

/** Whether the lines under a letterhead segment, in its column, hold the issuer's ids or contact details. */
function senderBlockBelow(lines: Line[], line: Line, seg: Segment): boolean {
  return lines
    .filter((l) => l.index > line.index && l.index <= line.index + 4)
    .some((l) => l.segments.some((s) => Math.abs(s.box.x - seg.box.x) < seg.box.h * 3 && (REGISTRATION.test(norm(s.text)) || /@|www\./i.test(s.text))));
}

/** Company names with a legal form on imprint lines (next to VAT/registration ids or an IBAN), any page. */
function imprintNames(lines: Line[]): Cand[] {
  const out: Cand[] = [];
  for (const l of lines) {
    if (!REGISTRATION.test(norm(l.text))) continue;
    for (const seg of l.segments) {
      for (const piece of seg.text.split(/\s[·•|–—−-]\s|[·•|]/)) {
        // The name ends at its legal form: "Free SAS au capital de 3.441.812 Euros" → "Free SAS".
        const text = cutAfterLegal(piece.trim());
        if (!text || REGISTRATION.test(norm(text)) || !nameLike(text) || text.split(/\s+/).length > 6) continue;
        const toks = new Set(text.split(/\s+/));
        const words = seg.words.filter((w) => toks.has(w.text));
        out.push({ words: words.length ? words : seg.words, text: cleanVendor(words.length ? words : seg.words), score: 4, legal: true, big: false, imprint: true });
      }
    }
  }
  return out;
}

function cutAfterLegal(text: string): string | null {
  const m = LEGAL_ANY.exec(text) ?? LEGAL_CASED.exec(text);
  if (!m) return null;
  // Prose before the name ends at its last lower-case word: "Verschulden der QualityHosting AG".
  const head = text.slice(0, m.index).split(/\s+/);
  let from = 0;
  head.forEach((w, i) => {
    if (/^\p{Ll}+$/u.test(w) && i < head.length - 1) from = i + 1;
  });
  const name = [...head.slice(from), m[0]].join(' ').replace(/\s+/g, ' ').trim();
  // Just a legal form ("SARL au capital…") names nobody.
  return /\p{L}{2}/u.test(head.slice(from).join(' ')) ? name : null;
}

function cleanVendor(words: Word[]): string {
  return words
    .map((w) => w.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    // A registration number printed after the name: "BOON SENG PAPER SDN BHD (1248717-W)".
    .replace(/\s*\((?:co\.?\s*)?(?:reg\.?\s*)?(?:no\.?\s*)?[\dA-Z-]*\d[\dA-Z-]*\)\s*$/i, '')
    // OCR reads Malaysian "SDN BHD" as "SON BHD" / "S0N BHD".
    .replace(/\bS[O0]N\.?\s?BHD\b/, 'SDN BHD')
    .replace(/(\s)5\/B$/, '$1S/B')
    .replace(/^[^\p{L}\d]+|[,;:|·•]+$/gu, '')
    .trim();
}
