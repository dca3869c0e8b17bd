/**
 * Money amounts in either decimal convention: "1,234.56", "1.234,56", "1 234,56", "1'234.56", "1234.56",
 * with optional sign, parentheses and currency marks. Grouping separators only ever precede 3-digit groups,
 * and a single separator followed by exactly 3 digits is read as thousands (money has 2 decimals).
 */
export type DecimalStyle = 'dot' | 'comma';

export interface AmountMatch {
  value: number;
  text: string;
  index: number;
  /** Whether the number had a 2-digit decimal part (what printed money almost always has). */
  hasDecimals: boolean;
}

const NUM = String.raw`\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const AMOUNT_RE = new RegExp(String.raw`(\()?(-\s?)?(${NUM})(-)?(\))?`, 'g');

/** Parses one amount string; returns null when it is not a well-formed number. */
export function parseAmount(raw: string, hint?: DecimalStyle): number | null {
  let s = raw.trim().replace(/[^\d.,'’\u00a0\u202f ()-]/g, '').trim();
  if (!s) return null;
  let neg = false;
  if (/^\(.*\)$/.test(s) || /^-/.test(s) || /-$/.test(s)) neg = true;
  s = s.replace(/[()\-]/g, '').trim();
  if (!/^\d/.test(s) || !/\d$/.test(s)) return null;
  const v = parseUnsigned(s, hint);
  if (v === null) return null;
  return neg ? -v : v;
}

function parseUnsigned(s: string, hint?: DecimalStyle): number | null {
  const compact = s.replace(/[\u00a0\u202f '’]/g, (m, off: number) => (/^\d{3}(?!\d)/.test(s.slice(off + 1)) ? '' : 'X'));
  if (compact.includes('X')) return null;
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let dec: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) dec = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const count = compact.split(sep).length - 1;
    const after = compact.length - compact.lastIndexOf(sep) - 1;
    if (count === 1 && after <= 2) dec = sep;
    else if (count === 1 && after === 3 && hint && ((hint === 'dot' && sep === '.' && /^0/.test(compact)) || false)) dec = sep;
  }
  let intPart = compact;
  let frac = '';
  if (dec) {
    const i = compact.lastIndexOf(dec);
    intPart = compact.slice(0, i);
    frac = compact.slice(i + 1);
  }
  const groupSep = dec === '.' ? ',' : dec === ',' ? '.' : null;
  if (groupSep && intPart.includes(dec!)) return null;
  const groups = intPart.split(/[.,]/);
  if (groups.length > 1 && (groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) return null;
  const n = Number(`${groups.join('')}${frac ? `.${frac}` : ''}`);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

/** All amounts in a string (percentages excluded), left to right. */
export function findAmounts(text: string, hint?: DecimalStyle): AmountMatch[] {
  const out: AmountMatch[] = [];
  for (const m of text.matchAll(AMOUNT_RE)) {
    const idx = m.index ?? 0;
    const full = m[0];
    const after = text.slice(idx + full.length);
    const before = text.slice(0, idx);
    if (/^\s?%/.test(after)) continue;
    // Part of a longer token (an id such as INV-2026-0042, a date, a time, a phone number).
    if (/[A-Za-z0-9\-/:]$/.test(before) && !/[€$£¥]$|\s$/.test(before)) continue;
    if (/^(?:[A-Za-z0-9/]|:\d)/.test(after) && !/^(EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|kr)/i.test(after)) continue;
    if (/^[.,]\d/.test(after) || /^-\d/.test(after) || /\d[.,]$/.test(before)) continue;
    const numText = m[3].trim();
    const v = parseAmount(full, hint);
    if (v === null) continue;
    out.push({ value: v, text: full.trim(), index: idx, hasDecimals: /[.,]\d{2}$/.test(numText) });
  }
  return out;
}

/**
 * Decides the document's decimal convention from all its numbers: "12,50"-style endings vote comma,
 * "12.50" vote dot. Used to read ambiguous numbers consistently.
 */
export function inferDecimalStyle(text: string): DecimalStyle | undefined {
  const comma = (text.match(/\d,\d{2}(?!\d)/g) ?? []).length;
  const dot = (text.match(/\d\.\d{2}(?!\d)/g) ?? []).length;
  if (comma === dot) return undefined;
  return comma > dot ? 'comma' : 'dot';
}
