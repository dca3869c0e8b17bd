import type { InvoiceFields, Word } from '../result.schema.ts';
import { inferDecimalStyle, findAmounts } from './amount.ts';
import { findCurrencies, ZERO_DECIMAL } from './currency.ts';
import { dueFromPhrase, dueFromTerms } from './terms.ts';
import { monthFromWord, type DateOrder } from './date.ts';
import { buildLines, type Line } from './layout.ts';
import { detectLanguage, type FieldKey } from './labels.ts';
import { candidatesFor, findLabelOccurrences, type LabelOccurrence, type ValueCandidate } from './candidates.ts';
import { norm } from './normalize.ts';
import { parseDateValue, parseDocNumber, parseMoney, type Parsed } from './values.ts';
import { found, missing, round, type FieldDraft } from './field-result.ts';
import { extractVendor } from './vendor.ts';
import { extractLineItems, isHeaderLine } from './line-items.ts';
import { runChecks } from './checks.ts';
import { fallbackTotal, itemArea, itemsSumTotal, largerBelow, pickSubtotal, pickTax, pickTotal, taxTableLines, type Scored } from './totals.ts';

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
  // A table header wrapped over two or three lines ("VK-Preis | Ohne | MwSt."): its continuation lines, without
  // numbers, are header too.
  for (const h of [...headerLines]) for (const l of lines.slice(h + 1, h + 3)) if (!/\d/.test(l.text)) headerLines.add(l.index);
  const taxTable = taxTableLines(lines);
  const items = itemArea(lines, occ, headerLines);
  const usable = occ.filter(
    (o) =>
      !(TOTALISH.has(o.def.field) && headerLines.has(o.line.index)) &&
      // A bare "No."/"Nr." inside a segment is an address or a sentence ("Warehouse Address: NO. 42/1"),
      // unless what precedes it names the invoice ("Handelsrechnung (380) Nr.").
      !(o.def.field === 'number' && o.def.strength < 0.8 && o.lead > 0 && !TITLE_LINE.test(norm(o.segment.words.slice(0, o.lead).map((w) => w.text).join(' ')))) &&
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

  const subtotalPick = pickSubtotal(subtotalC, taxC, totalC);
  const taxPick = pickTax(taxC.filter((t) => !subtotalPick || t.parsed.value !== subtotalPick.parsed.value || t.cand.occ.line !== subtotalPick.cand.occ.line), subtotalPick, totalC);

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
  const itemsSum = lineItems.length >= 1 && !subtotalPick ? Math.round(lineItems.reduce((a, i) => a + (i.amount ?? 0), 0) * 100) / 100 : null;
  const totalPick = pickTotal(totalC, subtotalPick, taxPick, lines, itemsSum);

  const subtotal = subtotalPick ? draft(subtotalPick, 'subtotal') : missing<number>('no subtotal/net amount label found');
  const tax = taxPick ? draft(taxPick, 'tax') : missing<number>('no tax/VAT label with an amount found');
  const total = totalPick ? draft(totalPick, 'total') : ((subtotalPick && largerBelow(lines, subtotalPick.cand.occ.line.index, subtotalPick.parsed.value, money) ? null : itemsSumTotal(lines, lineItems, start, money)) ?? fallbackTotal(lines, money));
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
