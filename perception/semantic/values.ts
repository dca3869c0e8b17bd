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

/** Money: the last amount with 2 decimals (or any amount next to a currency mark). Percentages are ignored. */
export function parseMoney(words: Word[], hint?: DecimalStyle): Parsed<number> | null {
  // OCR sometimes reads the decimal point of a small amount as a colon ("5:27"); next to a money label a
  // time of day is unlikely, so it is read as a decimal separator.
  const text = words.map((w) => w.text.replace(/^(\d{1,3}):(\d{2})$/, '$1.$2')).join(' ');
  const cur = findCurrencies(text);
  const amounts = findAmounts(text, hint).filter(
    (a) => a.hasDecimals || cur.some((c) => Math.abs(c.index - a.index) <= 2 || Math.abs(c.index - (a.index + a.text.length)) <= 2),
  );
  const a = amounts[amounts.length - 1];
  if (!a) return null;
  return { value: a.value, text: a.text, words: wordsIn(words, a.index, a.index + a.text.length), doubts: [] };
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

/** Document numbers: the first token with a digit that is not a date, a money amount or a percentage. */
export function parseDocNumber(words: Word[]): Parsed<string> | null {
  let skipped = 0;
  for (const w of words.slice(0, 4)) {
    const t = w.text.replace(/^[#:.\s№]+|[,;:.)]+$/g, '');
    if (!t || STOP.test(t)) continue;
    // One short letters-only token is OCR noise around a numero sign ("nf", "Ne").
    if (/^\p{L}{1,2}$/u.test(t) && skipped++ === 0) continue;
    if (!/\d/.test(t) || t.length < 2 || t.length > 32) return null;
    if (!/^[A-Za-z0-9][A-Za-z0-9\-/._]*$/.test(t)) return null;
    if (findDates(t).length && findDates(t)[0].text === t) return null;
    if (/^\d{1,3}([.,]\d{3})*[.,]\d{2}$/.test(t)) return null;
    if (/%$/.test(t)) return null;
    return { value: t, text: t, words: [w], doubts: [] };
  }
  return null;
}
