import { readCsv } from './csv-read.ts';
import { type CsvMapping, parseAmount, parseDate } from './csv-mapping.ts';

/** One row read with a mapping: the transaction's fields, or the row as it was and why it did not read. */
export type CsvRow =
  | { ok: true; line: number; bookingDate: string; valueDate: string | null; amount: string; currency: string; counterparty: string | null; description: string }
  | { ok: false; line: number; cells: string[]; error: string };

const DEBIT_MARK = /^(s|d|dr|dbit|debit|soll|af|-)$/i;

/**
 * Where the mapping's header is in this file (the next month's export may have more or fewer lines of
 * account details above it); -1 when the file's header is not the one the mapping was confirmed for.
 */
export function headerRowOf(text: string, m: CsvMapping): number {
  const rows = readCsv(text, m.delimiter).slice(0, 50);
  return rows.findIndex((r) => r.length === m.header.length && r.every((h, i) => h === m.header[i]));
}

export function mappingFits(text: string, m: CsvMapping): boolean {
  return headerRowOf(text, m) >= 0;
}

/** Reads every row after the header with the mapping; a row that does not read is kept, with its reason. */
export function applyCsvMapping(text: string, m: CsvMapping): CsvRow[] {
  const headerRow = Math.max(0, headerRowOf(text, m));
  const rows = readCsv(text, m.delimiter).slice(headerRow + 1);
  return rows.map((cells, n): CsvRow => {
    const line = headerRow + n + 2;
    if (cells.length !== m.header.length) return { ok: false, line, cells, error: `${cells.length} columns where the header has ${m.header.length}` };
    const bookingDate = parseDate(cells[m.date], m.dateFormat);
    if (!bookingDate) return { ok: false, line, cells, error: `"${cells[m.date]}" is not a date in ${m.dateFormat}` };
    let amount: string | null;
    if (m.amount !== null) amount = parseAmount(cells[m.amount], m.decimal);
    else {
      const d = cells[m.debit!] ? parseAmount(cells[m.debit!], m.decimal) : null;
      const c = cells[m.credit!] ? parseAmount(cells[m.credit!], m.decimal) : null;
      amount = c && !/^-?0+(\.0+)?$/.test(c) ? c.replace(/^-/, '') : d ? `-${d.replace(/^-/, '')}` : null;
    }
    if (amount === null) return { ok: false, line, cells, error: `no amount in ${m.amount !== null ? `"${cells[m.amount]}"` : 'the debit and credit columns'}` };
    if (m.sign !== null && DEBIT_MARK.test(cells[m.sign]) && !amount.startsWith('-')) amount = `-${amount}`;
    const currency = (m.currency !== null && /^[A-Za-z]{3}$/.test(cells[m.currency]) ? cells[m.currency] : m.defaultCurrency).toUpperCase();
    return {
      ok: true,
      line,
      bookingDate,
      valueDate: m.valueDate !== null ? parseDate(cells[m.valueDate], m.dateFormat) : null,
      amount,
      currency,
      counterparty: m.counterparty !== null ? cells[m.counterparty] || null : null,
      description: m.description.map((i) => cells[i]).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim(),
    };
  });
}
