import { all, at, parseXml, textAt, type XmlElement } from './xml-read.ts';

/** One booked entry of a CAMT.053 statement; `error` when the entry lacks what a transaction needs. */
export type CamtEntry =
  | { ok: true; iban: string | null; bookingDate: string; valueDate: string | null; amount: string; currency: string; counterparty: string | null; description: string; bankReference: string | null }
  | { ok: false; iban: string | null; raw: string; error: string };

const day = (el: XmlElement | undefined) => (textAt(el, 'Dt') ?? textAt(el, 'DtTm'))?.slice(0, 10) ?? null;

function entryText(e: XmlElement): string {
  const parts = [e.name, ...Object.entries(e.attrs).map(([k, v]) => `${k}=${v}`), e.text.trim()].filter(Boolean).join(' ');
  return `<${parts}>${e.children.map(entryText).join('')}`;
}

/**
 * Reads a CAMT.053 (ISO 20022 bank-to-customer statement) export: every Stmt's booked entries with
 * their sign (CdtDbtInd), booking and value dates, the counterparty (the debtor of a credit, the
 * creditor of a debit) and the remittance text. Entries that are not booked (pending) are left out.
 */
export function readCamt053(xml: string): { ibans: string[]; entries: CamtEntry[] } {
  const doc = parseXml(xml);
  const root = doc.children[0];
  if (!root || root.name !== 'Document') throw new Error('not a CAMT document (no <Document> root)');
  const statements = all(at(root, 'BkToCstmrStmt'), 'Stmt');
  if (statements.length === 0) throw new Error('not a CAMT.053 statement (no BkToCstmrStmt/Stmt)');
  const ibans: string[] = [];
  const entries: CamtEntry[] = [];
  for (const st of statements) {
    const iban = textAt(st, 'Acct/Id/IBAN') ?? textAt(st, 'Acct/Id/Othr/Id');
    if (iban && !ibans.includes(iban)) ibans.push(iban);
    for (const e of all(st, 'Ntry')) {
      const status = textAt(e, 'Sts/Cd') ?? textAt(e, 'Sts');
      if (status && status !== 'BOOK') continue;
      const amt = at(e, 'Amt');
      const value = amt?.text.trim() ?? '';
      const ind = textAt(e, 'CdtDbtInd');
      const bookingDate = day(at(e, 'BookgDt'));
      if (!/^\d+(\.\d+)?$/.test(value) || !amt?.attrs.Ccy || (ind !== 'CRDT' && ind !== 'DBIT') || !bookingDate) {
        entries.push({ ok: false, iban, raw: entryText(e), error: `entry without ${!/^\d+(\.\d+)?$/.test(value) ? 'an amount' : !amt?.attrs.Ccy ? 'a currency' : !bookingDate ? 'a booking date' : 'CRDT/DBIT'}` });
        continue;
      }
      const tx = at(e, 'NtryDtls/TxDtls');
      const party = ind === 'CRDT' ? textAt(tx, 'RltdPties/Dbtr/Nm') ?? textAt(tx, 'RltdPties/Dbtr/Pty/Nm') : textAt(tx, 'RltdPties/Cdtr/Nm') ?? textAt(tx, 'RltdPties/Cdtr/Pty/Nm');
      const ustrd = all(at(tx, 'RmtInf'), 'Ustrd').map((u) => u.text.trim()).filter(Boolean).join(' ');
      entries.push({
        ok: true,
        iban,
        bookingDate,
        valueDate: day(at(e, 'ValDt')),
        amount: `${ind === 'DBIT' ? '-' : ''}${value}`,
        currency: amt.attrs.Ccy.toUpperCase(),
        counterparty: party,
        description: (ustrd || textAt(e, 'AddtlNtryInf') || '').replace(/\s+/g, ' ').trim(),
        bankReference: textAt(e, 'AcctSvcrRef') ?? textAt(tx, 'Refs/AcctSvcrRef'),
      });
    }
  }
  return { ibans, entries };
}
