import type { Word } from '../result.schema.ts';
import { findAmounts, type DecimalStyle } from './amount.ts';
import { findCurrencies } from './currency.ts';
import { findDates, type DateOrder } from './date.ts';

/** Value parsers for label candidates: each returns the parsed value and the exact words it came from. */
export interface Parsed<T> {
  value: T;
  text: string;
  words: Word[];
  /** Extra doubt, e.g. an ambiguous day/month order. */
  doubts: string[];
}

/** Words whose text overlaps [start, end) of `words.join(' ')`. */
function wordsIn(words: Word[], start: number, end: number): Word[] {
  const out: Word[] = [];
  let p = 0;
  for (const w of words) {
    const s = p;
    const e = p + w.text.length;
    if (e > start && s < end) out.push(w);
    p = e + 1;
  }
  return out.length ? out : words;
}

export interface MoneyOptions {
  hint?: DecimalStyle;
  /** Whole numbers count as money (yen, won; or a document that prints no decimals at all). */
  integers?: boolean;
}

/**
 * Money: the last amount with 2 decimals (or any amount next to a currency mark; or any whole amount when
 * `integers`). Percentages are ignored. The last one, because a rate line prints its base before the tax
 * ("VAT 20% on 100.00   20.00") and amounts columns sit at the right.
 */
export function parseMoney(words: Word[], opts?: DecimalStyle | MoneyOptions): Parsed<number> | null {
  const o: MoneyOptions = typeof opts === 'string' || opts === undefined ? { hint: opts } : opts;
  // OCR sometimes reads the decimal point of a small amount as a colon ("5:27"); next to a money label a
  // time of day is unlikely, so it is read as a decimal separator. Swiss whole francs print as "12.–".
  const shown = words.map((w) => ({ ...w, text: w.text.replace(/^(\d{1,3}):(\d{2})$/, '$1.$2').replace(/^(\d[\d'’.,]*)[.,][–—-]{1,2}$/, '$1.00') }));
  const text = shown.map((w) => w.text).join(' ');
  const cur = findCurrencies(text);
  const amounts = findAmounts(text, o.hint).filter(
    (a) => a.hasDecimals || o.integers || cur.some((c) => Math.abs(c.index - a.index) <= 2 || Math.abs(c.index - (a.index + a.text.length)) <= 2),
  );
  const a = amounts[amounts.length - 1];
  if (!a) return null;
  const idx = indicesIn(shown, a.index, a.index + a.text.length);
  return { value: a.value, text: a.text, words: idx.map((i) => words[i]), doubts: [] };
}

/** Indices of the words whose text overlaps [start, end) of `words.join(' ')`. */
function indicesIn(words: Word[], start: number, end: number): number[] {
  const out: number[] = [];
  let p = 0;
  words.forEach((w, i) => {
    const s = p;
    const e = p + w.text.length;
    if (e > start && s < end) out.push(i);
    p = e + 1;
  });
  return out.length ? out : words.map((_, i) => i);
}

export function parseDateValue(words: Word[], order: DateOrder): Parsed<string> | null {
  const text = words.map((w) => w.text).join(' ');
  const d = findDates(text, order)[0];
  if (!d) return null;
  return {
    value: d.iso,
    text: d.text,
    words: wordsIn(words, d.index, d.index + d.text.length),
    doubts: d.unambiguous ? [] : [`day and month could be swapped in "${d.text}"`],
  };
}

const STOP = /^(no|nr|n|#|number|nummer|numero|num|de|del|:)$/i;

/**
 * Pieces a PDF text layer or OCR split out of one printed token ("INV-" + "2024/0042"): joined when their
 * boxes touch (gap under a fifth of the text height).
 */
function joinTouching(words: Word[]): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    const gap = prev ? w.box.x - (prev.box.x + prev.box.w) : Infinity;
    if (prev && gap < Math.min(prev.box.h, w.box.h) * 0.2 && (/[-/._]$/.test(prev.text) || /^[-/._]/.test(w.text) || /\d$/.test(prev.text))) {
      out[out.length - 1] = {
        text: prev.text + w.text,
        confidence: Math.min(prev.confidence, w.confidence),
        box: { page: prev.box.page, x: prev.box.x, y: Math.min(prev.box.y, w.box.y), w: w.box.x + w.box.w - prev.box.x, h: Math.max(prev.box.h, w.box.h) },
      };
    } else out.push(w);
  }
  return out;
}

const cleanTok = (t: string): string => t.replace(/^[#:.\s№°º*]+|[,;:.)]+$/g, '');

/**
 * Document numbers in their printed form: the first token with a digit that is not a date, a money amount or
 * a percentage, with a letter prefix printed apart kept ("INV 0042", "RE 2024-118").
 */
export function parseDocNumber(raw: Word[]): Parsed<string> | null {
  const words = joinTouching(raw);
  let skipped = 0;
  for (let i = 0; i < Math.min(words.length, 4); i++) {
    const w = words[i];
    const t = cleanTok(w.text);
    if (!t || STOP.test(t)) continue;
    // An upper-case prefix printed apart from its digits: "INV 0042", "RE 2024-118", "FA-" "2024".
    const next = words[i + 1] ? cleanTok(words[i + 1].text) : '';
    if (/^[A-Z]{2,5}[-/]?$/.test(t) && /^\d[\dA-Za-z\-/._]*$/.test(next) && validNumber(next)) {
      const value = /[-/]$/.test(t) ? `${t}${next}` : `${t} ${next}`;
      return { value, text: value, words: [w, words[i + 1]], doubts: [] };
    }
    // One short letters-only token is OCR noise around a numero sign ("nf", "Ne").
    if (/^\p{L}{1,2}$/u.test(t) && skipped++ === 0) continue;
    if (!validNumber(t)) return null;
    return { value: t, text: t, words: [w], doubts: [] };
  }
  return null;
}

function validNumber(t: string): boolean {
  if (!/\d/.test(t) || t.length < 2 || t.length > 32) return false;
  if (!/^[A-Za-z0-9][A-Za-z0-9\-/._]*$/.test(t)) return false;
  if (findDates(t).length && findDates(t)[0].text === t) return false;
  if (/^\d{1,3}([.,]\d{3})*[.,]\d{2}$/.test(t)) return false;
  return true;
}
