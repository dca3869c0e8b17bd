import type { Word } from '../result.schema.ts';
import { findLabels } from './labels.ts';
import { norm } from './normalize.ts';
import type { Line, Segment } from './layout.ts';
import { found, missing, type FieldDraft } from './field-result.ts';
import type { LabelOccurrence } from './candidates.ts';
import { candidatesFor } from './candidates.ts';

/**
 * The vendor is rarely labelled: it is the letterhead. Candidates are segments near the top of the first page
 * that are not titles, labels, addresses, contact details or the customer's block; they are scored by font
 * size, a legal-form suffix (GmbH, Ltd, SARL, S.L., B.V.…) and height on the page. An explicit "From:" /
 * "Seller:" label wins.
 */
const LEGAL = /\b(gmbh|ag|kg|ohg|ug|e\.?\s?k|ltd|limited|llc|inc|corp|co|plc|llp|sarl|sas|sa|sasu|eurl|s\.?\s?l|s\.?\s?a|s\.?\s?l\.?\s?u|b\.?\s?v|n\.?\s?v|vof|bvba|srl|spa|oy|ab|as|aps)\.?$/i;
const TITLES = new Set(['invoice', 'tax invoice', 'rechnung', 'facture', 'factura', 'factuur', 'receipt', 'sales receipt', 'kassenbon', 'quittung', 'beleg', 'ticket', 'recibo', 'recu', 'kassabon', 'bon', 'factura simplificada', 'ticket de caisse', 'credit note', 'gutschrift', 'avoir', 'proforma', 'proforma invoice', 'bill']);
const ADDRESS = /(\d{4,5}\s+[A-Za-zÀ-ÿ])|(\b(str|strasse|straße|street|st|rue|avenue|av|calle|c\/|plaza|gracht|straat|weg|laan|road|rd|lane|ln|via|allee|platz|blvd|boulevard|chemin|place)\b\.?)|(\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b)|(,\s*[A-Z]{2}\s+\d{5})/i;
const CONTACT = /@|www\.|https?:|\btel\b|\bphone\b|\bfax\b|iban|bic|swift|\+\d{2}|\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/i;
const CUSTOMER_LABELS = /^(bill to|billed to|ship to|customer|client|cliente|kunde|rechnungsempfanger|empfanger|facture a|facturer a|facturar a|klant|factuur aan|sold to|invoice to)\b/;

export function extractVendor(lines: Line[], occurrences: LabelOccurrence[], pageHeight: number): FieldDraft<string> {
  const labelled = occurrences.filter((o) => o.def.field === 'vendor');
  for (const occ of labelled) {
    for (const c of candidatesFor(occ, lines)) {
      const t = c.text.trim();
      if (/[A-Za-z]{2}/.test(t) && !CONTACT.test(t)) return found(t, c.words, 0.9, [`found next to the label "${occ.segment.text}"`]);
    }
  }
  const first = lines.filter((l) => l.page === 0);
  if (!first.length) return missing('no text on the first page');
  const heights = first.map((l) => l.height).sort((a, b) => a - b);
  const medianH = heights[Math.floor(heights.length / 2)] || 1;
  const customerLines = new Set<number>();
  for (const l of first) {
    if (CUSTOMER_LABELS.test(norm(l.text))) for (let k = 0; k <= 4; k++) customerLines.add(l.index + k);
  }
  const limit = pageHeight * 0.4;
  let best: { seg: Segment; score: number; legal: boolean; big: boolean } | null = null;
  for (const l of first) {
    if (l.box.y > limit || customerLines.has(l.index)) continue;
    for (const seg of l.segments) {
      const text = seg.text.trim();
      const n = norm(text);
      if (n.length < 3 || TITLES.has(n) || !/[A-Za-zÀ-ÿ]{2}/.test(text)) continue;
      if (ADDRESS.test(text) || CONTACT.test(text)) continue;
      const digits = (text.match(/\d/g) ?? []).length;
      if (digits > text.length * 0.3) continue;
      const hits = findLabels(n).filter((h) => h.def.field !== 'vendor');
      if (hits.some((h) => h.def.text.length >= 3 || h.end - h.start === n.length)) continue;
      const legal = LEGAL.test(text.replace(/[.,]+$/, '').trim()) || /\b(gmbh|ltd|llc|inc|sarl|s\.l\.|b\.v\.|s\.a\.)/i.test(text);
      const h = Math.max(...seg.words.map((w) => w.box.h)) / medianH;
      const score = h + (legal ? 1.2 : 0) + (1 - seg.box.y / Math.max(1, limit)) * 0.6 - (seg.words.length > 8 ? 1 : 0);
      if (!best || score > best.score) best = { seg, score, legal, big: h > 1.25 };
    }
  }
  if (!best) return missing('no letterhead or company name found at the top of the first page');
  const reasons = ['taken from the letterhead (no "From:" label)'];
  if (!best.legal) reasons.push('no legal form (GmbH, Ltd, SARL…) to confirm it is a company name');
  const base = 0.5 + (best.legal ? 0.3 : 0) + (best.big ? 0.15 : 0);
  return found(cleanVendor(best.seg.words), best.seg.words, base, reasons);
}

function cleanVendor(words: Word[]): string {
  return words.map((w) => w.text).join(' ').replace(/\s+/g, ' ').replace(/^[^\p{L}\d]+|[,;:|]+$/gu, '').trim();
}
