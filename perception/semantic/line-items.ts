import type { LineItem, Word } from '../result.schema.ts';
import { parseAmount, type DecimalStyle } from './amount.ts';
import { norm } from './normalize.ts';
import { unionBox, meanConfidence, type Line } from './layout.ts';
import { findCurrencies } from './currency.ts';

/**
 * Line items from table-like rows: a row is a line with a description and at least one money amount at its
 * right. From the right: amount, then unit price; the quantity is a plain number or an "N x price" pattern.
 * Rows are looked for between the table header (if any, in any supported language) and the first
 * subtotal/tax/total line. A description line without amounts (receipts print "2 x 3.50" underneath) is
 * carried down to the next amount line.
 */
const HEADER_WORDS: Record<string, string[]> = {
  desc: ['description', 'item', 'items', 'article', 'artikel', 'bezeichnung', 'beschreibung', 'leistung', 'designation', 'descripcion', 'concepto', 'omschrijving', 'product', 'produkt', 'produit', 'service', 'details'],
  qty: ['qty', 'quantity', 'menge', 'anz', 'anzahl', 'qte', 'quantite', 'cantidad', 'cant', 'aantal', 'units', 'hrs', 'hours', 'stk', 'uds'],
  unit: ['unit price', 'price', 'rate', 'einzelpreis', 'e preis', 'preis', 'prix unitaire', 'pu', 'prix', 'precio', 'precio unitario', 'prijs', 'stukprijs', 'unit'],
  amount: ['amount', 'line total', 'total', 'betrag', 'gesamtpreis', 'gesamt', 'montant', 'importe', 'bedrag', 'totaal', 'summe'],
};

export function isHeaderLine(line: Line): boolean {
  const n = ` ${norm(line.text)} `;
  let kinds = 0;
  for (const words of Object.values(HEADER_WORDS)) if (words.some((w) => n.includes(` ${w} `))) kinds++;
  return kinds >= 2 && !/\d[.,]\d{2}/.test(line.text);
}

type Tok = { w: Word; kind: 'money' | 'int' | 'x' | 'text' | 'cur'; value?: number };

function classify(w: Word, hint?: DecimalStyle): Tok {
  const t = w.text.replace(/^[€$£]|[€$£]$/g, '');
  if (/^[x×*]$/i.test(t)) return { w, kind: 'x' };
  if (findCurrencies(w.text).length && !/\d/.test(w.text)) return { w, kind: 'cur' };
  if (/^-?\d{1,3}([.,'\u00a0 ]\d{3})*[.,]\d{2}-?$|^-?\d+[.,]\d{2}-?$/.test(t)) {
    const v = parseAmount(t, hint);
    if (v !== null) return { w, kind: 'money', value: v };
  }
  const q = /^(\d+(?:[.,]\d{1,3})?)(x|×)?$/i.exec(t);
  if (q) return { w, kind: q[2] ? 'x' : 'int', value: Number(q[1].replace(',', '.')) };
  return { w, kind: 'text' };
}

/** OCR splits "1 050,00" (space as thousands separator) into two words; join them back. */
function mergeGroupedNumbers(words: Word[]): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    const gap = prev ? w.box.x - (prev.box.x + prev.box.w) : Infinity;
    if (prev && /^\d{1,3}$/.test(prev.text) && /^\d{3}[.,]\d{2}\b/.test(w.text) && gap < w.box.h * 0.8) {
      out[out.length - 1] = { text: `${prev.text} ${w.text}`, confidence: Math.min(prev.confidence, w.confidence), box: unionBox([prev.box, w.box]) };
    } else out.push(w);
  }
  return out;
}

export function extractLineItems(lines: Line[], start: number, end: number, hint?: DecimalStyle): LineItem[] {
  const items: LineItem[] = [];
  let pending: Word[] | null = null;
  for (const line of lines.slice(start, end)) {
    const toks = mergeGroupedNumbers(line.words).map((w) => classify(w, hint));
    const money = toks.filter((t) => t.kind === 'money');
    const firstMoney = toks.findIndex((t) => t.kind === 'money');
    const head = toks.slice(0, firstMoney < 0 ? toks.length : firstMoney);
    const firstText = head.findIndex((t) => t.kind === 'text' && /\p{L}/u.test(t.w.text));
    // Description: the words before the amounts (a leading position number "1" is not part of it).
    const descWords = firstText < 0 ? [] : head.slice(firstText).filter((t) => t.kind === 'text').map((t) => t.w);
    const hasLetters = descWords.some((w) => /\p{L}{2}/u.test(w.text));
    if (!money.length) {
      pending = hasLetters ? descWords : null;
      continue;
    }
    let desc = hasLetters ? descWords : pending;
    pending = null;
    if (!desc || !desc.length) continue;
    const amount = money[money.length - 1];
    const unit = money.length >= 2 ? money[money.length - 2] : undefined;
    const xi = toks.findIndex((t) => t.kind === 'x');
    let qty: number | null = null;
    if (xi >= 0) {
      const before = toks[xi - 1];
      qty = toks[xi].value ?? (before && before.kind === 'int' ? (before.value ?? null) : null);
    } else {
      // The quantity column: a plain number after the description (or anywhere before the amounts on a
      // continuation line), never the leading position number.
      const ints = head.filter((t, i) => t.kind === 'int' && (firstText < 0 || i > firstText));
      if (ints.length) qty = ints[ints.length - 1].value ?? null;
    }
    let unitPrice = unit?.value ?? null;
    if (unitPrice === null && qty === 1) unitPrice = amount.value ?? null;
    if (unitPrice === null && qty !== null && qty > 0 && money.length === 1 && xi >= 0) unitPrice = null;
    const consistent = qty !== null && unitPrice !== null && Math.abs(qty * unitPrice - (amount.value ?? 0)) <= 0.011 * Math.max(1, qty);
    const words = [...desc, ...toks.filter((t) => t.kind !== 'text').map((t) => t.w)];
    desc = desc.filter((w) => !/^[-–:]+$/.test(w.text));
    items.push({
      description: desc.map((w) => w.text).join(' ').trim(),
      quantity: qty,
      unitPrice,
      amount: amount.value ?? null,
      confidence: Math.round((consistent ? 0.9 : 0.65) * (0.55 + 0.45 * meanConfidence(words)) * 1000) / 1000,
      box: unionBox(words.map((w) => w.box)),
    });
  }
  return items;
}
