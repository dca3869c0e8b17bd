import type { Rng } from './rng.ts';

/** Synthetic business content (vendors, numbers, dates, amounts) and its locale-specific formatting. */
export type Lang = 'en' | 'de' | 'fr' | 'es' | 'nl';
export type Currency = 'EUR' | 'USD' | 'GBP' | 'CHF' | 'SEK';

export interface LineItem {
  description: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

export interface InvoiceData {
  kind: 'invoice' | 'receipt';
  lang: Lang;
  vendor: string;
  number: string;
  issueDate: string;
  dueDate?: string;
  currency: Currency;
  items: LineItem[];
  subtotal: number;
  taxRate: number;
  tax: number;
  total: number;
  amountStyle: AmountStyle;
  dateStyle: DateStyle;
  currencyStyle: 'symbol-before' | 'symbol-after' | 'iso-before' | 'iso-after';
}

export type AmountStyle = 'en' | 'de' | 'fr' | 'plain';
export type DateStyle = 'dmy-dot' | 'dmy-slash' | 'mdy-slash' | 'mon-d-y' | 'iso' | 'd-month-y' | 'dmy-dash';

const NAMES = ['Nordlicht', 'Blue Harbor', 'Lumière', 'Iberia', 'De Molen', 'Kessler', 'Greenfield', 'Alpenblick',
  'Sunrise', 'Atlas', 'Vega', 'Bergmann', 'Rivera', 'Dupont', 'Van Dijk', 'Oakridge', 'Falcon', 'Meridian',
  'Papeterie Moreau', 'Schmidt', 'Costa', 'Hansen', 'Pixel Forge', 'Cobalt', 'Linden', 'Marina', 'Solis'];
const TRADES = ['Consulting', 'Print', 'Software', 'Logistics', 'Office Supplies', 'Design', 'Catering', 'Hosting',
  'Electrics', 'Media', 'Bakery', 'Coffee', 'Studio', 'Trading', 'Services', 'Tools'];
const SUFFIX: Record<Lang, string[]> = {
  en: ['Ltd', 'Inc.', 'LLC', 'Ltd.', 'Co.'],
  de: ['GmbH', 'AG', 'KG', 'GmbH & Co. KG'],
  fr: ['SARL', 'SAS', 'SA'],
  es: ['S.L.', 'S.A.', 'SL'],
  nl: ['B.V.', 'BV', 'N.V.'],
};
const ITEMS: Record<Lang, string[]> = {
  en: ['Consulting hours', 'Website hosting', 'Printer paper A4', 'Logo design', 'Support plan', 'Travel expenses',
    'Domain renewal', 'Coffee beans 1kg', 'Shipping', 'Workshop', 'USB-C cable', 'Desk lamp', 'Software licence'],
  de: ['Beratungsstunden', 'Webhosting', 'Druckerpapier A4', 'Logogestaltung', 'Wartungsvertrag', 'Reisekosten',
    'Versand', 'Kaffeebohnen 1kg', 'Schulung', 'Montage', 'Softwarelizenz', 'Büromaterial'],
  fr: ['Heures de conseil', 'Hébergement web', 'Papier A4', 'Création de logo', 'Maintenance', 'Frais de port',
    'Formation', 'Licence logiciel', 'Café en grains', 'Déplacement', 'Fournitures'],
  es: ['Horas de consultoría', 'Alojamiento web', 'Papel A4', 'Diseño de logotipo', 'Mantenimiento', 'Envío',
    'Formación', 'Licencia de software', 'Café en grano', 'Material de oficina'],
  nl: ['Advies uren', 'Webhosting', 'Printpapier A4', 'Logo ontwerp', 'Onderhoud', 'Verzendkosten', 'Training',
    'Softwarelicentie', 'Koffiebonen', 'Kantoorartikelen'],
};
export const MONTHS: Record<Lang, string[]> = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
};

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export function makeInvoiceData(rng: Rng, kind: 'invoice' | 'receipt', lang?: Lang): InvoiceData {
  const l: Lang = lang ?? rng.pick(['en', 'en', 'de', 'fr', 'es', 'nl'] as const);
  const currency: Currency =
    l === 'en' ? rng.pick(['USD', 'GBP', 'EUR', 'USD'] as const) : rng.pick(['EUR', 'EUR', 'EUR', 'CHF', 'SEK'] as const);
  const vendor = `${rng.pick(NAMES)} ${rng.pick(TRADES)} ${rng.pick(SUFFIX[l])}`;
  const y = rng.int(2024, 2027);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  const issue = new Date(Date.UTC(y, m - 1, d));
  const due = new Date(issue.getTime() + rng.pick([14, 30, 30, 45]) * 86400000);
  const n = kind === 'receipt' ? rng.int(2, 6) : rng.int(1, 7);
  const items: LineItem[] = [];
  for (let i = 0; i < n; i++) {
    const quantity = rng.chance(0.5) ? 1 : rng.int(2, kind === 'receipt' ? 4 : 25);
    const unitPrice = round2(kind === 'receipt' ? rng.range(0.8, 40) : rng.range(5, rng.chance(0.2) ? 2500 : 400));
    items.push({ description: rng.pick(ITEMS[l]), quantity, unitPrice, amount: round2(quantity * unitPrice) });
  }
  const subtotal = round2(items.reduce((s, it) => s + it.amount, 0));
  const taxRate = rng.pick(l === 'de' ? [19, 7] : l === 'fr' ? [20, 10] : l === 'es' ? [21, 10] : l === 'nl' ? [21, 9] : [20, 10, 8, 0.0 + 5]);
  const tax = round2((subtotal * taxRate) / 100);
  const amountStyle: AmountStyle =
    l === 'en' ? rng.pick(['en', 'en', 'plain'] as const) : l === 'fr' ? rng.pick(['fr', 'de'] as const) : rng.pick(['de', 'de', 'plain'] as const);
  const dateStyle: DateStyle =
    l === 'en'
      ? currency === 'USD' ? rng.pick(['mdy-slash', 'mon-d-y', 'iso'] as const) : rng.pick(['dmy-slash', 'mon-d-y', 'iso', 'd-month-y'] as const)
      : l === 'de' ? rng.pick(['dmy-dot', 'dmy-dot', 'iso', 'd-month-y'] as const)
      : l === 'nl' ? rng.pick(['dmy-dash', 'dmy-slash', 'd-month-y'] as const)
      : rng.pick(['dmy-slash', 'dmy-slash', 'd-month-y', 'iso'] as const);
  return {
    kind, lang: l, vendor, number: makeNumber(rng, kind, y), issueDate: iso(issue),
    dueDate: kind === 'invoice' && rng.chance(0.8) ? iso(due) : undefined,
    currency, items, subtotal, taxRate, tax, total: round2(subtotal + tax), amountStyle, dateStyle,
    currencyStyle: rng.pick(['symbol-before', 'symbol-after', 'iso-before', 'iso-after'] as const),
  };
}

function makeNumber(rng: Rng, kind: 'invoice' | 'receipt', y: number): string {
  const k = rng.int(1, 9999);
  const pad = String(k).padStart(4, '0');
  if (kind === 'receipt') return rng.pick([`${rng.int(1000, 99999)}`, `R-${pad}`, `${rng.int(10, 99)}-${pad}`]);
  return rng.pick([`INV-${y}-${pad}`, `RE-${rng.int(10000, 99999)}`, `F${y}-${pad}`, `${y}-${pad}`, `A-${rng.int(1000, 9999)}`, `${rng.int(100000, 999999)}`]);
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export function formatAmount(v: number, style: AmountStyle): string {
  const [i, f] = Math.abs(v).toFixed(2).split('.');
  const group = (sep: string): string => i.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const sign = v < 0 ? '-' : '';
  if (style === 'en') return `${sign}${group(',')}.${f}`;
  if (style === 'de') return `${sign}${group('.')},${f}`;
  if (style === 'fr') return `${sign}${group(' ')},${f}`;
  return `${sign}${i}.${f}`;
}

export const SYMBOL: Record<Currency, string> = { EUR: '€', USD: '$', GBP: '£', CHF: 'CHF', SEK: 'kr' };

export function formatMoney(v: number, d: InvoiceData): string {
  const a = formatAmount(v, d.amountStyle);
  const sym = SYMBOL[d.currency];
  switch (d.currencyStyle) {
    case 'symbol-before':
      return sym.length > 1 ? `${sym} ${a}` : `${sym}${a}`;
    case 'symbol-after':
      return `${a} ${sym}`;
    case 'iso-before':
      return `${d.currency} ${a}`;
    default:
      return `${a} ${d.currency}`;
  }
}

export function formatDate(isoDate: string, style: DateStyle, lang: Lang): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  switch (style) {
    case 'dmy-dot': return `${dd}.${mm}.${y}`;
    case 'dmy-slash': return `${dd}/${mm}/${y}`;
    case 'dmy-dash': return `${dd}-${mm}-${y}`;
    case 'mdy-slash': return `${mm}/${dd}/${y}`;
    case 'iso': return isoDate;
    case 'mon-d-y': return `${MONTHS.en[m - 1].slice(0, 3)} ${d}, ${y}`;
    default: {
      const mon = MONTHS[lang][m - 1];
      if (lang === 'de') return `${d}. ${mon} ${y}`;
      if (lang === 'es') return `${d} de ${mon} de ${y}`;
      return `${d} ${mon} ${y}`;
    }
  }
}

/** Printed labels per language; several variants each so templates do not share one wording. */
export const LABELS: Record<Lang, Record<string, string[]>> = {
  en: { title: ['INVOICE', 'Invoice', 'TAX INVOICE'], number: ['Invoice No.', 'Invoice #', 'Invoice number', 'Number'],
    date: ['Date', 'Invoice date', 'Issue date'], due: ['Due date', 'Payment due', 'Due'], subtotal: ['Subtotal', 'Net amount', 'Sub-total'],
    tax: ['VAT', 'Tax', 'Sales tax'], total: ['Total', 'Total due', 'Amount due', 'TOTAL'], qty: ['Qty', 'Quantity'],
    unit: ['Unit price', 'Price', 'Rate'], amount: ['Amount', 'Line total'], desc: ['Description', 'Item'], billto: ['Bill to', 'Customer'],
    receipt: ['RECEIPT', 'Receipt', 'SALES RECEIPT'], rno: ['Receipt #', 'Receipt no.', 'Trans #'] },
  de: { title: ['RECHNUNG', 'Rechnung'], number: ['Rechnungsnummer', 'Rechnungs-Nr.', 'Rechnung Nr.'], date: ['Rechnungsdatum', 'Datum'],
    due: ['Fällig am', 'Zahlbar bis', 'Fälligkeitsdatum'], subtotal: ['Zwischensumme', 'Nettobetrag', 'Summe netto'], tax: ['MwSt', 'USt.', 'MwSt.'],
    total: ['Gesamtbetrag', 'Gesamt', 'Rechnungsbetrag', 'Summe'], qty: ['Menge', 'Anz.'], unit: ['Einzelpreis', 'E-Preis'],
    amount: ['Betrag', 'Gesamtpreis'], desc: ['Beschreibung', 'Bezeichnung', 'Artikel'], billto: ['Rechnungsempfänger', 'Kunde'],
    receipt: ['KASSENBON', 'Quittung', 'Beleg'], rno: ['Bon-Nr.', 'Beleg-Nr.', 'Bon'] },
  fr: { title: ['FACTURE', 'Facture'], number: ['N° de facture', 'Facture n°', 'Numéro'], date: ['Date', 'Date de facture', "Date d'émission"],
    due: ["Date d'échéance", 'Échéance'], subtotal: ['Total HT', 'Sous-total', 'Montant HT'], tax: ['TVA'], total: ['Total TTC', 'Montant TTC', 'Net à payer'],
    qty: ['Qté', 'Quantité'], unit: ['Prix unitaire', 'P.U.'], amount: ['Montant', 'Total'], desc: ['Désignation', 'Description'],
    billto: ['Facturé à', 'Client'], receipt: ['TICKET', 'Reçu', 'TICKET DE CAISSE'], rno: ['Ticket n°', 'N°'] },
  es: { title: ['FACTURA', 'Factura'], number: ['Nº de factura', 'Factura nº', 'Número'], date: ['Fecha', 'Fecha de emisión', 'Fecha factura'],
    due: ['Fecha de vencimiento', 'Vencimiento'], subtotal: ['Subtotal', 'Base imponible'], tax: ['IVA'], total: ['Total', 'Total a pagar', 'Importe total'],
    qty: ['Cantidad', 'Cant.'], unit: ['Precio unitario', 'Precio'], amount: ['Importe', 'Total'], desc: ['Descripción', 'Concepto'],
    billto: ['Cliente', 'Facturar a'], receipt: ['TICKET', 'Recibo', 'FACTURA SIMPLIFICADA'], rno: ['Ticket nº', 'Nº'] },
  nl: { title: ['FACTUUR', 'Factuur'], number: ['Factuurnummer', 'Factuurnr.'], date: ['Factuurdatum', 'Datum'], due: ['Vervaldatum', 'Te betalen voor'],
    subtotal: ['Subtotaal', 'Totaal excl. BTW'], tax: ['BTW'], total: ['Totaal', 'Te betalen', 'Totaal incl. BTW'], qty: ['Aantal'],
    unit: ['Prijs', 'Stukprijs'], amount: ['Bedrag', 'Totaal'], desc: ['Omschrijving'], billto: ['Klant', 'Factuur aan'],
    receipt: ['KASSABON', 'Bon'], rno: ['Bonnr.', 'Bon nr.'] },
};

export const CUSTOMERS = ['Anna Weber', 'Tom Baker', 'Claire Martin', 'Lucía García', 'Pieter de Vries', 'Jonas Koch',
  'Sarah Miller', 'Marc Lefèvre', 'Elena Ruiz', 'Sanne Bakker'];
export const STREETS = ['Hauptstraße 12', '42 High Street', '7 rue de la Paix', 'Calle Mayor 15', 'Kerkstraat 8',
  '1200 Market St', 'Bahnhofstr. 3', '18 avenue Victor Hugo', 'Gran Vía 28', 'Prinsengracht 221'];
export const CITIES = ['10115 Berlin', 'London EC1A 1BB', '75002 Paris', '28013 Madrid', '1015 CX Amsterdam',
  'San Francisco, CA 94103', '8001 Zürich', '69002 Lyon', '08001 Barcelona', '3511 Utrecht'];
