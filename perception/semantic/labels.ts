import { norm } from './normalize.ts';

/**
 * Label dictionaries for invoice and receipt fields in English, German, French, Spanish and Dutch, in the
 * normalised form of `norm()` (lower case, no accents, punctuation as spaces). `strength` says how surely the
 * label names the field ("Gesamtbetrag" vs a bare "Total"); `none` entries exist only to win the longest match
 * against a shorter label ("line total" must not read as the invoice total).
 */
export type FieldKey = 'number' | 'issueDate' | 'dueDate' | 'subtotal' | 'tax' | 'total' | 'vendor' | 'none';

export interface LabelDef {
  text: string;
  field: FieldKey;
  strength: number;
  lang: string;
  /** Only valid when the value follows on the same line ("Invoice 12345"): a bare title is not a label. */
  inlineOnly?: boolean;
  /** A payment line on a receipt (cash tendered, change, card, rounding): never the total, not a vendor word. */
  payment?: boolean;
}

const L = (lang: string, field: FieldKey, strength: number, texts: string[], inlineOnly = false): LabelDef[] =>
  texts.map((t) => ({ text: norm(t), field, strength, lang, inlineOnly }));
const PAY = (lang: string, texts: string[]): LabelDef[] => texts.map((t) => ({ text: norm(t), field: 'none', strength: 1, lang, payment: true }));

export const LABELS: LabelDef[] = [
  // English
  ...L('en', 'number', 0.95, ['invoice no', 'invoice number', 'invoice #', 'invoice nr', 'inv no', 'inv #', 'invoice num', 'receipt no', 'receipt #', 'receipt number', 'bill no', 'document no']),
  ...L('en', 'number', 0.75, ['number', 'no', 'trans #', 'transaction #', 'ref', 'reference']),
  ...L('en', 'number', 0.8, ['invoice', 'receipt', 'tax invoice'], true),
  ...L('en', 'issueDate', 0.95, ['invoice date', 'issue date', 'date of issue', 'issued', 'receipt date', 'billing date']),
  ...L('en', 'issueDate', 0.8, ['date']),
  ...L('en', 'dueDate', 0.95, ['due date', 'payment due', 'due by', 'pay by', 'payment due date', 'due', 'date due', 'due on', 'payable by', 'please pay by', 'payment date', 'payment deadline', 'pay before']),
  ...L('en', 'subtotal', 0.95, ['subtotal', 'sub total', 'net amount', 'net total', 'total excl vat', 'total excl tax', 'total before tax', 'amount before tax', 'total net']),
  ...L('en', 'tax', 0.9, ['vat', 'tax', 'sales tax', 'gst', 'hst', 'vat amount', 'tax amount', 'total vat', 'total tax', 'plus vat', 'add vat']),
  ...L('en', 'total', 0.95, ['total due', 'amount due', 'grand total', 'balance due', 'total amount', 'invoice total', 'total incl vat', 'total including vat', 'total to pay', 'amount payable', 'total payable']),
  ...L('en', 'total', 0.8, ['total']),
  ...L('en', 'vendor', 0.9, ['from', 'seller', 'supplier', 'vendor', 'sold by', 'issued by']),
  // The owner of the account the invoice is paid into is the issuer.
  ...L('en', 'vendor', 0.85, ['account holder', 'account name', 'beneficiary', 'payee', 'pay to', 'remit to', 'make cheques payable to', 'make checks payable to']),
  ...L('en', 'none', 1, ['start date', 'end date', 'service period', 'billing period', 'period', 'related invoice', 'original invoice', 'referenced invoice', 'previous invoice', 'total of surcharges', 'total of discounts', 'total of allowances', 'total of charges']),
  ...PAY('en', ['deposit', 'prepaid', 'prepayment', 'already paid', 'amount paid', 'paid amount']),
  ...PAY('en', ['cash', 'cash tend', 'cash tendered', 'tendered', 'tend', 'change', 'change due', 'your change', 'card', 'visa', 'visa debit', 'mastercard', 'amex', 'debit', 'credit card', 'debit card', 'contactless', 'paid', 'payment', 'rounding', 'round off', 'total items', 'total qty', 'total savings', 'you saved', 'total discount', 'tip', 'gratuity']),
  ...L('en', 'none', 1, ['line total', 'unit price', 'total price', 'bill to', 'ship to', 'vat no', 'vat id', 'vat number', 'tax id', 'vat reg no', 'order no', 'order number', 'order #', 'order id', 'order ref', 'your ref', 'our ref', 'customer ref', 'po #', 'po no', 'purchase order', 'customer no', 'po number', 'account no', 'phone no', 'tax no', 'amount paid', 'total paid', 'change', 'order date', 'delivery date']),
  // German
  ...L('de', 'number', 0.95, ['rechnungsnummer', 'rechnungs nr', 'rechnung nr', 'rechnungsnr', 'rechnung nummer', 'beleg nr', 'belegnummer', 'bon nr', 'bonnummer', 'quittung nr', 're nr']),
  ...L('de', 'number', 0.75, ['nr', 'nummer']),
  ...L('de', 'number', 0.8, ['rechnung', 'quittung', 'beleg', 'bon'], true),
  ...L('de', 'issueDate', 0.95, ['rechnungsdatum', 'belegdatum', 'ausstellungsdatum', 'rechnung vom']),
  ...L('de', 'issueDate', 0.8, ['datum']),
  // "Rechnung Nr. 4711 vom 05.06.2018": weak alone, preferred on a line that names the invoice (see fields.ts).
  ...L('de', 'issueDate', 0.7, ['vom']),
  ...L('de', 'dueDate', 0.95, ['fallig am', 'faellig am', 'zahlbar bis', 'falligkeitsdatum', 'faelligkeitsdatum', 'fallig', 'zahlungsziel', 'zahlbar am', 'zahlungsfrist', 'zahlungstermin', 'fallig bis', 'zahlbar bis zum']),
  ...L('de', 'subtotal', 0.95, ['zwischensumme', 'nettobetrag', 'summe netto', 'netto', 'nettosumme', 'gesamt netto', 'rechnungsbetrag netto', 'netto summe', 'warenwert']),
  ...L('de', 'tax', 0.9, ['mwst', 'ust', 'umsatzsteuer', 'mehrwertsteuer', 'zzgl mwst', 'zzgl ust', 'enthaltene mwst', 'inkl mwst', 'mwst betrag', 'summe mwst', 'gesamt mwst', 'zzgl umsatzsteuer', 'steuerbetrag', 'ust betrag', 'umsatzsteuerbetrag', 'mehrwertsteuerbetrag']),
  ...L('de', 'total', 0.95, ['gesamtbetrag', 'rechnungsbetrag', 'endbetrag', 'gesamtsumme', 'zu zahlen', 'bruttobetrag', 'gesamt brutto', 'summe brutto', 'zahlbetrag', 'rechnungsbetrag brutto', 'gesamtbetrag brutto', 'endsumme', 'rechnungssumme', 'gesamtpreis brutto', 'bruttosumme', 'gesamtbruttobetrag', 'bruttogesamtbetrag', 'rechnungsendbetrag']),
  ...L('de', 'total', 0.8, ['gesamt', 'summe', 'brutto', 'betrag']),
  ...L('de', 'none', 1, ['einzelpreis', 'gesamtpreis', 'ust id', 'ust idnr', 'steuernummer', 'steuer nr', 'kundennummer', 'kunden nr', 'auftragsnummer', 'bestellnummer', 'lieferdatum', 'leistungsdatum', 'rechnungsempfanger', 'mwst satz', 'bestellnr', 'bestell nr', 'auftragsnr', 'auftrags nr', 'kundennr', 'lieferschein nr']),
  ...L('de', 'vendor', 0.85, ['kontoinhaber', 'zahlungsempfanger', 'begunstigter']),
  ...L('de', 'vendor', 0.9, ['verkaufer', 'lieferant', 'rechnungssteller', 'leistungserbringer', 'absender']),
  // Sums of surcharges/discounts and prepayments are not the invoice total.
  ...L('de', 'none', 1, ['leistungszeitraum', 'abrechnungszeitraum', 'zeitraum', 'bestelldatum', 'gesamtbetrag der zuschlage', 'gesamtbetrag der abschlage', 'summe der zuschlage', 'summe der abschlage', 'summe der positionen', 'positionssumme', 'bezugsrechnung', 'ursprungsrechnung']),
  ...PAY('de', ['erhaltene anzahlungen', 'anzahlung', 'anzahlungen', 'bereits gezahlt', 'vorauszahlung']),
  ...PAY('de', ['bar', 'geg bar', 'gegeben', 'ruckgeld', 'wechselgeld', 'zuruck', 'ec karte', 'girocard', 'kartenzahlung', 'rundung', 'bezahlt']),
  // French
  ...L('fr', 'number', 0.95, ['n de facture', 'ne de facture', 'facture n', 'numero de facture', 'no de facture', 'n facture', 'facture numero', 'ticket n', 'recu n', 'n de ticket']),
  ...L('fr', 'number', 0.75, ['numero', 'n']),
  ...L('fr', 'number', 0.8, ['facture', 'ticket', 'recu'], true),
  ...L('fr', 'issueDate', 0.95, ['date de facture', 'date d emission', 'date de facturation', 'date facture', 'emise le', 'date d edition']),
  ...L('fr', 'issueDate', 0.8, ['date']),
  ...L('fr', 'dueDate', 0.95, ['date d echeance', 'echeance', 'a payer avant le', 'date limite de paiement', 'payable le', 'echeance le', 'a regler avant le', 'date limite']),
  ...L('fr', 'subtotal', 0.95, ['total ht', 'sous total', 'montant ht', 'total hors taxes', 'prix ht', 'base ht', 'total h t', 'montant h t']),
  ...L('fr', 'tax', 0.9, ['tva', 'montant tva', 'total tva', 't v a']),
  ...L('fr', 'total', 0.95, ['total ttc', 'montant ttc', 'net a payer', 'montant total', 'total a payer', 'montant a payer', 'total general', 'total t t c', 'montant t t c']),
  ...L('fr', 'none', 1, ['prix unitaire', 'n tva', 'tva intracommunautaire', 'n siret', 'siret', 'n client', 'n de commande', 'commande n', 'n commande', 'numero de commande', 'taux tva', 'date de livraison']),
  ...L('fr', 'vendor', 0.85, ['titulaire du compte', 'titulaire', 'beneficiaire']),
  ...L('fr', 'vendor', 0.9, ['vendeur', 'fournisseur', 'emetteur', 'prestataire']),
  ...L('fr', 'none', 1, ['date de debut', 'date de fin', 'date de debut de prestation', 'date de fin de prestation', 'periode', 'date de commande', 'date de facture associee', 'n de facture associee', 'facture associee', 'facture d origine']),
  ...PAY('fr', ['acompte', 'deja regle', 'deja paye']),
  ...PAY('fr', ['especes', 'rendu', 'monnaie', 'monnaie rendue', 'cb', 'carte bancaire', 'arrondi', 'paye']),
  // Spanish
  ...L('es', 'number', 0.95, ['n de factura', 'ne de factura', 'factura n', 'numero de factura', 'num factura', 'n factura', 'factura numero', 'ticket n', 'n ticket', 'n de ticket', 'recibo n', 'n de recibo']),
  ...L('es', 'number', 0.8, ['factura', 'recibo'], true),
  ...L('es', 'issueDate', 0.95, ['fecha de emision', 'fecha factura', 'fecha de factura', 'fecha de expedicion', 'fecha emision']),
  ...L('es', 'issueDate', 0.8, ['fecha']),
  ...L('es', 'dueDate', 0.95, ['fecha de vencimiento', 'vencimiento', 'fecha vencimiento', 'fecha limite de pago']),
  ...L('es', 'subtotal', 0.95, ['base imponible', 'subtotal', 'importe neto', 'total sin iva']),
  // A bare "Base" only with its amount beside it: "sur la base de trois fois…" is prose.
  ...L('es', 'subtotal', 0.9, ['base'], true),
  ...L('es', 'tax', 0.9, ['iva', 'igic', 'cuota iva', 'impuestos', 'impuesto', 'total iva', 'importe iva']),
  ...L('es', 'total', 0.95, ['total a pagar', 'importe total', 'total factura', 'total con iva', 'total eur']),
  ...L('es', 'none', 1, ['precio unitario', 'cif', 'nif', 'n de pedido', 'tipo iva', 'fecha de entrega', 'pedido', 'n pedido']),
  ...L('es', 'vendor', 0.85, ['titular de la cuenta', 'titular', 'beneficiario']),
  ...L('es', 'vendor', 0.9, ['vendedor', 'proveedor', 'emisor']),
  ...PAY('es', ['efectivo', 'cambio', 'entregado', 'tarjeta', 'redondeo', 'pagado']),
  // Dutch
  ...L('nl', 'number', 0.95, ['factuurnummer', 'factuurnr', 'factuur nr', 'factuur nummer', 'bonnr', 'bon nr', 'bonnummer']),
  ...L('nl', 'number', 0.8, ['factuur', 'kassabon'], true),
  ...L('nl', 'issueDate', 0.95, ['factuurdatum', 'datum factuur']),
  ...L('nl', 'dueDate', 0.95, ['vervaldatum', 'te betalen voor', 'uiterste betaaldatum', 'betalen voor']),
  ...L('nl', 'subtotal', 0.95, ['subtotaal', 'totaal excl btw', 'netto bedrag', 'totaal exclusief btw', 'bedrag excl btw']),
  ...L('nl', 'tax', 0.9, ['btw', 'btw bedrag', 'totaal btw']),
  ...L('nl', 'total', 0.95, ['totaal incl btw', 'te betalen', 'totaalbedrag', 'totaal inclusief btw', 'totaal te betalen']),
  ...L('nl', 'total', 0.8, ['totaal']),
  ...L('nl', 'none', 1, ['stukprijs', 'btw nummer', 'btw nr', 'kvk', 'klantnummer', 'ordernummer']),
  ...L('nl', 'vendor', 0.85, ['rekeninghouder', 'begunstigde', 't n v']),
  ...L('nl', 'vendor', 0.9, ['leverancier', 'verkoper']),
  ...PAY('nl', ['contant', 'wisselgeld', 'pin', 'pinbetaling', 'afronding', 'betaald']),
  // Italian, Portuguese, Swedish, Danish/Norwegian, Polish: the commonest labels, so foreign suppliers' invoices read.
  ...L('it', 'number', 0.95, ['fattura n', 'numero fattura', 'fattura numero', 'n fattura']),
  ...L('it', 'issueDate', 0.95, ['data fattura', 'data documento', 'data emissione']),
  ...L('it', 'issueDate', 0.8, ['data']),
  ...L('it', 'dueDate', 0.95, ['scadenza', 'data di scadenza', 'data scadenza', 'scadenza pagamento']),
  ...L('it', 'subtotal', 0.95, ['imponibile', 'totale imponibile']),
  ...L('it', 'tax', 0.9, ['imposta', 'totale iva']),
  ...L('it', 'total', 0.95, ['totale documento', 'totale fattura', 'totale da pagare', 'importo totale']),
  ...L('it', 'total', 0.8, ['totale']),
  ...L('pt', 'number', 0.95, ['fatura n', 'numero da fatura', 'fatura numero']),
  ...L('pt', 'issueDate', 0.95, ['data de emissao', 'data da fatura', 'data fatura']),
  ...L('pt', 'dueDate', 0.95, ['vencimento', 'data de vencimento', 'data vencimento']),
  ...L('sv', 'number', 0.95, ['fakturanummer', 'fakturanr', 'faktura nr']),
  ...L('sv', 'issueDate', 0.95, ['fakturadatum', 'fakturadato']),
  ...L('sv', 'dueDate', 0.95, ['forfallodatum', 'forfallodag', 'sista betalningsdag', 'forfaldsdato', 'forfallsdato', 'betalingsfrist']),
  ...L('sv', 'tax', 0.9, ['moms', 'mva']),
  ...L('sv', 'total', 0.95, ['att betala', 'summa att betala', 'totalt', 'i alt', 'a betale']),
  ...L('pl', 'number', 0.95, ['faktura nr', 'numer faktury', 'faktura vat nr']),
  ...L('pl', 'issueDate', 0.95, ['data wystawienia']),
  ...L('pl', 'dueDate', 0.95, ['termin platnosci', 'termin zaplaty']),
  ...L('pl', 'total', 0.95, ['do zaplaty', 'razem do zaplaty']),
];

export interface LabelHit {
  def: LabelDef;
  /** Character range of the label within the normalised text. */
  start: number;
  end: number;
}

/**
 * Finds labels in normalised text: at each position the longest label wins, whole words only. Returns hits
 * left to right, including `none` hits (callers skip them).
 */
export function findLabels(normText: string): LabelHit[] {
  const hits: LabelHit[] = [];
  let i = 0;
  while (i < normText.length) {
    if (i > 0 && normText[i - 1] !== ' ') {
      i++;
      continue;
    }
    let best: LabelDef | null = null;
    let bestEnd = 0;
    for (const d of LABELS) {
      if (best && d.text.length <= best.text.length) continue;
      const end = matchAt(normText, i, d.text);
      if (end >= 0) {
        best = d;
        bestEnd = end;
      }
    }
    if (best) {
      hits.push({ def: best, start: i, end: bestEnd });
      i = bestEnd;
    } else i++;
  }
  return hits;
}

/** Currency words printed inside a label ("Montant EUR HT", "Total (EUR) TTC"): skipped when matching. */
const CURRENCY_WORD = /^(eur|euro|euros|usd|gbp|chf|rm|myr|inr|jpy|sek|nok|dkk|pln|cad|aud)$/;

/**
 * End of `label` matched at `i` (whole words), or -1. A currency word inside the printed label is skipped, so
 * "montant eur ht" matches "montant ht".
 */
function matchAt(text: string, i: number, label: string): number {
  if (text.startsWith(label, i)) {
    const end = i + label.length;
    if (end === text.length || text[end] === ' ' || label.endsWith('#')) return end;
  }
  if (!label.includes(' ') || !text.startsWith(label.slice(0, label.indexOf(' ')), i)) return -1;
  const want = label.split(' ');
  let p = i;
  for (let k = 0; k < want.length; k++) {
    const wEnd = text.indexOf(' ', p) < 0 ? text.length : text.indexOf(' ', p);
    const word = text.slice(p, wEnd);
    if (word === want[k]) {
      p = wEnd + 1;
      continue;
    }
    if (k > 0 && CURRENCY_WORD.test(word)) {
      p = wEnd + 1;
      k--;
      continue;
    }
    return -1;
  }
  return Math.min(text.length, p - 1);
}

const EXCL = /\b(excl|exkl|excluding|exclusive|exklusive|exkl|ohne|sans|hors|sin|zonder|before|vor|pre|without|net of)\b/;
const INCL = /\b(incl|inkl|including|inclusive|inklusive|avec|con|incluido|incluida|inclusief|with|mit|ttc|included)\b/;

/**
 * A tax word after a total label is usually a qualifier, not the tax line: "Total exkl. MwSt." and "Amount
 * excluding VAT" are the net amount, "Gesamt inkl. MwSt." is the total. Rewrites such hits in place.
 */
export function qualifyTaxHits(normText: string, hits: LabelHit[]): LabelHit[] {
  const out: LabelHit[] = [];
  for (const h of hits) {
    if (h.def.field !== 'tax') {
      out.push(h);
      continue;
    }
    const prev = out[out.length - 1];
    const before = normText.slice(prev ? prev.end : 0, h.start);
    const lead = `${before} ${h.def.text.split(' ')[0]}`;
    const totalish = prev && (prev.def.field === 'total' || prev.def.field === 'subtotal');
    if (EXCL.test(lead)) {
      const def = { ...h.def, field: 'subtotal' as const, strength: 0.95 };
      if (totalish) out[out.length - 1] = { ...prev, def, end: h.end };
      else out.push({ ...h, def });
    } else if (INCL.test(lead) && totalish) {
      if (prev.def.field === 'total') out[out.length - 1] = { ...prev, end: h.end };
      else out.push(h);
    } else if (prev && prev.def.field === 'total' && !before.trim()) {
      // "Total GST", "Total Tax", "Summe MwSt": the total of the tax, not the document total.
      out[out.length - 1] = { ...prev, def: { ...h.def, strength: 0.95 }, end: h.end };
    } else out.push(h);
  }
  return out;
}

/** Which language a document's labels are in, by counting strong label hits. */
export function detectLanguage(hits: LabelHit[]): string | null {
  const count = new Map<string, number>();
  for (const h of hits) if (h.def.field !== 'none' && h.def.text.length > 3) count.set(h.def.lang, (count.get(h.def.lang) ?? 0) + h.def.text.length);
  let best: string | null = null;
  let n = 0;
  for (const [k, v] of count) if (v > n) [best, n] = [k, v];
  return best;
}
