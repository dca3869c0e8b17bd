import type { Word } from '../result.schema.ts';
import type { DecimalStyle } from './amount.ts';
import { findCurrencies } from './currency.ts';
import type { LabelOccurrence, ValueCandidate } from './candidates.ts';
import { found, missing, type FieldDraft } from './field-result.ts';
import { findLabels } from './labels.ts';
import type { Line } from './layout.ts';
import { norm } from './normalize.ts';
import { parseMoney, type Parsed } from './values.ts';

/**
 * Choosing the subtotal/tax/total among label candidates: VAT breakdown tables and item rows set aside, the tax
 * summed over rate lines when the arithmetic says so, the total preferred where subtotal + tax = total, and
 * fallbacks (the items' sum, the largest amount with a currency) flagged as such.
 */
export interface Scored<T> {
  parsed: Parsed<T>;
  cand: ValueCandidate;
  score: number;
}

/** A line that states the tax amount itself ("Total VAT", "Steuerbetrag", "Montant TVA") rather than one rate. */
const TAX_TOTAL = /(\btotal|\bsumme|\bgesamt|\btotaal|\btotale|\bmontant|betrag\b|\bamount\b|\bcuota\b|\bimporte\b)/;

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.011;

/**
 * The subtotal: with section subtotals ("Subtotal" per product group, then the overall one), the one that makes
 * subtotal + tax = total, else the strongest label, the lowest on the page among equals.
 */
export function pickSubtotal(c: Scored<number>[], taxes: Scored<number>[], totals: Scored<number>[]): Scored<number> | null {
  if (c.length < 2) return c[0] ?? null;
  const fit = c.find((s) => taxes.some((t) => totals.some((T) => near(s.parsed.value + t.parsed.value, T.parsed.value))));
  if (fit) return fit;
  const top = Math.max(...c.map((x) => x.score));
  return c.filter((x) => x.score >= top - 1e-9).sort((a, b) => b.cand.occ.line.index - a.cand.occ.line.index)[0];
}

/**
 * The tax: one line, or the sum of several rate lines ("MwSt 7 % 3,50" + "MwSt 19 % 19,00"). A "total VAT" line
 * wins; otherwise the rate lines are summed when the sum makes subtotal + tax = total, or when their rates differ.
 */
export function pickTax(c: Scored<number>[], sub: Scored<number> | null, totals: Scored<number>[]): Scored<number> | null {
  if (!c.length) return null;
  const labelled = c.find((x) => TAX_TOTAL.test(x.cand.occ.def.text) || TAX_TOTAL.test(norm(x.cand.occ.segment.text)));
  if (labelled) return labelled;
  const perLine = new Map<number, Scored<number>>();
  for (const x of c) if (!perLine.has(x.cand.occ.line.index) && x.parsed.value > 0) perLine.set(x.cand.occ.line.index, x);
  const rows = [...perLine.values()];
  if (rows.length < 2) return c[0];
  const sum = Math.round(rows.reduce((s, x) => s + x.parsed.value, 0) * 100) / 100;
  const fits = (v: number): boolean => !!sub && totals.some((t) => near(sub.parsed.value + v, t.parsed.value));
  // Arithmetic decides first: one line, or all rate lines together, that make subtotal + tax = total.
  const single = rows.find((x) => fits(x.parsed.value));
  if (single && !fits(sum)) return single;
  const rates = new Set(rows.map((x) => /(\d{1,2}(?:[.,]\d{1,2})?)\s?%/.exec(x.cand.occ.line.text)?.[1] ?? ''));
  if (!fits(sum) && rates.size < rows.length) return c[0];
  const first = rows[0];
  return {
    parsed: { value: sum, text: rows.map((x) => x.parsed.text).join(' + '), words: rows.flatMap((x) => x.parsed.words), doubts: [] },
    cand: first.cand,
    score: Math.min(...rows.map((x) => x.score)),
  };
}

const ROUNDING = /\b(rounding|rounding adj|rounding adjustment|round off|rundung|arrondi|redondeo|afronding|arrotondamento)\b/;

/** The total: prefer strong labels, lower lines, and a value that equals subtotal + tax. */
export function pickTotal(c: Scored<number>[], sub: Scored<number> | null, tax: Scored<number> | null, lines: Line[], itemsSum: number | null = null): Scored<number> | null {
  if (!c.length) return null;
  const maxLine = Math.max(1, lines.length - 1);
  // After a rounding line ("Rounding -0.01", "Rundung"), the rounded total below it is the one to pay.
  const rounding = lines.find((l) => ROUNDING.test(norm(l.text)))?.index ?? Infinity;
  const ranked = c.map((x) => {
    let s = x.score + 0.3 * (x.cand.occ.line.index / maxLine);
    if (x.cand.occ.line.index > rounding) s += 0.4;
    if (sub && tax && Math.abs(sub.parsed.value + tax.parsed.value - x.parsed.value) <= 0.011) s += 1;
    // Without a subtotal, a total equal to the items' sum agrees with the document ("Grand Total ₹319.00"
    // misread as "7 319.00" loses to the "Total 319.00" row).
    if (itemsSum !== null && Math.abs(itemsSum - x.parsed.value) <= 0.011) s += 0.6;
    if (sub && Math.abs(sub.parsed.value - x.parsed.value) <= 0.001 && (!tax || tax.parsed.value !== 0)) s -= 0.5;
    return { x, s };
  });
  ranked.sort((a, b) => b.s - a.s);
  return ranked[0].x;
}

/**
 * Without a total label (OCR garbled it), an amount printed below the items that equals their sum is the total:
 * grounded twice, in the text and in the arithmetic.
 */
export function itemsSumTotal(lines: Line[], items: { amount: number | null }[], from: number, money: { hint?: DecimalStyle; integers?: boolean }): FieldDraft<number> | null {
  const amounts = items.map((i) => i.amount).filter((a): a is number => a !== null);
  if (amounts.length < 2) return null;
  const sum = Math.round(amounts.reduce((a, b) => a + b, 0) * 100) / 100;
  for (const l of lines.slice(from)) {
    if (findLabels(norm(l.text)).some((h) => h.def.payment || h.def.field === 'tax')) continue;
    for (const seg of l.segments) {
      const p = parseMoney(seg.words, money);
      if (p && near(p.value, sum)) return found(p.value, p.words, 0.6, ['no total label found: took the amount below the items that equals their sum']);
    }
  }
  return null;
}

/**
 * Whether a larger amount than `value` is printed below line `from`, outside payment lines: then the items'
 * sum is the net amount and tax comes on top ("Base imponible 5710.87" … "6910.15 EUR").
 */
export function largerBelow(lines: Line[], from: number, value: number, money: { hint?: DecimalStyle; integers?: boolean }): boolean {
  return lines.slice(from + 1).some(
    (l) => !findLabels(norm(l.text)).some((h) => h.def.payment) && l.segments.some((seg) => (parseMoney(seg.words, money)?.value ?? 0) > value + 0.005),
  );
}

/**
 * Without a total label, the largest amount with a currency mark is the best guess — flagged as such. Payment
 * lines (cash tendered, change, card) are not candidates: the cash handed over is often the largest amount.
 */
export function fallbackTotal(lines: Line[], money: { hint?: DecimalStyle; integers?: boolean }): FieldDraft<number> {
  let bestW: { v: number; words: Word[] } | null = null;
  for (const l of lines) {
    if (!findCurrencies(l.text).length) continue;
    if (findLabels(norm(l.text)).some((h) => h.def.payment || (h.def.field !== 'none' && h.def.field !== 'total'))) continue;
    for (const seg of l.segments) {
      const p = parseMoney(seg.words, money);
      if (p && (!bestW || p.value > bestW.v)) bestW = { v: p.value, words: p.words };
    }
  }
  if (!bestW) return missing('no total label and no amount with a currency found');
  return found(bestW.v, bestW.words, 0.45, ['no total label found: took the largest amount with a currency']);
}

const RATE_WORD = /(%|\b(rate|satz|code|taux|tasa|tarief|steuersatz|ust satz|mwst satz)\b)/;

const AMOUNT_WORD = /\b(amt|amount|betrag|netto|net|brutto|gross|base|basis|montant|importe|bedrag|warenwert)\b/;

/** Item rows: from a table header to the first subtotal/total label after it. */
export function itemArea(lines: Line[], occ: LabelOccurrence[], headerLines: Set<number>): Set<number> {
  const out = new Set<number>();
  for (const h of headerLines) {
    const end = Math.min(lines.length, ...occ.filter((o) => (o.def.field === 'total' || o.def.field === 'subtotal') && o.line.index > h && !headerLines.has(o.line.index)).map((o) => o.line.index));
    for (let i = h + 1; i < end; i++) out.add(i);
  }
  return out;
}

/** A VAT breakdown table: a header naming tax, rate and amount columns, and the rows under it. */
export function taxTableLines(lines: Line[]): { header: Set<number>; rows: Set<number> } {
  const header = new Set<number>();
  const rows = new Set<number>();
  for (const l of lines) {
    const n = norm(l.text);
    // Two tax words (a rate column and a tax-amount column: "USt. % | USt.-Betrag", "Tax Code | Tax(RM)").
    const taxWords = (n.match(/(tax|gst|vat|mwst|ust|tva|iva|btw|steuer|moms)/g) ?? []).length;
    if (!(taxWords >= 2 && RATE_WORD.test(l.text.toLowerCase()) && AMOUNT_WORD.test(n)) || /\d[.,]\d{2}/.test(l.text)) continue;
    header.add(l.index);
    // Its rows (and its own "Total" row) print several numbers side by side; the table ends where that stops.
    for (const row of lines.slice(l.index + 1, l.index + 8)) {
      if ((row.text.match(/\d+(?:[.,]\d+)?/g) ?? []).length < 2) break;
      rows.add(row.index);
    }
  }
  return { header, rows };
}
