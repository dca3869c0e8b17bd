import { createHash } from 'node:crypto';
import { UserInputError } from '../../coordinator/index.ts';
import type { PulledItem } from '../bus/connector.define.ts';
import type { ConnectorBus } from '../bus/connector.layer.ts';
import type { RecordedItem } from '../bus/record-items.ts';
import { bankConnector } from './bank.connector.ts';
import { type BankTransaction, contentKeys } from './bank-transaction.ts';
import { readCamt053 } from './camt053.ts';
import { applyCsvMapping, type CsvRow, mappingFits } from './csv-apply.ts';
import { detectCsvMapping } from './csv-detect.ts';
import { type CsvMapping, CsvMappingSchema } from './csv-mapping.ts';

/** Where a confirmed mapping is kept: one per account, in the settings table. */
export interface MappingStore {
  get(account: string): Promise<CsvMapping | null>;
  set(account: string, m: CsvMapping): Promise<void>;
}

export interface BankImportRequest {
  text: string;
  account?: string;
  /** Confirms a new CSV mapping (without it, a CSV whose mapping is not yet confirmed is only previewed). */
  yes?: boolean;
  defaultCurrency?: string;
}

export type BankImportResult =
  | { status: 'preview'; format: 'csv'; account: string; why: 'new' | 'changed'; mapping: CsvMapping; rows: number; unreadable: number; sample: CsvRow[] }
  | { status: 'imported'; format: 'csv' | 'camt053'; accounts: string[]; added: number; alreadyKnown: number; unreadable: number; incidents: string[] };

const CHUNK = 200;

/** XML (a CAMT statement, or something to refuse as one); CSV never starts with "<". */
export function isCamt(text: string): boolean {
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('<');
}

function rowItem(account: string, r: Extract<CsvRow, { ok: false }>): PulledItem {
  return { externalId: `row-${createHash('sha256').update(`${account}\u0000${r.cells.join('\u0001')}`).digest('hex').slice(0, 32)}`, kind: 'bank.transaction', raw: { line: r.line, cells: r.cells, error: r.error } };
}

function txItems(txs: BankTransaction[]): PulledItem[] {
  const keys = contentKeys(txs);
  return txs.map((t, i) => ({ externalId: keys[i], kind: 'bank.transaction', raw: t }));
}

async function record(bus: ConnectorBus, byAccount: Map<string, PulledItem[]>): Promise<Omit<Extract<BankImportResult, { status: 'imported' }>, 'status' | 'format'>> {
  const done: RecordedItem[] = [];
  for (const [account, items] of byAccount) {
    // Chunks keep each transaction short; a re-run after a crash between chunks adds only what is missing.
    for (let i = 0; i < items.length; i += CHUNK) done.push(...(await bus.record({ connector: bankConnector, account, items: items.slice(i, i + CHUNK) })));
  }
  return {
    accounts: [...byAccount.keys()],
    added: done.filter((d) => d.outcome === 'recorded').length,
    alreadyKnown: done.filter((d) => d.outcome === 'duplicate').length,
    unreadable: done.filter((d) => d.outcome === 'quarantined').length,
    incidents: done.flatMap((d) => (d.outcome === 'quarantined' ? [d.incidentId] : [])),
  };
}

/**
 * Imports a bank export: CAMT.053 XML (structured; the account is its IBAN unless given) or CSV from
 * any bank. A CSV's reading (delimiter, decimal comma, date format, columns) is detected and shown as a
 * preview until it is confirmed once (`yes`); it is then remembered for the account and used without
 * asking, until the bank's export changes its header. Every transaction is keyed by its content hash
 * within the account, so importing the same or an overlapping statement again adds nothing.
 */
export async function importBankStatement(bus: ConnectorBus, store: MappingStore, req: BankImportRequest): Promise<BankImportResult> {
  const currency = (req.defaultCurrency ?? 'EUR').toUpperCase();
  if (isCamt(req.text)) {
    let parsed: ReturnType<typeof readCamt053>;
    try {
      parsed = readCamt053(req.text);
    } catch (err) {
      throw new UserInputError('camt_unreadable', `This XML is not a CAMT.053 statement I can read: ${(err as Error).message}.`);
    }
    const byAccount = new Map<string, PulledItem[]>();
    const txs = new Map<string, BankTransaction[]>();
    for (const e of parsed.entries) {
      const account = req.account ?? e.iban;
      if (!account) throw new UserInputError('account_missing', 'This statement names no IBAN; say which account it is: --account <name>.');
      if (!byAccount.has(account)) byAccount.set(account, []);
      if (!e.ok) {
        byAccount.get(account)!.push({ externalId: `entry-${createHash('sha256').update(`${account}\u0000${e.raw}`).digest('hex').slice(0, 32)}`, kind: 'bank.transaction', raw: { entry: e.raw, error: e.error } });
        continue;
      }
      const { ok: _ok, iban: _iban, ...t } = e;
      txs.set(account, [...(txs.get(account) ?? []), { account, ...t, source: 'camt053' }]);
    }
    for (const [account, list] of txs) byAccount.get(account)!.push(...txItems(list));
    return { status: 'imported', format: 'camt053', ...(await record(bus, byAccount)) };
  }
  const account = req.account;
  if (!account) throw new UserInputError('account_missing', 'Which account is this CSV from? Add --account <name> (e.g. --account giro); its column mapping is remembered under that name.');
  const known = await store.get(account);
  let mapping = known && mappingFits(req.text, known) ? known : null;
  if (!mapping) {
    const detected = detectCsvMapping(req.text, currency);
    if (!req.yes) {
      const rows = applyCsvMapping(req.text, detected);
      return { status: 'preview', format: 'csv', account, why: known ? 'changed' : 'new', mapping: detected, rows: rows.length, unreadable: rows.filter((r) => !r.ok).length, sample: rows.slice(0, 5) };
    }
    mapping = detected;
    await store.set(account, mapping);
  }
  const rows = applyCsvMapping(req.text, mapping);
  const good = rows.filter((r): r is Extract<CsvRow, { ok: true }> => r.ok).map((r): BankTransaction => ({ account, bookingDate: r.bookingDate, valueDate: r.valueDate, amount: r.amount, currency: r.currency, counterparty: r.counterparty, description: r.description, bankReference: null, source: 'csv' }));
  const bad = rows.filter((r): r is Extract<CsvRow, { ok: false }> => !r.ok).map((r) => rowItem(account, r));
  return { status: 'imported', format: 'csv', ...(await record(bus, new Map([[account, [...txItems(good), ...bad]]]))) };
}

/** The mapping store on the coordinator's settings table. */
export function settingsMappingStore(db: { setting: { findUnique(a: { where: { key: string } }): Promise<{ value: unknown } | null>; upsert(a: { where: { key: string }; create: { key: string; value: object }; update: { value: object } }): Promise<unknown> } }): MappingStore {
  const key = (account: string) => `bank-csv-mapping:${account}`;
  return {
    async get(account) {
      const row = await db.setting.findUnique({ where: { key: key(account) } });
      const parsed = CsvMappingSchema.safeParse(row?.value);
      return parsed.success ? parsed.data : null;
    },
    async set(account, m) {
      await db.setting.upsert({ where: { key: key(account) }, create: { key: key(account), value: m }, update: { value: m } });
    },
  };
}
