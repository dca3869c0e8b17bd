import { z } from 'zod';

export const DATE_FORMATS = ['dd.mm.yyyy', 'dd.mm.yy', 'yyyy-mm-dd', 'dd/mm/yyyy', 'mm/dd/yyyy', 'dd-mm-yyyy', 'yyyymmdd'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** How one bank's CSV export reads: confirmed once per account, then remembered. */
export const CsvMappingSchema = z.object({
  delimiter: z.enum([';', ',', '\t', '|']),
  /** Rows before the header (account details some banks print first). */
  headerRow: z.number().int().min(0),
  /** The header's cells, so a changed export is noticed and the mapping confirmed again. */
  header: z.array(z.string()),
  decimal: z.enum([',', '.']),
  dateFormat: z.enum(DATE_FORMATS),
  date: z.number().int().min(0),
  valueDate: z.number().int().min(0).nullable(),
  /** One signed amount column, or a debit and a credit column. */
  amount: z.number().int().min(0).nullable(),
  debit: z.number().int().min(0).nullable(),
  credit: z.number().int().min(0).nullable(),
  /** A column that says whether the amount is a debit (S/D/DBIT) or a credit (H/C/CRDT), where the sign is not in the amount. */
  sign: z.number().int().min(0).nullable(),
  currency: z.number().int().min(0).nullable(),
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/),
  counterparty: z.number().int().min(0).nullable(),
  description: z.array(z.number().int().min(0)),
});
export type CsvMapping = z.infer<typeof CsvMappingSchema>;

/** Parses a date in the given format to YYYY-MM-DD; null when it does not fit or is no real date. */
export function parseDate(s: string, f: DateFormat): string | null {
  const v = s.trim();
  let m: RegExpExecArray | null;
  let y: number, mo: number, d: number;
  switch (f) {
    case 'dd.mm.yyyy': m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v); if (!m) return null; [d, mo, y] = [+m[1], +m[2], +m[3]]; break;
    case 'dd.mm.yy': m = /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/.exec(v); if (!m) return null; [d, mo, y] = [+m[1], +m[2], 2000 + +m[3]]; break;
    case 'yyyy-mm-dd': m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(v); if (!m) return null; [y, mo, d] = [+m[1], +m[2], +m[3]]; break;
    case 'dd/mm/yyyy': m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v); if (!m) return null; [d, mo, y] = [+m[1], +m[2], +m[3]]; break;
    case 'mm/dd/yyyy': m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v); if (!m) return null; [mo, d, y] = [+m[1], +m[2], +m[3]]; break;
    case 'dd-mm-yyyy': m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(v); if (!m) return null; [d, mo, y] = [+m[1], +m[2], +m[3]]; break;
    case 'yyyymmdd': m = /^(\d{4})(\d{2})(\d{2})$/.exec(v); if (!m) return null; [y, mo, d] = [+m[1], +m[2], +m[3]]; break;
  }
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

/** "1.234,56" (decimal comma) or "1,234.56" → "1234.56"; a trailing minus and currency signs are understood. Null if not an amount. */
export function parseAmount(s: string, decimal: ',' | '.'): string | null {
  let v = s.replace(/[\s\u00a0'€$£¥]|EUR|USD|CHF|GBP/g, '');
  if (v === '') return null;
  let neg = false;
  if (/^\(.*\)$/.test(v)) { neg = true; v = v.slice(1, -1); }
  if (v.endsWith('-')) { neg = true; v = v.slice(0, -1); }
  if (v.startsWith('-')) { neg = !neg; v = v.slice(1); }
  else if (v.startsWith('+')) v = v.slice(1);
  const thousands = decimal === ',' ? '.' : ',';
  const re = decimal === ',' ? /^\d{1,3}(\.\d{3})*(,\d+)?$|^\d+(,\d+)?$/ : /^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$/;
  if (!re.test(v)) return null;
  v = v.split(thousands).join('').replace(decimal, '.');
  return `${neg && !/^0+(\.0+)?$/.test(v) ? '-' : ''}${v}`;
}
