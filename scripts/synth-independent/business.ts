/**
 * The business content of one generated invoice or receipt: an invented seller, buyer, items and amounts that add
 * up (items → subtotal, subtotal + tax → total, rounded per line), and the expected values for the manifest.
 */
import type { Prng } from './prng.ts';
import { addDays, DECIMALS, iso, taxRates, type Cur, type Lang, type Ymd } from './locale.ts';

const SYL = ['Nor', 'Vel', 'Ark', 'Bri', 'Sol', 'Tam', 'Quin', 'Lux', 'Ost', 'Mar', 'Del', 'Fen', 'Gal', 'Hel', 'Iso', 'Kor', 'Lin', 'Pra', 'Rho', 'Sev', 'Tor', 'Vix', 'Wen', 'Zan'];
const END = ['ex', 'ia', 'on', 'ara', 'ico', 'berg', 'ford', 'ina', 'tek', 'is', 'ova', 'ando'];
const TRADE: Record<Lang, string[]> = {
  en: ['Consulting', 'Logistics', 'Print Works', 'Software', 'Supplies', 'Engineering'],
  de: ['Bau', 'Elektrotechnik', 'Druckerei', 'Software', 'Logistik', 'Metallbau'],
  fr: ['Conseil', 'Imprimerie', 'Informatique', 'Transports', 'Bâtiment', 'Services'],
  es: ['Consultores', 'Imprenta', 'Informática', 'Transportes', 'Reformas', 'Suministros'],
  it: ['Consulenze', 'Tipografia', 'Informatica', 'Trasporti', 'Costruzioni', 'Forniture'],
  nl: ['Advies', 'Drukkerij', 'Automatisering', 'Transport', 'Bouw', 'Installatietechniek'],
};
const FORMS: Record<Lang, string[]> = {
  en: ['Ltd', 'LLC', 'Inc.', 'PLC', 'Ltd.'], de: ['GmbH', 'AG', 'GmbH & Co. KG', 'e.K.', 'UG'], fr: ['SARL', 'SAS', 'SA', 'EURL'],
  es: ['S.L.', 'S.A.', 'S.L.U.'], it: ['S.r.l.', 'S.p.A.', 'S.n.c.'], nl: ['B.V.', 'V.O.F.', 'N.V.'],
};
const SHOPS: Record<Lang, string[]> = {
  en: ['Corner Deli', 'Market Express', 'Coffee House', 'Hardware Store', 'Fresh Foods'],
  de: ['Bäckerei', 'Getränkemarkt', 'Café', 'Apotheke', 'Blumenladen'],
  fr: ['Boulangerie', 'Épicerie', 'Café', 'Pharmacie', 'Tabac Presse'],
  es: ['Panadería', 'Supermercado', 'Cafetería', 'Farmacia', 'Frutería'],
  it: ['Panificio', 'Bar', 'Tabaccheria', 'Farmacia', 'Alimentari'],
  nl: ['Bakkerij', 'Supermarkt', 'Koffiehuis', 'Drogisterij', 'Slijterij'],
};
const GOODS: Record<Lang, string[]> = {
  en: ['Consulting hours', 'Annual licence', 'Printer toner', 'Office chairs', 'Delivery fee', 'Server maintenance', 'Training day', 'Paper A4 box', 'Cable set', 'Support plan'],
  de: ['Beratungsstunden', 'Jahreslizenz', 'Druckerpatrone', 'Bürostuhl', 'Versandkosten', 'Wartungsvertrag', 'Schulungstag', 'Kopierpapier A4', 'Montagematerial', 'Arbeitszeit Monteur'],
  fr: ['Heures de conseil', 'Licence annuelle', 'Cartouche encre', 'Chaise de bureau', 'Frais de port', 'Maintenance serveur', 'Journée de formation', 'Ramette papier A4', 'Main-d’œuvre', 'Câblage réseau'],
  es: ['Horas de consultoría', 'Licencia anual', 'Cartucho de tinta', 'Silla de oficina', 'Gastos de envío', 'Mantenimiento', 'Jornada de formación', 'Papel A4', 'Mano de obra', 'Material eléctrico'],
  it: ['Ore di consulenza', 'Licenza annuale', 'Cartuccia toner', 'Sedia ufficio', 'Spese di spedizione', 'Manutenzione server', 'Giornata di formazione', 'Risma carta A4', 'Manodopera', 'Materiale elettrico'],
  nl: ['Adviesuren', 'Jaarlicentie', 'Inktpatroon', 'Bureaustoel', 'Verzendkosten', 'Onderhoudscontract', 'Trainingsdag', 'Papier A4', 'Arbeidsloon', 'Installatiemateriaal'],
};
const GROCERIES: Record<Lang, string[]> = {
  en: ['Milk 1L', 'Bread', 'Apples', 'Coffee', 'Eggs 12', 'Cheddar', 'Orange juice', 'Bananas', 'Pasta', 'Tomatoes'],
  de: ['Vollmilch 1L', 'Brötchen', 'Äpfel', 'Kaffee', 'Eier 10St', 'Gouda', 'Orangensaft', 'Bananen', 'Nudeln', 'Tomaten'],
  fr: ['Lait 1L', 'Baguette', 'Pommes', 'Café', 'Oeufs x12', 'Comté', "Jus d'orange", 'Bananes', 'Pâtes', 'Tomates'],
  es: ['Leche 1L', 'Pan', 'Manzanas', 'Café', 'Huevos 12', 'Queso', 'Zumo naranja', 'Plátanos', 'Pasta', 'Tomates'],
  it: ['Latte 1L', 'Pane', 'Mele', 'Caffè', 'Uova x6', 'Parmigiano', 'Succo arancia', 'Banane', 'Pasta', 'Pomodori'],
  nl: ['Melk 1L', 'Brood', 'Appels', 'Koffie', 'Eieren 10', 'Kaas', 'Sinaasappelsap', 'Bananen', 'Pasta', 'Tomaten'],
};
const STREETS: Record<Lang, string[]> = {
  en: ['High Street', 'Mill Lane', 'Station Road', 'Oak Avenue'], de: ['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Industriestraße'],
  fr: ['rue de la Paix', 'avenue Victor Hugo', 'boulevard Voltaire', 'rue des Lilas'], es: ['Calle Mayor', 'Avenida de la Constitución', 'Calle del Sol'],
  it: ['Via Roma', 'Corso Garibaldi', 'Via Dante', 'Piazza Verdi'], nl: ['Kerkstraat', 'Stationsweg', 'Dorpsstraat', 'Molenlaan'],
};
const CITIES: Record<Lang, string[]> = {
  en: ['Leeds', 'Bristol', 'Austin', 'Denver'], de: ['10115 Berlin', '80331 München', '50667 Köln', '04109 Leipzig'], fr: ['69002 Lyon', '13001 Marseille', '31000 Toulouse'],
  es: ['28013 Madrid', '46001 Valencia', '41001 Sevilla'], it: ['20121 Milano', '00184 Roma', '40121 Bologna'], nl: ['3511 Utrecht', '1012 Amsterdam', '9711 Groningen'],
};

export interface Item {
  description: string;
  qty: number;
  unit: number;
  amount: number;
}
export interface Business {
  lang: Lang;
  cur: Cur;
  seller: string;
  sellerLines: string[];
  buyer: string[];
  number: string;
  issue: Ymd;
  termsDays: number | null;
  due: Ymd | null;
  items: Item[];
  rate: number;
  subtotal: number;
  tax: number;
  total: number;
}

const round = (v: number, dec: number): number => Math.round(v * 10 ** dec) / 10 ** dec;

function name(p: Prng): string {
  return p.one(SYL) + p.one(END);
}

export function makeBusiness(p: Prng, lang: Lang, cur: Cur, kind: 'invoice' | 'receipt'): Business {
  const dec = DECIMALS[cur];
  const seller =
    kind === 'receipt'
      ? `${p.one(SHOPS[lang])} ${name(p)}`
      : p.yes(0.5)
        ? `${name(p)} ${p.one(TRADE[lang])} ${p.one(FORMS[lang])}`
        : `${name(p)}${p.one(['', ' & ' + name(p)])} ${p.one(FORMS[lang])}`;
  const street = `${p.one(STREETS[lang])} ${p.between(1, 180)}`;
  const sellerLines = [street, p.one(CITIES[lang])];
  const buyer = [`${name(p)} ${p.one(FORMS[lang])}`, `${p.one(STREETS[lang])} ${p.between(1, 99)}`, p.one(CITIES[lang])];
  const n = kind === 'receipt' ? p.between(2, 9) : p.between(1, 7);
  const goods = p.some(kind === 'receipt' ? GROCERIES[lang] : GOODS[lang], n);
  const scale = cur === 'JPY' ? 120 : 1;
  const items = goods.map((description) => {
    const qty = kind === 'receipt' ? p.one([1, 1, 1, 2, 3]) : p.one([1, 1, 2, 3, 5, 10, 12]);
    const unit = round((kind === 'receipt' ? p.real(0.4, 9) : p.real(4, 480)) * scale, dec);
    return { description, qty, unit, amount: round(qty * unit, dec) };
  });
  const rate = p.one(taxRates(lang, cur));
  const subtotal = round(items.reduce((s, i) => s + i.amount, 0), dec);
  const tax = round((subtotal * rate) / 100, dec);
  const total = round(subtotal + tax, dec);
  const issue = { y: p.between(2023, 2026), m: p.between(1, 12), d: p.between(1, 28) };
  const termsDays = kind === 'invoice' ? p.one([7, 10, 14, 30, 30, 45, 60]) : null;
  const numberForms = [
    () => `${issue.y}-${String(p.between(1, 9999)).padStart(4, '0')}`,
    () => `INV-${p.between(10000, 99999)}`,
    () => `${p.one(['RE', 'R', 'F', 'FA', 'FV'])}${issue.y % 100}${String(p.between(1, 99999)).padStart(5, '0')}`,
    () => String(p.between(100000, 9999999)),
    () => `${p.between(1, 999)}/${issue.y}`,
  ];
  const number = kind === 'receipt' ? String(p.between(1000, 99999)) : p.one(numberForms)();
  return { lang, cur, seller, sellerLines, buyer, number, issue, termsDays, due: termsDays === null ? null : addDays(issue, termsDays), items, rate, subtotal, tax, total };
}

const money = (v: number, cur: Cur): string => v.toFixed(DECIMALS[cur] === 0 ? 0 : 2);

/** Expected values in the manifest's form. */
export function expectedOf(b: Business, printed: { number: boolean; due: boolean; items: boolean }) {
  return {
    vendor: [b.seller],
    number: printed.number ? b.number : null,
    issueDate: iso(b.issue),
    dueDate: printed.due && b.due ? iso(b.due) : null,
    currency: b.cur,
    total: money(b.total, b.cur),
    subtotal: money(b.subtotal, b.cur),
    tax: money(b.tax, b.cur),
    lineItems: printed.items ? b.items.map((i) => ({ description: i.description, amount: money(i.amount, b.cur) })) : null,
    consistent: true,
  };
}
