import { UserInputError } from '../../coordinator/index.ts';
import { readCsv } from './csv-read.ts';
import { type CsvMapping, DATE_FORMATS, type DateFormat, parseAmount, parseDate } from './csv-mapping.ts';

// Header words in the languages bank exports come in (German, English, French, Spanish, Dutch).
const WORDS = {
  date: /^(buchungstag|buchungsdatum|buchung|datum|date|booking ?date|transaction ?date|posting ?date|posted ?date|fecha( operaci[oó]n)?|date (d'op[ée]ration|comptable)|boekdatum|transaktionsdatum)$/i,
  valueDate: /^(valuta|valutadatum|wertstellung|value ?date|date de valeur|fecha valor|rentedatum)$/i,
  amount: /^(betrag|betrag \(eur\)|umsatz|amount|montant|importe|bedrag|transaction amount|amount \(\w{3}\))$/i,
  debit: /^(soll|debit|debits?|withdrawals?|belastung|ausgang|d[ée]bit|cargo|af)$/i,
  credit: /^(haben|credits?|deposits?|gutschrift|eingang|cr[ée]dit|abono|bij)$/i,
  sign: /^(soll\/haben|s\/h|debit\/credit|af bij|cdtdbtind)$/i,
  currency: /^(w[äa]hrung|waehrung|currency|devise|moneda|munt|ccy)$/i,
  counterparty: /^(empf[äa]nger|zahlungsempf[äa]nger|auftraggeber|auftraggeber ?\/ ?empf[äa]nger|beg[üu]nstigter|name|payee|payer|counterparty|beneficiary|b[ée]n[ée]ficiaire|beneficiario|naam|gegenpartei|zahlungspflichtiger)$/i,
  description: /^(verwendungszweck|buchungstext|description|memo|purpose|reference|libell[ée]|concepto|omschrijving|mededelingen|text|vorgang)$/i,
};

const DELIMITERS = [';', ',', '\t', '|'] as const;

function modal(ns: number[]): number {
  const count = new Map<number, number>();
  for (const n of ns) count.set(n, (count.get(n) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}

/** The delimiter whose rows have the most consistent (and more than two) columns. */
function detectDelimiter(text: string): (typeof DELIMITERS)[number] {
  let best: { d: (typeof DELIMITERS)[number]; score: number } = { d: ';', score: -1 };
  for (const d of DELIMITERS) {
    const rows = readCsv(text, d).slice(0, 50);
    const m = modal(rows.map((r) => r.length));
    if (m < 3) continue;
    const score = rows.filter((r) => r.length === m).length * 100 + m;
    if (score > best.score) best = { d, score };
  }
  if (best.score < 0) throw new UserInputError('csv_unreadable', 'I could not find the columns of this CSV (no ; , tab or | separates three or more columns). Is it a bank export?');
  return best.d;
}

function detectDecimal(values: string[]): ',' | '.' {
  let comma = 0;
  let dot = 0;
  for (const v of values) {
    if (/,\d{1,2}-?$/.test(v.trim())) comma++;
    else if (/\.\d{1,2}-?$/.test(v.trim())) dot++;
  }
  return comma > dot ? ',' : '.';
}

/**
 * The format the most values fit (at least 80% of them: a row with a broken date must not hide the
 * format, it becomes an unreadable row); between day-first and month-first, a value over 12 decides,
 * else the decimal style does.
 */
function detectDateFormat(values: string[], decimal: ',' | '.'): DateFormat | null {
  const score = new Map(DATE_FORMATS.map((f) => [f, values.filter((v) => parseDate(v, f) !== null).length]));
  const top = Math.max(...score.values());
  if (values.length === 0 || top < values.length * 0.8) return null;
  const fits = DATE_FORMATS.filter((f) => score.get(f) === top);
  if (fits.includes('dd/mm/yyyy') && fits.includes('mm/dd/yyyy')) return decimal === ',' ? 'dd/mm/yyyy' : 'mm/dd/yyyy';
  return fits[0];
}

const find = (header: string[], re: RegExp, not: number[] = []) => header.findIndex((h, i) => !not.includes(i) && re.test(h.trim()));
const orNull = (i: number) => (i < 0 ? null : i);

/**
 * Works out how a CSV export reads: delimiter, the header row (after any lines of account details),
 * which column holds the date, amount (or debit and credit), currency, party and text, the decimal
 * separator and the date format. Headers are matched by name in several languages, then checked
 * against the values; columns that no name matches are found by their content.
 */
export function detectCsvMapping(text: string, defaultCurrency: string): CsvMapping {
  const delimiter = detectDelimiter(text);
  const rows = readCsv(text, delimiter);
  const width = modal(rows.map((r) => r.length));
  const headerRow = rows.findIndex((r) => r.length === width && r.filter((c) => c && !/^[-+\d.,\s/€$]+$/.test(c)).length >= Math.min(3, width));
  if (headerRow < 0) throw new UserInputError('csv_no_header', 'This CSV has no header row (a row naming the columns). Export it with column names.');
  const header = rows[headerRow];
  const body = rows.slice(headerRow + 1).filter((r) => r.length === width);
  const col = (i: number) => body.map((r) => r[i]).filter((v) => v !== '');

  let date = find(header, WORDS.date);
  const valueDate = find(header, WORDS.valueDate, [date]);
  if (date < 0) date = valueDate >= 0 ? valueDate : header.findIndex((_h, i) => col(i).length > 0 && DATE_FORMATS.some((f) => col(i).every((v) => parseDate(v, f))));
  if (date < 0) throw new UserInputError('csv_no_date', `I found no date column in: ${header.join(', ')}.`);
  let amount = find(header, WORDS.amount);
  const debit = amount < 0 ? find(header, WORDS.debit) : -1;
  const credit = amount < 0 ? find(header, WORDS.credit) : -1;
  const allValues = [amount, debit, credit].filter((i) => i >= 0).flatMap(col);
  if (amount < 0 && (debit < 0 || credit < 0)) {
    amount = header.findIndex((_h, i) => i !== date && col(i).length > 0 && col(i).every((v) => parseAmount(v, detectDecimal(col(i))) !== null) && col(i).some((v) => /[.,]\d{2}-?$/.test(v)));
    if (amount < 0) throw new UserInputError('csv_no_amount', `I found no amount column (or debit and credit columns) in: ${header.join(', ')}.`);
  }
  const decimal = detectDecimal(allValues.length ? allValues : col(amount));
  const dateFormat = detectDateFormat(col(date), decimal);
  if (!dateFormat) throw new UserInputError('csv_date_format', `The dates in "${header[date]}" (e.g. ${col(date).slice(0, 3).join(', ')}) are in no format I know (${DATE_FORMATS.join(', ')}).`);
  const used = [date, valueDate, amount, debit, credit];
  const currency = find(header, WORDS.currency, used);
  const sign = find(header, WORDS.sign, used);
  const counterparty = find(header, WORDS.counterparty, [...used, currency]);
  const description = header.map((h, i) => (WORDS.description.test(h.trim()) && ![...used, currency, counterparty, sign].includes(i) ? i : -1)).filter((i) => i >= 0);
  return {
    delimiter,
    headerRow,
    header,
    decimal,
    dateFormat,
    date,
    valueDate: orNull(valueDate === date ? -1 : valueDate),
    amount: orNull(amount),
    debit: orNull(amount >= 0 ? -1 : debit),
    credit: orNull(amount >= 0 ? -1 : credit),
    sign: orNull(sign),
    currency: orNull(currency),
    defaultCurrency,
    counterparty: orNull(counterparty),
    description,
  };
}
