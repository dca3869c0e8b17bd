import type { DocType } from '../vit/vit.model.ts';
import { DOC_TYPES } from '../vit/vit.model.ts';
import { norm } from './normalize.ts';
import { findAmounts } from './amount.ts';
import { findCurrencies } from './currency.ts';

/**
 * Final document type from two signals: the ViT's probabilities (how the page looks) and text cues from OCR or
 * the PDF text layer (what it says: "Rechnung", "Total TTC", "Type a message"…). Each cue adds evidence to one
 * type; the result names the signals that decided it so the operator (and tests) can see why.
 */
export interface DocTypeDecision {
  value: DocType;
  confidence: number;
  decidedBy: string[];
}

interface Cue {
  type: DocType;
  name: string;
  weight: number;
  test: (t: TextStats) => boolean;
}

interface TextStats {
  raw: string;
  n: string;
  top: string;
  words: number;
  /** Tokens of three or more letters/digits: OCR noise on a photo rarely makes many. */
  meaningful: number;
  moneyCount: number;
  aspect: number;
  monospace: boolean;
}

const INVOICE_KW = /\b(invoice|tax invoice|\w*rechnung|rechnungsnummer|facture|factura|factuur|fattura|faktura|invoice number|factuurnummer|fatura)\b/;
/** A document number that says it is an invoice's: "Facture n°562044387", "Rechnungsnummer", "Invoice #". */
const INVOICE_NUMBER = /\b(invoice (no|number|nr|#)|rechnungs? ?(nummer|nr)|\w*rechnung (\(\d+\) )?nr|facture n|n de facture|factura n|numero de factura|factuurnummer|fattura n|fakturanummer)/;
/** Structure an invoice has and a receipt rarely does; counted as distinct hits. */
const INVOICE_STRUCT = /\b(verkaufer|kaufer|rechnungsempfanger|zahlungsbedingungen|leistungsdatum|lieferdatum|ust id|vendeur|acheteur|conditions de paiement|bill to|billed to|ship to|invoice no|invoice date|due date|payment terms|net \d{1,3}|iban|bic|swift|bank transfer|uberweisung|virement|transferencia|vat no|vat id|ust idnr|steuernummer|siret|tva intracommunautaire|cif|nif|description|qty|quantity|unit price|einzelpreis|menge|zahlbar|falligkeitsdatum|echeance|vencimiento|vervaldatum|po number|customer no|kundennummer)\b/g;
/** Till vocabulary; counted as distinct hits. */
const RECEIPT_KW = /\b(receipt|sales receipt|kassenbon|quittung|kassabon|ticket de caisse|ticket|recibo|recu|factura simplificada|bon nr|beleg nr|card payment|kartenzahlung|paiement cb|pago con tarjeta|pinbetaling|cash|cash tend|tendered|change|change due|ruckgeld|wechselgeld|geg bar|bar|cambio|efectivo|especes|rendu|cb|visa|mastercard|amex|debit|contactless|thank you for shopping|thank you for your visit|vielen dank fur ihren einkauf|merci de votre visite|gracias por su compra|cashier|kasse|kassierer|caissier|cajero|table|server|tip|gratuity|st#|op#|te#|tr#|terminal|auth code|approval|filiale|bedient von|total ttc|geg|tender|rounding|rundung|member|points earned|come again|see you again|goods sold|not returnable|total qty|total saving|payment mode|gst summary|gst analysis|kasse|kassenbon|bonnr|ust id nr|steuer nr|zahlart|ec cash|girocard|debitkarte|kundenbeleg|haendlerbeleg|handlerbeleg|merci|au revoir)\b/g;
/** A Spanish "simplified invoice" is a till receipt. */
const SIMPLIFIED = /\b(factura simplificada|ticket de caisse|simplified tax invoice|cash bill|cash sales|official receipt)\b/;
/** A "TAX INVOICE" printed on a narrow till slip (GST receipts in Malaysia, Singapore, Australia) is a receipt. */
const tillSlip = (t: TextStats): boolean => (t.aspect < 0.55 && (t.monospace || distinct(RECEIPT_KW, t.n) >= 1)) || (t.aspect < 0.66 && distinct(RECEIPT_KW, t.n) >= 3);
const TOTAL_KW = /\b(total|gesamt|gesamtbetrag|summe|totaal|te betalen|montant|importe|amount due|net a payer|totale)\b/;
/** UI chrome words that prose rarely contains; counted as distinct hits. */
const UI_KW = /\b(type a message|write a message|message|messages|inbox|drafts|spam|starred|reply|reply all|forward|dashboard|settings|last seen|online|notifications|log out|logout|sign in|sign out|open tickets|orders today|search|archive|sent|new message|compose|unread|typing|wi fi|wifi|bluetooth|battery|privacy|airplane mode|home|profile|followers|following|like|share|comment|retweet|subscribe|cancel|edit|delete|send|back|menu|next|previous|download|upload|view all|see all|mark as read|delivered|seen|yesterday|today|chats|contacts|calls|status|updates|camera|gallery)\b/g;
const UI_PATTERNS = [/\bFrom:\s.*@/i, /\bTo:\s.*@/i, /\bSubject:/i, /\b\d{1,2}:\d{2}\b.*\b\d{1,3}\s?%/];
const uiHits = (t: TextStats): number => new Set(t.n.match(UI_KW) ?? []).size + UI_PATTERNS.filter((p) => p.test(t.raw)).length;
const distinct = (re: RegExp, s: string): number => new Set(s.match(re) ?? []).size;
/** A phone status bar: a clock and a battery level or network on one of the first lines. */
const statusBar = (t: TextStats): boolean =>
  t.raw.split('\n').slice(0, 3).some((l) => /\b\d{1,2}:\d{2}\b/.test(l) && /(\b\d{1,3}\s?%|\b(lte|5g|4g|3g|wi-?fi)\b)/i.test(l));
/** Chat bubbles: several short lines that are only a time stamp. */
const chatTimes = (t: TextStats): number => t.raw.split('\n').filter((l) => /^\s*\d{1,2}:\d{2}(\s?(am|pm))?\s*[✓✔]*\s*$/i.test(l)).length;

const CUES: Cue[] = [
  // Keywords count only on pages with amounts: an email saying "wrong invoice" is not an invoice.
  { type: 'invoice', name: 'keyword:invoice-title', weight: 1.6, test: (t) => INVOICE_KW.test(t.top) && !SIMPLIFIED.test(t.n) && !tillSlip(t) && t.moneyCount >= 1 },
  { type: 'invoice', name: 'keyword:invoice', weight: 0.6, test: (t) => INVOICE_KW.test(t.n) && !SIMPLIFIED.test(t.n) && !tillSlip(t) && t.moneyCount >= 1 },
  { type: 'receipt', name: 'till-slip', weight: 1.0, test: (t) => tillSlip(t) && t.moneyCount >= 2 },
  { type: 'invoice', name: 'invoice-number', weight: 1.0, test: (t) => INVOICE_NUMBER.test(t.n) && !SIMPLIFIED.test(t.n) && !tillSlip(t) && t.moneyCount >= 1 },
  { type: 'invoice', name: 'invoice-structure', weight: 0.5, test: (t) => distinct(INVOICE_STRUCT, t.n) >= 2 && t.moneyCount >= 1 },
  { type: 'invoice', name: 'invoice-structure-strong', weight: 0.8, test: (t) => distinct(INVOICE_STRUCT, t.n) >= 4 && t.moneyCount >= 1 },
  { type: 'receipt', name: 'keyword:receipt', weight: 1.2, test: (t) => distinct(RECEIPT_KW, t.n) >= 2 && t.moneyCount >= 1 },
  { type: 'receipt', name: 'receipt-vocabulary', weight: 1.0, test: (t) => distinct(RECEIPT_KW, t.n) >= 3 && t.moneyCount >= 1 },
  { type: 'receipt', name: 'receipt-vocabulary-strong', weight: 0.6, test: (t) => distinct(RECEIPT_KW, t.n) >= 5 && t.moneyCount >= 1 },
  { type: 'receipt', name: 'shape:narrow', weight: 0.9, test: (t) => t.aspect < 0.62 && t.moneyCount >= 2 },
  { type: 'receipt', name: 'monospace', weight: 0.6, test: (t) => t.monospace && t.moneyCount >= 2 },
  { type: 'invoice', name: 'totals', weight: 0.5, test: (t) => TOTAL_KW.test(t.n) && t.moneyCount >= 1 },
  { type: 'receipt', name: 'totals', weight: 0.5, test: (t) => TOTAL_KW.test(t.n) && t.moneyCount >= 1 },
  { type: 'screenshot', name: 'ui-words', weight: 1.4, test: (t) => uiHits(t) >= 2 },
  { type: 'screenshot', name: 'ui-words-many', weight: 1.2, test: (t) => uiHits(t) >= 4 },
  { type: 'screenshot', name: 'status-bar', weight: 1.5, test: statusBar },
  { type: 'screenshot', name: 'chat-bubbles', weight: 1.0, test: (t) => chatTimes(t) >= 2 },
  { type: 'photo', name: 'little-text', weight: 1.0, test: (t) => t.meaningful < 3 },
  { type: 'other', name: 'prose-without-amounts', weight: 1.2, test: (t) => t.words >= 25 && t.moneyCount === 0 && !INVOICE_KW.test(t.top) && distinct(RECEIPT_KW, t.n) < 2 },
];

/** Below this many meaningful tokens a page has "no meaningful text" and may be a photo. */
const PHOTO_MAX_MEANINGFUL = 5;

export function decideDocType(input: { vit: Record<DocType, number> | null; text: string; topText: string; words: number; aspect: number; monospace?: boolean }): DocTypeDecision {
  const stats: TextStats = {
    raw: input.text,
    n: norm(input.text),
    top: norm(input.topText),
    words: input.words,
    meaningful: (input.text.match(/[\p{L}\d]{3,}/gu) ?? []).length,
    // Money: two decimals, or next to a currency mark ("¥280", "950 USD").
    moneyCount: moneyCount(input.text),
    aspect: input.aspect,
    monospace: input.monospace ?? false,
  };
  const score: Record<DocType, number> = { invoice: 0, receipt: 0, screenshot: 0, photo: 0, other: 0 };
  const fired = new Map<DocType, string[]>();
  for (const c of CUES) {
    if (!c.test(stats)) continue;
    score[c.type] += c.weight;
    fired.set(c.type, [...(fired.get(c.type) ?? []), c.name]);
  }
  // The ViT sees only the look of the page; strong text and structure cues outweigh it.
  if (input.vit) for (const t of DOC_TYPES) score[t] += 1.5 * input.vit[t];
  // "Photo" means a picture without meaningful text: a page with text is some kind of document.
  if (stats.meaningful > PHOTO_MAX_MEANINGFUL) score.photo = -Infinity;
  const ranked = [...DOC_TYPES].sort((a, b) => score[b] - score[a]);
  const value = ranked[0];
  const exp = DOC_TYPES.map((t) => (Number.isFinite(score[t]) ? Math.exp(2.5 * score[t]) : 0));
  const z = exp.reduce((a, b) => a + b, 0);
  const confidence = Math.round((exp[DOC_TYPES.indexOf(value)] / z) * 1000) / 1000;
  const decidedBy: string[] = [];
  if (input.vit && DOC_TYPES.reduce((a, b) => (input.vit![a] >= input.vit![b] ? a : b)) === value) decidedBy.push('vit');
  decidedBy.push(...(fired.get(value) ?? []));
  if (stats.meaningful > PHOTO_MAX_MEANINGFUL && input.vit && DOC_TYPES.reduce((a, b) => (input.vit![a] >= input.vit![b] ? a : b)) === 'photo') decidedBy.push('has-text');
  if (!decidedBy.length) decidedBy.push(input.vit ? 'vit' : 'default');
  return { value, confidence, decidedBy };
}

function moneyCount(text: string): number {
  const cur = findCurrencies(text);
  return findAmounts(text).filter((a) => a.hasDecimals || cur.some((c) => Math.abs(c.index - a.index) <= 2 || Math.abs(c.index - (a.index + a.text.length)) <= 2)).length;
}
