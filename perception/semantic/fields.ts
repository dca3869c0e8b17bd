import type { InvoiceFields, Word } from '../result.schema.ts';
import { inferDecimalStyle, findAmounts, type DecimalStyle } from './amount.ts';
import { findCurrencies, ZERO_DECIMAL } from './currency.ts';
import { dueFromPhrase, dueFromTerms } from './terms.ts';
import { monthFromWord, type DateOrder } from './date.ts';
import { buildLines, type Line } from './layout.ts';
import { detectLanguage, type FieldKey } from './labels.ts';
import { candidatesFor, findLabelOccurrences, type LabelOccurrence, type ValueCandidate } from './candidates.ts';
import { findLabels } from './labels.ts';
import { norm } from './normalize.ts';
import { parseDateValue, parseDocNumber, parseMoney, type Parsed } from './values.ts';
import { found, missing, round, type FieldDraft } from './field-result.ts';
import { extractVendor } from './vendor.ts';
import { extractLineItems, isHeaderLine } from './line-items.ts';
import { runChecks } from './checks.ts';

/**
 * Invoice/receipt fields from words with boxes (OCR or a PDF text layer). No language model: label
 * dictionaries in five languages, layout-aware value search, locale-tolerant parsers, then arithmetic checks
 * that raise or lower each field's confidence. A value is taken from the text; the one exception is a due date
 * computed from printed payment terms ("Net 30"), which says so in its reasons.
 */
export interface ExtractInput {
  words: Word[];
  pageHeights: number[];
}

interface Scored<T> {
  parsed: Parsed<T>;
  cand: ValueCandidate;
  score: number;
}

const TOTALISH = new Set<FieldKey>(['subtotal', 'tax', 'total']);

export function extractInvoiceFields(input: ExtractInput): InvoiceFields {
  const lines = buildLines(input.words);
  const text = lines.map((l) => l.text).join('\n');
  const hint = inferDecimalStyle(text);
  const occ = findLabelOccurrences(lines);
  const language = detectLanguage(occ.map((o) => ({ def: o.def, start: 0, end: 0 })));
  const currency = extractCurrency(lines, occ);
  const order = dateOrder(text, currency.value);
  const headerLines = new Set(lines.filter(isHeaderLine).map((l) => l.index));
  const taxTable = taxTableLines(lines);
  const items = itemArea(lines, occ, headerLines);
  const usable = occ.filter(
    (o) =>
      !(TOTALISH.has(o.def.field) && headerLines.has(o.line.index)) &&
      // A money label deep inside a sentence is prose ("… wird der Steuerbetrag sowohl in …").
      !(TOTALISH.has(o.def.field) && o.lead > 3) &&
      // "19 % VAT" in an item row is that row's rate, not the document's tax (a VAT breakdown's rows are).
      !(o.def.field === 'tax' && items.has(o.line.index) && !taxTable.rows.has(o.line.index)) &&
      !(o.def.field === 'tax' && o.segIndex >= 1 && o.segment.words.slice(0, o.lead).some((w) => /%/.test(w.text))) &&
      // A VAT breakdown's header and its "Total" row are not the document's totals (its rate rows are the tax).
      !(taxTable.header.has(o.line.index) || ((o.def.field === 'total' || o.def.field === 'subtotal') && taxTable.rows.has(o.line.index))),
  );

  const number = best(usable, lines, 'number', (c) => parseDocNumber(c.words));
  const issue = best(usable, lines, 'issueDate', (c) => dateAfterLabel(c, order));
  const due = best(usable, lines, 'dueDate', (c) => dateAfterLabel(c, order));
  // Yen, won…: whole numbers are money. (Not merely "no decimals found": OCR losing decimal points on a
  // ringgit receipt would then turn 12.37 into 1237.)
  const money = { hint, integers: currency.value !== null && ZERO_DECIMAL.has(currency.value) };
  const subtotalC = all(usable, lines, 'subtotal', (c) => parseMoney(c.words, money), true);
  const taxC = all(usable, lines, 'tax', (c) => parseMoney(c.words, money), true);
  // A total of zero is a misread or a "total paid by voucher" line, never the amount of the document.
  const totalC = all(usable, lines, 'total', (c) => parseMoney(c.words, money), true).filter((x) => x.parsed.value > 0);

  const subtotalPick = subtotalC[0] ?? null;
  const taxPick = pickTax(taxC.filter((t) => !subtotalPick || t.parsed.value !== subtotalPick.parsed.value || t.cand.occ.line !== subtotalPick.cand.occ.line), subtotalPick, totalC);
  const totalPick = pickTotal(totalC, subtotalPick, taxPick, lines);

  const issueDate = issue ? draft(issue, 'issue date') : fallbackDate(lines, order, due?.parsed.value ?? null);
  const dueDate = due ? draft(due, 'due date') : (dueFromPhrase(lines, order) ?? dueFromTerms(lines, issueDate.value) ?? missing<string>('no due-date label or payment terms found'));
  const vendor = extractVendor(lines, occ, input.pageHeights[0] ?? Infinity);

  // Line items sit between the table header (or the last meta line) and the first totals line.
  const header = lines.findIndex((l) => headerLines.has(l.index));
  const metaEnd = Math.max(-1, ...usable.filter((o) => ['number', 'issueDate', 'dueDate'].includes(o.def.field)).map((o) => o.line.index));
  const start = header >= 0 ? header + 1 : metaEnd + 1;
  const firstTotal = usable.filter((o) => TOTALISH.has(o.def.field) && o.line.index >= start).map((o) => o.line.index);
  // Payment lines (cash, change, card) end the items too: a receipt whose total label OCR lost still has them.
  const firstPayment = occ.filter((o) => o.def.payment && o.line.index >= start).map((o) => o.line.index);
  const end = Math.min(lines.length, ...firstTotal, ...firstPayment);
  const lineItems = extractLineItems(lines, start, end, hint);

  const subtotal = subtotalPick ? draft(subtotalPick, 'subtotal') : missing<number>('no subtotal/net amount label found');
  const tax = taxPick ? draft(taxPick, 'tax') : missing<number>('no tax/VAT label with an amount found');
  const total = totalPick ? draft(totalPick, 'total') : (itemsSumTotal(lines, lineItems, start, money) ?? fallbackTotal(lines, money));
  const checks = runChecks({
    issueDate, dueDate, currency, subtotal, tax, total, lineItems,
    dateLabelSeen: usable.some((o) => o.def.field === 'issueDate'),
  });
  const out = ({ ocr: _ocr, ...f }: FieldDraft<unknown>) => ({ ...f, confidence: round(f.confidence, 3) });
  return {
    vendor: out(vendor) as InvoiceFields['vendor'],
    number: number ? (out(draft(number, 'number')) as InvoiceFields['number']) : (missing<string>('no invoice/receipt number label found') as InvoiceFields['number']),
    issueDate: out(issueDate) as InvoiceFields['issueDate'],
    dueDate: out(dueDate) as InvoiceFields['dueDate'],
    currency: out(currency) as InvoiceFields['currency'],
    subtotal: out(subtotal) as InvoiceFields['subtotal'],
    tax: out(tax) as InvoiceFields['tax'],
    total: out(total) as InvoiceFields['total'],
    lineItems,
    checks,
    language,
  };
}

/** A line that names the document ("Rechnung Nr. 4711 vom 05.06.2018") holds its own number and date. */
const TITLE_LINE = /(rechnung|invoice|facture|factura|factuur|fattura|faktura|receipt|quittung|beleg)\b/;

/**
 * A date right after its label. Words between them make it another date ("Date début : 01/12/2019",
 * "Date de livraison"), except a month name or weekday that is part of the date itself.
 */
function dateAfterLabel(c: ValueCandidate, order: DateOrder): Parsed<string> | null {
  const first = c.words[0]?.text.replace(/[:.,]+$/, '') ?? '';
  if (c.where === 'inline' && /^\p{L}{2,}$/u.test(first) && !monthFromWord(first) && !WEEKDAY.test(first)) return null;
  return parseDateValue(c.words, order);
}
const WEEKDAY = /^((mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miercoles|jueves|viernes|sabado|domingo|mo|di|mi|do|fr|sa|so|vom|du|del|le|den|am|on|of|dated)$/i;

function score<T>(p: Parsed<T>, c: ValueCandidate): number {
  const own = (c.occ.def.field === 'number' || c.occ.def.field === 'issueDate') && TITLE_LINE.test(norm(c.occ.line.text)) ? 0.15 : 0;
  return c.occ.def.strength * c.position + own;
}

const RATE_WORD = /(%|\b(rate|satz|code|taux|tasa|tarief|steuersatz|ust satz|mwst satz)\b)/;
const AMOUNT_WORD = /\b(amt|amount|betrag|netto|net|brutto|gross|base|basis|montant|importe|bedrag|warenwert)\b/;

/** Item rows: from a table header to the first subtotal/total label after it. */
function itemArea(lines: Line[], occ: LabelOccurrence[], headerLines: Set<number>): Set<number> {
  const out = new Set<number>();
  for (const h of headerLines) {
    const end = Math.min(lines.length, ...occ.filter((o) => (o.def.field === 'total' || o.def.field === 'subtotal') && o.line.index > h && !headerLines.has(o.line.index)).map((o) => o.line.index));
    for (let i = h + 1; i < end; i++) out.add(i);
  }
  return out;
}

/** A VAT breakdown table: a header naming tax, rate and amount columns, and the rows under it. */
function taxTableLines(lines: Line[]): { header: Set<number>; rows: Set<number> } {
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

function all<T>(occ: LabelOccurrence[], lines: Line[], field: FieldKey, parse: (c: ValueCandidate) => Parsed<T> | null, wholeLine = false): Scored<T>[] {
  const out: Scored<T>[] = [];
  for (const o of occ) {
    if (o.def.field !== field) continue;
    for (const c of candidatesFor(o, lines, { wholeLine })) {
      const p = parse(c);
      if (p) {
        out.push({ parsed: p, cand: c, score: score(p, c) });
        break;
      }
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

function best<T>(occ: LabelOccurrence[], lines: Line[], field: FieldKey, parse: (c: ValueCandidate) => Parsed<T> | null): Scored<T> | null {
  return all(occ, lines, field, parse)[0] ?? null;
}

function draft<T>(s: Scored<T>, name: string): FieldDraft<T> {
  const label = s.cand.occ.segment.text.trim().slice(0, 40);
  const reasons: string[] = [];
  if (s.cand.occ.def.strength < 0.9) reasons.push(`matched only the generic label "${label}"`);
  if (s.cand.where === 'below') reasons.push(`value read below the label "${label}"`);
  reasons.push(...s.parsed.doubts);
  const f = found(s.parsed.value, s.parsed.words, s.score * (s.parsed.doubts.length ? 0.7 : 1), reasons);
  void name;
  return f;
}

/** A line that states the tax amount itself ("Total VAT", "Steuerbetrag", "Montant TVA") rather than one rate. */
const TAX_TOTAL = /(\btotal|\bsumme|\bgesamt|\btotaal|\btotale|\bmontant|betrag\b|\bamount\b|\bcuota\b|\bimporte\b)/;
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.011;

/**
 * The tax: one line, or the sum of several rate lines ("MwSt 7 % 3,50" + "MwSt 19 % 19,00"). A "total VAT" line
 * wins; otherwise the rate lines are summed when the sum makes subtotal + tax = total, or when their rates differ.
 */
function pickTax(c: Scored<number>[], sub: Scored<number> | null, totals: Scored<number>[]): Scored<number> | null {
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
function pickTotal(c: Scored<number>[], sub: Scored<number> | null, tax: Scored<number> | null, lines: Line[]): Scored<number> | null {
  if (!c.length) return null;
  const maxLine = Math.max(1, lines.length - 1);
  // After a rounding line ("Rounding -0.01", "Rundung"), the rounded total below it is the one to pay.
  const rounding = lines.find((l) => ROUNDING.test(norm(l.text)))?.index ?? Infinity;
  const ranked = c.map((x) => {
    let s = x.score + 0.3 * (x.cand.occ.line.index / maxLine);
    if (x.cand.occ.line.index > rounding) s += 0.4;
    if (sub && tax && Math.abs(sub.parsed.value + tax.parsed.value - x.parsed.value) <= 0.011) s += 1;
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
function itemsSumTotal(lines: Line[], items: { amount: number | null }[], from: number, money: { hint?: DecimalStyle; integers?: boolean }): FieldDraft<number> | null {
  const amounts = items.map((i) => i.amount).filter((a): a is number => a !== null);
  if (amounts.length < 2) return null;
  const sum = Math.round(amounts.reduce((a, b) => a + b, 0) * 100) / 100;
  for (const l of lines.slice(from)) {
    if (findLabels(norm(l.text)).some((h) => h.def.payment)) continue;
    for (const seg of l.segments) {
      const p = parseMoney(seg.words, money);
      if (p && near(p.value, sum)) return found(p.value, p.words, 0.6, ['no total label found: took the amount below the items that equals their sum']);
    }
  }
  return null;
}

/**
 * Without a total label, the largest amount with a currency mark is the best guess — flagged as such. Payment
 * lines (cash tendered, change, card) are not candidates: the cash handed over is often the largest amount.
 */
function fallbackTotal(lines: Line[], money: { hint?: DecimalStyle; integers?: boolean }): FieldDraft<number> {
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

function fallbackDate(lines: Line[], order: DateOrder, dueIso: string | null): FieldDraft<string> {
  // Whole lines, not segments: OCR gaps can split "Mar 7," from "2024".
  for (const l of lines) {
    const p = parseDateValue(l.words, order);
    if (p && p.value !== dueIso) return found(p.value, p.words, 0.7, ['no date label: took the first date on the document', ...p.doubts]);
  }
  return missing('no date found');
}

const CURRENCY_LABEL = /\b(currency|wahrung|devise|moneda|valuta|divisa|rechnungswahrung|invoice currency)\b/;

/** The currency printed most often next to amounts, with the totals' lines counting triple. */
function extractCurrency(lines: Line[], occ: LabelOccurrence[]): FieldDraft<string> {
  const totalLines = new Set(occ.filter((o) => TOTALISH.has(o.def.field)).map((o) => o.line.index));
  const votes = new Map<string, { n: number; ambiguous: boolean; words: Word[] }>();
  for (const l of lines) {
    const hasAmount = findAmounts(l.text).some((a) => a.hasDecimals);
    for (const seg of l.segments) {
      for (const c of findCurrencies(seg.text)) {
        // A stated currency ("Währung: GBP", "Devise : EUR") outweighs codes printed elsewhere (a second
        // currency shown for reference).
        const stated = CURRENCY_LABEL.test(norm(l.text)) ? 100 : 1;
        const w = (totalLines.has(l.index) ? 3 : 1) * (hasAmount ? 1 : 0.3) * stated;
        const v = votes.get(c.code) ?? { n: 0, ambiguous: c.ambiguous, words: seg.words };
        v.n += w;
        v.ambiguous = v.ambiguous && c.ambiguous;
        votes.set(c.code, v);
      }
    }
  }
  const ranked = [...votes].sort((a, b) => b[1].n - a[1].n);
  if (!ranked.length) return missing('no currency symbol or ISO code found');
  const [code, v] = ranked[0];
  const reasons: string[] = [];
  if (v.ambiguous) reasons.push(`the symbol is shared by several currencies; read as ${code}`);
  if (ranked.length > 1) reasons.push(`other currencies also appear (${ranked.slice(1).map(([c]) => c).join(', ')})`);
  const f = found(code, v.words.filter((w) => findCurrencies(w.text).length).slice(0, 1).concat().length ? v.words.filter((w) => findCurrencies(w.text).length).slice(0, 1) : v.words, v.ambiguous ? 0.6 : 0.95, reasons);
  return f;
}

/** Day-first unless a date proves month-first, or the document is in US dollars with no day-first proof. */
function dateOrder(text: string, currency: string | null): DateOrder {
  for (const m of text.matchAll(/(?<![\d.,])(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})(?!\d)/g)) {
    if (+m[1] > 12) return 'dmy';
    if (+m[2] > 12) return 'mdy';
  }
  return currency === 'USD' ? 'mdy' : 'dmy';
}
