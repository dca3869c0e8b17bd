import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankConnector, type BankImportResult, type ConnectorBus, createConnectorLayer, importBankStatement, type MappingStore, settingsMappingStore } from '../../connectors/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { createTestEnv, type TestEnv } from '../support/harness.ts';

const GERMAN = [
  '"Kontonummer:";"DE12 5001 0517 0648 4898 90";',
  '"Zeitraum:";"01.11.2026 - 30.11.2026";',
  '"Buchungstag";"Valutadatum";"Auftraggeber / Empfänger";"Verwendungszweck";"Betrag";"Währung"',
  '"03.11.2026";"03.11.2026";"Acme GmbH";"Rechnung 2026-17";"1.234,56";"EUR"',
  '"05.11.2026";"05.11.2026";"Café Rösterei";"Kartenzahlung";"-3,50";"EUR"',
  '"05.11.2026";"05.11.2026";"Café Rösterei";"Kartenzahlung";"-3,50";"EUR"',
  '"12.11.2026";"13.11.2026";"Vermieter Schmidt";"Miete November";"-950,00";"EUR"',
].join('\r\n');
// The next month's export overlaps the last day of the previous one.
const GERMAN_NEXT = [
  '"Buchungstag";"Valutadatum";"Auftraggeber / Empfänger";"Verwendungszweck";"Betrag";"Währung"',
  '"12.11.2026";"13.11.2026";"Vermieter Schmidt";"Miete November";"-950,00";"EUR"',
  '"02.12.2026";"02.12.2026";"Acme GmbH";"Rechnung 2026-18";"2.000,00";"EUR"',
].join('\n');

const US = [
  'Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #',
  'DEBIT,11/28/2026,"AMAZON MKTPLACE PMTS, SEATTLE WA",-45.99,DEBIT_CARD,"3,954.01",',
  'CREDIT,11/15/2026,CLIENT PAYMENT ACME INC,"2,500.00",ACH_CREDIT,"4,000.00",',
  'DEBIT,12/01/2026,Coffee Shop,-4.25,DEBIT_CARD,"3,949.76",',
].join('\n');

const UK_SPLIT = ['Date,Description,Debit,Credit', '28/11/2026,Rent,800.00,', '02/12/2026,Invoice 44 paid,,1200.50'].join('\n');

const camt = (entries: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>
  <Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
${entries}
  </Stmt></BkToCstmrStmt></Document>`;
const entry = (amt: string, ind: 'CRDT' | 'DBIT', date: string, party: string, text: string, sts = 'BOOK') => `
   <Ntry><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>${ind}</CdtDbtInd><Sts>${sts}</Sts>
    <BookgDt><Dt>${date}</Dt></BookgDt><ValDt><Dt>${date}</Dt></ValDt><AcctSvcrRef>REF-${date}-${amt}</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><${ind === 'CRDT' ? 'Dbtr' : 'Cdtr'}><Nm>${party}</Nm></${ind === 'CRDT' ? 'Dbtr' : 'Cdtr'}></RltdPties>
     <RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;

let env: TestEnv;
let c: Coordinator;
let bus: ConnectorBus;
let store: MappingStore;

const imported = (r: BankImportResult) => {
  if (r.status !== 'imported') throw new Error(`expected an import, got a preview: ${JSON.stringify(r)}`);
  return r;
};
const txs = (account: string) => c.db.connectorItem.findMany({ where: { connector: 'bank', account, status: 'recorded' }, orderBy: { receivedAt: 'asc' } });

beforeAll(async () => {
  env = await createTestEnv();
  const layer = createConnectorLayer([bankConnector]);
  c = await env.coordinator({ processes: layer.processes, services: layer.services });
  bus = layer.attach(c);
  store = settingsMappingStore(c.db);
});
afterAll(async () => env?.cleanup());

describe('bank statement import', () => {
  it('previews a German CSV (;, decimal comma, dd.mm.yyyy, lines before the header), imports once confirmed and remembers the mapping', async () => {
    const preview = await importBankStatement(bus, store, { text: GERMAN, account: 'giro' });
    expect(preview.status).toBe('preview');
    if (preview.status !== 'preview') return;
    expect(preview.mapping).toMatchObject({ delimiter: ';', decimal: ',', dateFormat: 'dd.mm.yyyy', headerRow: 2, date: 0, valueDate: 1, counterparty: 2, description: [3], amount: 4, currency: 5 });
    expect(preview.sample[0]).toMatchObject({ ok: true, bookingDate: '2026-11-03', amount: '1234.56', currency: 'EUR', counterparty: 'Acme GmbH' });
    expect(await c.db.connectorItem.count()).toBe(0);
    const first = imported(await importBankStatement(bus, store, { text: GERMAN, account: 'giro', yes: true }));
    expect(first).toMatchObject({ added: 4, alreadyKnown: 0, unreadable: 0 });
    expect((await txs('giro')).map((t) => (t.payload as { amount: string }).amount).sort()).toEqual(['-3.50', '-3.50', '-950.00', '1234.56']);
    expect(await c.db.run.count({ where: { process: 'inbound-item' } })).toBe(4);
    // Remembered: the same export again needs no confirmation, and adds nothing.
    expect(imported(await importBankStatement(bus, store, { text: GERMAN, account: 'giro' }))).toMatchObject({ added: 0, alreadyKnown: 4 });
    // The overlapping next statement adds only its new transaction.
    expect(imported(await importBankStatement(bus, store, { text: GERMAN_NEXT, account: 'giro' }))).toMatchObject({ added: 1, alreadyKnown: 1 });
    expect(await txs('giro')).toHaveLength(5);
    expect(await c.db.run.count({ where: { process: 'inbound-item' } })).toBe(5);
  });

  it('reads a US CSV (comma, decimal point, quoted thousands, mm/dd/yyyy) and a debit/credit CSV (dd/mm/yyyy)', async () => {
    const preview = await importBankStatement(bus, store, { text: US, account: 'chase', defaultCurrency: 'usd' });
    if (preview.status !== 'preview') throw new Error('expected a preview');
    expect(preview.mapping).toMatchObject({ delimiter: ',', decimal: '.', dateFormat: 'mm/dd/yyyy', date: 1, amount: 3, description: [2] });
    expect(imported(await importBankStatement(bus, store, { text: US, account: 'chase', yes: true, defaultCurrency: 'usd' }))).toMatchObject({ added: 3 });
    const us = (await txs('chase')).map((t) => t.payload as { bookingDate: string; amount: string; currency: string; description: string });
    expect(us.map((t) => [t.bookingDate, t.amount, t.currency]).sort()).toEqual([['2026-11-15', '2500.00', 'USD'], ['2026-11-28', '-45.99', 'USD'], ['2026-12-01', '-4.25', 'USD']]);
    expect(us.map((t) => t.description)).toContain('AMAZON MKTPLACE PMTS, SEATTLE WA');
    expect(imported(await importBankStatement(bus, store, { text: US, account: 'chase' }))).toMatchObject({ added: 0, alreadyKnown: 3 });

    const split = await importBankStatement(bus, store, { text: UK_SPLIT, account: 'uk', yes: true, defaultCurrency: 'GBP' });
    expect(imported(split).added).toBe(2);
    expect((await txs('uk')).map((t) => [(t.payload as { bookingDate: string }).bookingDate, (t.payload as { amount: string }).amount]).sort()).toEqual([['2026-11-28', '-800.00'], ['2026-12-02', '1200.50']]);
  });

  it('asks again when the bank changes its export, and keeps an unreadable row for the operator while the others import', async () => {
    const changed = GERMAN_NEXT.replace('"Betrag";"Währung"', '"Betrag (EUR)";"Währung"').replace('2026-18', '2026-19');
    const again = await importBankStatement(bus, store, { text: changed, account: 'giro' });
    expect(again).toMatchObject({ status: 'preview', why: 'changed' });
    const withBad = `${GERMAN_NEXT}\n"31.02.2026";"31.02.2026";"Nobody";"impossible date";"-1,00";"EUR"\n"03.12.2026";"03.12.2026";"Stadtwerke";"Strom";"-80,00";"EUR"`;
    const r = imported(await importBankStatement(bus, store, { text: withBad, account: 'giro' }));
    expect(r).toMatchObject({ added: 1, alreadyKnown: 2, unreadable: 1 });
    const incident = await c.db.incident.findUniqueOrThrow({ where: { id: r.incidents[0] } });
    expect(incident.status).toBe('open');
    const bad = await c.db.connectorItem.findFirstOrThrow({ where: { incidentId: r.incidents[0] } });
    expect(bad.raw).toContain('31.02.2026');
    expect(bad.raw).toContain('is not a date in dd.mm.yyyy');
    // Importing the same file again neither repeats the row's incident nor adds anything.
    expect(imported(await importBankStatement(bus, store, { text: withBad, account: 'giro' }))).toMatchObject({ added: 0, unreadable: 0, alreadyKnown: 4 });
  });

  it('imports CAMT.053 under its IBAN (booked entries only), and adds nothing for the same or an overlapping statement', async () => {
    const nov = camt(entry('1500.00', 'CRDT', '2026-11-03', 'Acme GmbH', 'Invoice 17') + entry('49.90', 'DBIT', '2026-11-04', 'Telco AG', 'Phone &amp; internet') + entry('10.00', 'DBIT', '2026-11-30', 'Pending Ltd', 'not booked yet', 'PDNG'));
    const r = imported(await importBankStatement(bus, store, { text: nov }));
    expect(r).toMatchObject({ format: 'camt053', accounts: ['DE89370400440532013000'], added: 2, alreadyKnown: 0 });
    const rows = (await txs('DE89370400440532013000')).map((t) => t.payload as { amount: string; counterparty: string; description: string; bankReference: string });
    expect(rows.map((t) => [t.amount, t.counterparty, t.description]).sort()).toEqual([['-49.90', 'Telco AG', 'Phone & internet'], ['1500.00', 'Acme GmbH', 'Invoice 17']]);
    expect(imported(await importBankStatement(bus, store, { text: nov }))).toMatchObject({ added: 0, alreadyKnown: 2 });
    const overlap = camt(entry('49.90', 'DBIT', '2026-11-04', 'Telco AG', 'Phone &amp; internet') + entry('300.00', 'CRDT', '2026-12-01', 'Beta SARL', 'Facture 9'));
    expect(imported(await importBankStatement(bus, store, { text: overlap }))).toMatchObject({ added: 1, alreadyKnown: 1 });
    expect(imported(await importBankStatement(bus, store, { text: nov, account: 'named' }))).toMatchObject({ accounts: ['named'], added: 2 });
  });

  it('refuses XML with a DOCTYPE (no entity expansion) and a CSV without an account', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><Stmt><Ntry>&x;</Ntry></Stmt></BkToCstmrStmt></Document>`;
    await expect(importBankStatement(bus, store, { text: xxe })).rejects.toThrow(/not a CAMT.053 statement I can read: XML with a DOCTYPE/);
    await expect(importBankStatement(bus, store, { text: GERMAN })).rejects.toThrow(/--account/);
  });
});
