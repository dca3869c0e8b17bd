import type { DocType } from '../vit/vit.model.ts';
import { DOC_TYPES } from '../vit/vit.model.ts';
import { norm } from './normalize.ts';
import { findAmounts } from './amount.ts';

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
  moneyCount: number;
  aspect: number;
}

const INVOICE_KW = /\b(invoice|tax invoice|rechnung|rechnungsnummer|facture|factura|factuur|fattura|faktura|invoice number|factuurnummer)\b/;
const RECEIPT_KW = /\b(receipt|sales receipt|kassenbon|quittung|kassabon|ticket de caisse|ticket|recibo|recu|factura simplificada|bon nr|beleg nr|card payment|kartenzahlung|paiement cb|pago con tarjeta|pinbetaling|cash|change due|ruckgeld|wechselgeld|cambio|thank you for shopping|vielen dank fur ihren einkauf|merci de votre visite|gracias por su compra)\b/;
/** A Spanish "simplified invoice" is a till receipt. */
const SIMPLIFIED = /\b(factura simplificada|ticket de caisse)\b/;
const TOTAL_KW = /\b(total|gesamt|gesamtbetrag|summe|totaal|te betalen|montant|importe|amount due|net a payer)\b/;
const DUE_KW = /\b(due date|payment due|fallig|faellig|zahlbar bis|echeance|vencimiento|vervaldatum|iban|bank transfer|uberweisung|virement|transferencia)\b/;
/** UI chrome words that prose rarely contains; counted as distinct hits. */
const UI_KW = /\b(type a message|write a message|inbox|drafts|spam|reply|reply all|dashboard|settings|last seen|online|notifications|log out|logout|sign in|open tickets|orders today|search|archive|sent|new message|compose|unread|typing)\b/g;
const UI_PATTERNS = [/\bFrom:\s.*@/i, /\bTo:\s.*@/i, /\b\d{1,2}:\d{2}\b.*\b100\s?%/, /\bSubject:/i];
const uiHits = (t: TextStats): number => new Set(t.n.match(UI_KW) ?? []).size + UI_PATTERNS.filter((p) => p.test(t.raw)).length;

const CUES: Cue[] = [
  // Keywords count only on pages with amounts: an email saying "wrong invoice" is not an invoice.
  { type: 'invoice', name: 'keyword:invoice-title', weight: 1.6, test: (t) => INVOICE_KW.test(t.top) && !SIMPLIFIED.test(t.n) && t.moneyCount >= 2 },
  { type: 'invoice', name: 'keyword:invoice', weight: 0.6, test: (t) => INVOICE_KW.test(t.n) && !SIMPLIFIED.test(t.n) && t.moneyCount >= 2 },
  { type: 'invoice', name: 'payment-terms', weight: 0.6, test: (t) => DUE_KW.test(t.n) && t.moneyCount >= 1 },
  { type: 'receipt', name: 'keyword:receipt', weight: 1.6, test: (t) => RECEIPT_KW.test(t.n) && t.moneyCount >= 1 },
  { type: 'receipt', name: 'shape:narrow', weight: 0.7, test: (t) => t.aspect < 0.62 && t.moneyCount >= 2 },
  { type: 'invoice', name: 'totals', weight: 0.5, test: (t) => TOTAL_KW.test(t.n) && t.moneyCount >= 2 },
  { type: 'receipt', name: 'totals', weight: 0.5, test: (t) => TOTAL_KW.test(t.n) && t.moneyCount >= 2 },
  { type: 'screenshot', name: 'ui-words', weight: 1.4, test: (t) => uiHits(t) >= 2 },
  { type: 'photo', name: 'little-text', weight: 1.0, test: (t) => t.words < 4 },
  { type: 'other', name: 'prose-without-amounts', weight: 1.2, test: (t) => t.words >= 25 && t.moneyCount === 0 && !INVOICE_KW.test(t.top) && !RECEIPT_KW.test(t.n) },
];

export function decideDocType(input: { vit: Record<DocType, number> | null; text: string; topText: string; words: number; aspect: number }): DocTypeDecision {
  const stats: TextStats = {
    raw: input.text,
    n: norm(input.text),
    top: norm(input.topText),
    words: input.words,
    moneyCount: findAmounts(input.text).filter((a) => a.hasDecimals).length,
    aspect: input.aspect,
  };
  const score: Record<DocType, number> = { invoice: 0, receipt: 0, screenshot: 0, photo: 0, other: 0 };
  const fired = new Map<DocType, string[]>();
  for (const c of CUES) {
    if (!c.test(stats)) continue;
    score[c.type] += c.weight;
    fired.set(c.type, [...(fired.get(c.type) ?? []), c.name]);
  }
  // Receipts say "total" too; a clear receipt keyword outweighs the generic invoice cues and vice versa.
  if (input.vit) for (const t of DOC_TYPES) score[t] += 2.2 * input.vit[t];
  const ranked = [...DOC_TYPES].sort((a, b) => score[b] - score[a]);
  const value = ranked[0];
  const exp = DOC_TYPES.map((t) => Math.exp(2.5 * score[t]));
  const z = exp.reduce((a, b) => a + b, 0);
  const confidence = Math.round((exp[DOC_TYPES.indexOf(value)] / z) * 1000) / 1000;
  const decidedBy: string[] = [];
  if (input.vit && DOC_TYPES.reduce((a, b) => (input.vit![a] >= input.vit![b] ? a : b)) === value) decidedBy.push('vit');
  decidedBy.push(...(fired.get(value) ?? []));
  if (!decidedBy.length) decidedBy.push(input.vit ? 'vit' : 'default');
  return { value, confidence, decidedBy };
}
