import { norm } from './normalize.ts';

/**
 * Dates as printed on European and US documents: "2026-11-26", "26.11.2026", "26/11/2026", "26-11-26",
 * "Nov 26, 2026", "26 November 2026", "26. November 2026", "26 novembre 2026", "26 de noviembre de 2026",
 * "26 nov. 2026". Numeric d/m order is ambiguous only when both parts are ≤ 12; then `order` decides
 * (day-first unless the document looks American).
 */
export type DateOrder = 'dmy' | 'mdy';

export interface DateMatch {
  iso: string;
  text: string;
  index: number;
  /** False when day and month could be swapped and the order was a guess. */
  unambiguous: boolean;
}

const MONTH_NAMES: [string, number][] = [
  ...['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].map((m, i) => [m, i + 1] as [string, number]),
  ...['januar', 'februar', 'marz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'].map((m, i) => [m, i + 1] as [string, number]),
  ...['janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre'].map((m, i) => [m, i + 1] as [string, number]),
  ...['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'].map((m, i) => [m, i + 1] as [string, number]),
  ...['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'].map((m, i) => [m, i + 1] as [string, number]),
  ['maerz', 3], ['jänner', 1], ['janner', 1], ['setiembre', 9],
];
const ABBREV: Record<string, number> = { mrz: 3, mrt: 3, sept: 9, janv: 1, fevr: 2, avr: 4, juil: 7, dez: 12, dic: 12, ene: 1, abr: 4, ago: 8, okt: 10, mei: 5 };

/** Month number from a (possibly abbreviated, accented, OCR-plain) month word, or null. */
export function monthFromWord(word: string): number | null {
  const w = norm(word).replace(/\s/g, '');
  if (w.length < 3) return null;
  if (ABBREV[w]) return ABBREV[w];
  const exact = MONTH_NAMES.find(([m]) => m === w);
  if (exact) return exact[1];
  const hits = new Set(MONTH_NAMES.filter(([m]) => m.startsWith(w)).map(([, n]) => n));
  return hits.size === 1 ? [...hits][0] : null;
}

function valid(y: number, m: number, d: number): string | null {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > dim) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const year = (s: string): number => (s.length === 2 ? 2000 + Number(s) : Number(s));
const MONTH_WORD = String.raw`([A-Za-zÀ-ÿ]{3,10})\.?`;
const PATTERNS: { re: RegExp; read: (m: RegExpMatchArray, order: DateOrder) => { iso: string | null; unambiguous: boolean } }[] = [
  { re: /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g, read: (m) => ({ iso: valid(+m[1], +m[2], +m[3]), unambiguous: true }) },
  {
    re: /(?<![\d.,])(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d.,]\d)/g,
    read: (m, order) => {
      const a = +m[1];
      const b = +m[2];
      const y = year(m[3]);
      if (a > 12 || b > 12 || a === b) return { iso: a > 12 ? valid(y, b, a) : b > 12 ? valid(y, a, b) : valid(y, a, b), unambiguous: true };
      return { iso: order === 'mdy' ? valid(y, a, b) : valid(y, b, a), unambiguous: false };
    },
  },
  {
    // OCR and some layouts put spaces around the comma ("March 5 , 2026", "5 March , 2026").
    re: new RegExp(String.raw`(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?${MONTH_WORD}(?:\s*,\s*|\s+)(?:de\s+)?(\d{4})(?!\d)`, 'gi'),
    read: (m) => {
      const mo = monthFromWord(m[2]);
      return { iso: mo ? valid(+m[3], mo, +m[1]) : null, unambiguous: true };
    },
  },
  {
    re: new RegExp(String.raw`${MONTH_WORD}\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4})(?!\d)`, 'gi'),
    read: (m) => {
      const mo = monthFromWord(m[1]);
      return { iso: mo ? valid(+m[3], mo, +m[2]) : null, unambiguous: true };
    },
  },
  {
    // A till's date stamp with one separator lost by OCR ("02.05 2020 16:34", "02 05.2020 16:34"): only when a
    // time of day follows, which makes it a date stamp and not two numbers.
    re: /(?<![\d.,])(\d{1,2})(?:[./]\s?|\s)(\d{1,2})(?:[./]\s?|\s)(\d{4}|\d{2})(?=\s+\d{1,2}:\d{2}(?!\d))/g,
    read: (m, order) => {
      const a = +m[1];
      const b = +m[2];
      const y = year(m[3]);
      if (a > 12 || b > 12) return { iso: a > 12 ? valid(y, b, a) : valid(y, a, b), unambiguous: true };
      return { iso: order === 'mdy' ? valid(y, a, b) : valid(y, b, a), unambiguous: false };
    },
  },
  {
    // "05-Mar-2026", "5-Mar-26", "05/Mar/2026", "5.Mär.2026" (tills and ERP exports).
    re: /(?<![\d.,])(\d{1,2})[-/.]([A-Za-zÀ-ÿ]{3,9})\.?[-/.](\d{4}|\d{2})(?![\d.,]\d)/g,
    read: (m) => {
      const mo = monthFromWord(m[2]);
      return { iso: mo ? valid(year(m[3]), mo, +m[1]) : null, unambiguous: true };
    },
  },
];

/** All dates in a string, in reading order (overlapping matches keep the earliest, longest). */
export function findDates(text: string, order: DateOrder = 'dmy'): DateMatch[] {
  const found: DateMatch[] = [];
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) {
      const r = p.read(m, order);
      if (!r.iso) continue;
      const index = m.index ?? 0;
      const end = index + m[0].length;
      if (found.some((f) => index < f.index + f.text.length && end > f.index)) continue;
      found.push({ iso: r.iso, text: m[0], index, unambiguous: r.unambiguous });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Parses a string holding one date; null if none. */
export function parseDate(text: string, order: DateOrder = 'dmy'): string | null {
  return findDates(text, order)[0]?.iso ?? null;
}
