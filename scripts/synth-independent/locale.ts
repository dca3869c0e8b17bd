/**
 * Languages, currencies and their printed forms for the independent generator: labels, number and date formats,
 * payment terms. Written from scratch (not scripts/synth/content.ts) and wider: Italian, JPY without decimals,
 * CHF with apostrophes, terms such as "Net 30", "30 Tage netto", "à 30 jours".
 */
import type { Prng } from './prng.ts';

export type Lang = 'en' | 'de' | 'fr' | 'es' | 'it' | 'nl';
export type Cur = 'EUR' | 'USD' | 'GBP' | 'CHF' | 'JPY';
export const LANGS: Lang[] = ['en', 'de', 'fr', 'es', 'it', 'nl'];

interface Words {
  title: string[];
  number: string[];
  date: string[];
  due: string[];
  subtotal: string[];
  tax: (rate: string) => string[];
  total: string[];
  cols: [string, string, string, string];
  billTo: string[];
  terms: ((days: number) => string)[];
  months: string[];
  receiptNo: string[];
  cash: string;
  change: string;
  thanks: string[];
  bank: string;
  page: string;
}

export const WORDS: Record<Lang, Words> = {
  en: {
    title: ['INVOICE', 'Invoice', 'Tax Invoice'], number: ['Invoice No.', 'Invoice #', 'Invoice number'], date: ['Invoice date', 'Date', 'Issued'],
    due: ['Due date', 'Payment due', 'Due'], subtotal: ['Subtotal', 'Net amount'], tax: (r) => [`VAT ${r}%`, `Tax (${r}%)`], total: ['Total', 'Amount due', 'Total due'],
    cols: ['Description', 'Qty', 'Unit price', 'Amount'], billTo: ['Bill to', 'Invoice to', 'Customer'], terms: [(d) => `Net ${d}`, (d) => `Payment due within ${d} days`, (d) => `Terms: Net ${d} days`],
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    receiptNo: ['Receipt #', 'Trans No.', 'Check #'], cash: 'CASH', change: 'CHANGE', thanks: ['THANK YOU FOR SHOPPING', 'Thanks, come again!'], bank: 'Bank details', page: 'Page',
  },
  de: {
    title: ['RECHNUNG', 'Rechnung'], number: ['Rechnungsnummer', 'Rechnung Nr.', 'Rechnungs-Nr.'], date: ['Rechnungsdatum', 'Datum'], due: ['Fällig am', 'Zahlbar bis', 'Fälligkeitsdatum'],
    subtotal: ['Zwischensumme', 'Nettobetrag', 'Summe netto'], tax: (r) => [`MwSt. ${r}%`, `zzgl. USt. ${r} %`], total: ['Gesamtbetrag', 'Rechnungsbetrag', 'Endbetrag'],
    cols: ['Bezeichnung', 'Menge', 'Einzelpreis', 'Betrag'], billTo: ['Rechnungsempfänger', 'An'], terms: [(d) => `${d} Tage netto`, (d) => `Zahlbar innerhalb von ${d} Tagen ohne Abzug`, (d) => `Zahlungsziel: ${d} Tage netto`],
    months: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
    receiptNo: ['Bon-Nr.', 'Beleg-Nr.', 'Bon'], cash: 'BAR', change: 'Rückgeld', thanks: ['Vielen Dank für Ihren Einkauf!', 'Danke und auf Wiedersehen'], bank: 'Bankverbindung', page: 'Seite',
  },
  fr: {
    title: ['FACTURE', 'Facture'], number: ['Facture n°', 'N° de facture', 'Numéro'], date: ['Date de facture', 'Date', "Date d'émission"], due: ["Date d'échéance", 'Échéance', 'À régler avant le'],
    subtotal: ['Total HT', 'Montant HT', 'Sous-total HT'], tax: (r) => [`TVA ${r} %`, `TVA (${r}%)`], total: ['Total TTC', 'Net à payer', 'Montant TTC'],
    cols: ['Désignation', 'Qté', 'Prix unitaire', 'Montant'], billTo: ['Facturé à', 'Client'], terms: [(d) => `Paiement à ${d} jours`, (d) => `Conditions : à ${d} jours`, (d) => `Règlement à ${d} jours net`],
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
    receiptNo: ['Ticket n°', 'N° ticket', 'Ticket'], cash: 'ESPÈCES', change: 'Rendu', thanks: ['MERCI DE VOTRE VISITE', 'À bientôt !'], bank: 'Coordonnées bancaires', page: 'Page',
  },
  es: {
    title: ['FACTURA', 'Factura'], number: ['Nº factura', 'Número de factura', 'Factura n.º'], date: ['Fecha de emisión', 'Fecha', 'Fecha factura'], due: ['Fecha de vencimiento', 'Vencimiento'],
    subtotal: ['Base imponible', 'Subtotal'], tax: (r) => [`IVA ${r}%`, `IVA (${r} %)`], total: ['Total', 'Total a pagar', 'Importe total'],
    cols: ['Concepto', 'Cant.', 'Precio', 'Importe'], billTo: ['Cliente', 'Facturar a'], terms: [(d) => `Pago a ${d} días`, (d) => `Vencimiento a ${d} días`, (d) => `Forma de pago: transferencia a ${d} días`],
    months: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
    receiptNo: ['Nº ticket', 'Ticket nº', 'Factura simplificada'], cash: 'EFECTIVO', change: 'Cambio', thanks: ['GRACIAS POR SU VISITA', 'Gracias por su compra'], bank: 'Datos bancarios', page: 'Página',
  },
  it: {
    title: ['FATTURA', 'Fattura'], number: ['Fattura n.', 'Numero fattura', 'N. documento'], date: ['Data fattura', 'Data', 'Data documento'], due: ['Scadenza', 'Data scadenza'],
    subtotal: ['Imponibile', 'Totale imponibile'], tax: (r) => [`IVA ${r}%`, `IVA (${r}%)`], total: ['Totale', 'Totale documento', 'Totale da pagare'],
    cols: ['Descrizione', 'Q.tà', 'Prezzo unit.', 'Importo'], billTo: ['Spett.le', 'Cliente'], terms: [(d) => `Pagamento a ${d} gg d.f.`, (d) => `Bonifico a ${d} giorni`, (d) => `Pagamento: ${d} giorni data fattura`],
    months: ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'],
    receiptNo: ['Scontrino n.', 'Documento n.', 'Doc. n.'], cash: 'CONTANTI', change: 'Resto', thanks: ['GRAZIE E ARRIVEDERCI', 'Grazie per la visita'], bank: 'Coordinate bancarie', page: 'Pagina',
  },
  nl: {
    title: ['FACTUUR', 'Factuur'], number: ['Factuurnummer', 'Factuurnr.'], date: ['Factuurdatum', 'Datum'], due: ['Vervaldatum', 'Te betalen vóór'],
    subtotal: ['Subtotaal', 'Totaal excl. btw'], tax: (r) => [`BTW ${r}%`, `btw ${r}%`], total: ['Totaal', 'Te betalen', 'Totaal incl. btw'],
    cols: ['Omschrijving', 'Aantal', 'Prijs', 'Bedrag'], billTo: ['Factuuradres', 'Aan'], terms: [(d) => `${d} dagen netto`, (d) => `Betaling binnen ${d} dagen`, (d) => `Betalingstermijn: ${d} dagen`],
    months: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
    receiptNo: ['Bonnr.', 'Transactie', 'Kassabon'], cash: 'CONTANT', change: 'Wisselgeld', thanks: ['BEDANKT EN TOT ZIENS', 'Bedankt voor uw bezoek'], bank: 'Bankgegevens', page: 'Pagina',
  },
};

/** VAT rates in use (percent) for a language/currency pair. */
export function taxRates(lang: Lang, cur: Cur): number[] {
  if (cur === 'CHF') return [8.1, 2.6];
  if (cur === 'JPY') return [10, 8];
  if (cur === 'USD') return [8.25, 7, 0];
  if (cur === 'GBP') return [20];
  return { en: [20], de: [19, 7], fr: [20, 10, 5.5], es: [21, 10], it: [22, 10], nl: [21, 9] }[lang];
}

export const DECIMALS: Record<Cur, number> = { EUR: 2, USD: 2, GBP: 2, CHF: 2, JPY: 0 };

/** Prints an amount the way a document in this language and currency would (without the currency sign). */
export function formatNumber(v: number, lang: Lang, cur: Cur, grouping = true): string {
  const dec = DECIMALS[cur];
  const neg = v < 0;
  const [i, f] = Math.abs(v).toFixed(dec).split('.');
  let sep: string;
  let point: string;
  if (cur === 'CHF') [sep, point] = ["'", '.'];
  else if (cur === 'JPY' || lang === 'en') [sep, point] = [',', '.'];
  else if (lang === 'fr') [sep, point] = [' ', ','];
  else [sep, point] = ['.', ','];
  const int = grouping ? i.replace(/\B(?=(\d{3})+(?!\d))/g, sep) : i;
  return `${neg ? '-' : ''}${int}${f ? point + f : ''}`;
}

const SIGN: Record<Cur, string[]> = { EUR: ['€', 'EUR'], USD: ['$', 'USD'], GBP: ['£', 'GBP'], CHF: ['CHF', 'Fr.'], JPY: ['¥', 'JPY', '円'] };

/** A money formatter fixed for one document (the sign and its side stay the same on the page). */
export function moneyStyle(p: Prng, lang: Lang, cur: Cur): (v: number) => string {
  const sign = p.one(SIGN[cur]);
  const before = sign === '$' || sign === '£' || (sign === '¥' && lang === 'en') || (sign === 'CHF' && p.yes(0.7)) || sign === 'Fr.' || (lang === 'en' && p.yes(0.5)) || (lang === 'nl' && sign === '€' && p.yes(0.6));
  const gap = sign.length > 1 || (!before && lang !== 'en') ? ' ' : '';
  return (v) => (before ? `${sign}${gap}${formatNumber(v, lang, cur)}` : sign === '円' ? `${formatNumber(v, lang, cur)}${sign}` : `${formatNumber(v, lang, cur)}${gap}${sign}`);
}

export interface Ymd {
  y: number;
  m: number;
  d: number;
}
export const iso = (t: Ymd): string => `${t.y}-${String(t.m).padStart(2, '0')}-${String(t.d).padStart(2, '0')}`;
export function addDays(t: Ymd, n: number): Ymd {
  const dt = new Date(Date.UTC(t.y, t.m - 1, t.d + n));
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

/**
 * A date formatter fixed for one document. US documents (USD, English) print month first; the rest day first or
 * with the month's name, some in ISO.
 */
export function dateStyle(p: Prng, lang: Lang, cur: Cur): (t: Ymd) => string {
  const dd = (n: number): string => String(n).padStart(2, '0');
  const months = WORDS[lang].months;
  const forms: ((t: Ymd) => string)[] = [(t) => iso(t)];
  if (lang === 'en' && cur === 'USD') forms.push((t) => `${dd(t.m)}/${dd(t.d)}/${t.y}`, (t) => `${months[t.m - 1]} ${t.d}, ${t.y}`, (t) => `${months[t.m - 1].slice(0, 3)} ${dd(t.d)}, ${t.y}`);
  else if (lang === 'en') forms.push((t) => `${dd(t.d)}/${dd(t.m)}/${t.y}`, (t) => `${t.d} ${months[t.m - 1]} ${t.y}`, (t) => `${t.d} ${months[t.m - 1].slice(0, 3)} ${t.y}`);
  else if (lang === 'de') forms.push((t) => `${dd(t.d)}.${dd(t.m)}.${t.y}`, (t) => `${t.d}. ${months[t.m - 1]} ${t.y}`, (t) => `${dd(t.d)}.${dd(t.m)}.${String(t.y).slice(2)}`);
  else if (lang === 'nl') forms.push((t) => `${dd(t.d)}-${dd(t.m)}-${t.y}`, (t) => `${t.d} ${months[t.m - 1]} ${t.y}`);
  else if (lang === 'es') forms.push((t) => `${dd(t.d)}/${dd(t.m)}/${t.y}`, (t) => `${t.d} de ${months[t.m - 1]} de ${t.y}`);
  else forms.push((t) => `${dd(t.d)}/${dd(t.m)}/${t.y}`, (t) => `${t.d} ${months[t.m - 1]} ${t.y}`, (t) => `${dd(t.d)}.${dd(t.m)}.${t.y}`);
  if (cur === 'JPY') forms.push((t) => `${t.y}年${t.m}月${t.d}日`.replace(/[年月日]/g, (c) => ({ 年: '/', 月: '/', 日: '' })[c]!));
  return p.one(forms);
}
