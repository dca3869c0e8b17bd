/**
 * Reads the expected values out of a ZUGFeRD / Factur-X / XRechnung (UN/CEFACT CII) invoice XML, versions 1.0 to
 * 2.3, with plain patterns: the handful of elements we score have stable names across the versions.
 */
export interface CiiValues {
  seller: string | null;
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  currency: string | null;
  total: string | null;
  subtotal: string | null;
  tax: string | null;
  typeCode: string | null;
  lines: { description: string; amount: string | null }[];
}

const unescape = (s: string): string => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").trim();

function first(xml: string, path: string[]): string | null {
  let scope = xml;
  for (const tag of path) {
    const m = new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${tag}>`).exec(scope);
    if (!m) return null;
    scope = m[1];
  }
  return unescape(scope);
}

function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${tag}>`, 'g'))].map((m) => m[1]);
}

const date102 = (s: string | null): string | null => {
  const m = s && /(\d{4})(\d{2})(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
};
const dec = (s: string | null): string | null => (s === null ? null : Number(s).toFixed(2));

export function readCii(xml: string): CiiValues {
  const header = first(xml, ['ExchangedDocument']) ?? first(xml, ['HeaderExchangedDocument']) ?? '';
  const sum = first(xml, ['SpecifiedTradeSettlementHeaderMonetarySummation']) ?? first(xml, ['SpecifiedTradeSettlementMonetarySummation']) ?? '';
  const lines = all(xml, 'IncludedSupplyChainTradeLineItem').map((l) => ({
    description: first(l, ['SpecifiedTradeProduct', 'Name']) ?? '',
    amount: dec(first(l, ['LineTotalAmount'])),
  }));
  return {
    seller: first(xml, ['SellerTradeParty', 'Name']),
    number: first(header, ['ID']),
    issueDate: date102(first(header, ['IssueDateTime'])),
    dueDate: date102(first(xml, ['SpecifiedTradePaymentTerms', 'DueDateDateTime'])),
    currency: first(xml, ['InvoiceCurrencyCode']),
    total: dec(first(sum, ['GrandTotalAmount'])),
    subtotal: dec(first(sum, ['TaxBasisTotalAmount'])),
    tax: dec(first(sum, ['TaxTotalAmount'])),
    typeCode: first(header, ['TypeCode']),
    lines,
  };
}
