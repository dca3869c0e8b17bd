/**
 * A labelled memory set the benchmark generates: customers and vendors, threads of messages about
 * recurring business topics, and for each labelled episode a paraphrased question that names the
 * entity but mostly avoids the episode's own wording.
 */
export interface BenchEpisode {
  key: string;
  entity: string;
  kind: 'customer' | 'vendor';
  title: string;
  content: string;
}
export interface BenchQuery {
  /** Every episode that answers the question (same entity, same topic). */
  targets: string[];
  entity: string;
  question: string;
  /** The same need, phrased with none of the embedder's synonym-table words (held out). */
  heldOut: string;
  /** The same need asked in German, French or Spanish (the episodes are English). */
  foreign: string;
  /** Another English phrasing, written after the offline embedder's word-vector weights were chosen (never tuned on). */
  fresh: string;
}

type T = { who: 'customer' | 'vendor'; title: string; doc: string[]; q: string[] };

/**
 * Held-out phrasings, per topic in TOPICS' order. `en` avoids every word (and stem) of the hashed
 * embedder's concept table, so a match has to come from elsewhere; `foreign` is how a German, French
 * or Spanish speaker would ask. Written before the table learnt any de/fr/es words beyond the few
 * German ones it had; they stay out of it (see memory/embedding/hashed.embedder.ts).
 */
const HELD_OUT: Array<{ en: string[]; foreign: string[] }> = [
  { en: ['Did the goods for {name} get held up in transit?', 'Was there trouble with the freight for {name}?'], foreign: ['Kam die Lieferung an {name} zu spät?', 'La livraison pour {name} a-t-elle été retardée ?', '¿Llegó tarde el envío de {name}?'] },
  { en: ['What reduction did {name} receive?', 'Which offer did {name} accept from us?'], foreign: ['Welchen Rabatt bekommt {name}?', 'Quel prix avons-nous convenu avec {name} ?', '¿Qué descuento tiene {name}?'] },
  { en: ['Do we still wait for cash from {name}?', 'Has {name} ignored our dunning letters?'], foreign: ['Hat {name} die Rechnung schon bezahlt?', 'Est-ce que {name} a payé sa facture ?', '¿Ha pagado {name} la factura?'] },
  { en: ['Does {name} want to be compensated?', 'Did {name} send goods back to us for compensation?'], foreign: ['Will {name} sein Geld zurück?', '{name} demande-t-il un remboursement ?', '¿Pide {name} un reembolso?'] },
  { en: ['When do we sit down with {name}?', 'Is a get-together with {name} on the agenda?'], foreign: ['Wann ist der Termin mit {name}?', 'Quand avons-nous rendez-vous avec {name} ?', '¿Cuándo es la reunión con {name}?'] },
  { en: ['Was {name} unhappy with the quality?', 'Did something {name} received stop working?'], foreign: ['Hat sich {name} über ein kaputtes Produkt beschwert?', "{name} s'est-il plaint d'un produit défectueux ?", '¿Se quejó {name} de un producto defectuoso?'] },
  { en: ['Will {name} stay with us next term?', 'Is {name} switching to another tier?'], foreign: ['Kündigt {name} das Abo?', '{name} garde-t-il son abonnement ?', '¿Cambia {name} su suscripción?'] },
  { en: ['Where is {name} located these days?', 'Has {name} changed premises?'], foreign: ['Wohin sollen wir an {name} liefern?', 'Quelle est la nouvelle adresse de {name} ?', '¿Cuál es la nueva dirección de {name}?'] },
  { en: ['What quantity did {name} request?', 'How large was the latest request from {name}?'], foreign: ['Wie viel hat {name} bestellt?', 'Combien {name} a-t-il commandé ?', '¿Cuántas unidades pidió {name}?'] },
  { en: ['Does {name} use the bank or a card?', 'How does {name} send us their money?'], foreign: ['Wie zahlt {name} jetzt?', 'Comment {name} règle-t-il ses factures ?', '¿Cómo paga {name} ahora?'] },
  { en: ['Did {name} hike what they ask for?', 'Is {name} asking for more per unit?'], foreign: ['Hat {name} die Preise erhöht?', '{name} a-t-il augmenté ses prix ?', '¿Subió {name} sus precios?'] },
  { en: ['How much does {name} want from us?', 'Did {name} send us paperwork asking for cash?'], foreign: ['Wie viel schulden wir {name}?', 'Combien devons-nous à {name} ?', '¿Cuánto le debemos a {name}?'] },
  { en: ['Is {name} running out of material?', 'Will {name} be slower than expected?'], foreign: ['Liefert {name} verspätet?', 'Le fournisseur {name} a-t-il du retard ?', '¿Tiene retraso el proveedor {name}?'] },
];
/**
 * Phrasings as an operator would type them, per topic in TOPICS' order, written after the offline
 * embedder's settings (memory/embedding/offline.embedder.ts) were chosen on the sets above, and not
 * used to choose anything since: the least flattered English set.
 */
const FRESH: string[][] = [
  ['Did the shipment to {name} show up late?', "Was the courier slow with {name}'s package?"],
  ['What terms did we give {name} on cost?', 'Did {name} get a better price from us?'],
  ['Is {name} late paying us?', 'Has {name} cleared what they owe?'],
  ['Did {name} return something and want cash back?', 'Are we reimbursing {name}?'],
  ['When am I seeing {name}?', 'Do I have a call booked with {name}?'],
  ['Did {name} say the product broke?', 'Any defects reported by {name}?'],
  ['Is {name} renewing?', 'Will {name} downgrade or cancel?'],
  ['Has {name} got a new office?', 'Where do we send things for {name} now?'],
  ['How many pieces did {name} order?', "How big was {name}'s order?"],
  ['Is {name} paying by transfer now?', 'What payment option does {name} use?'],
  ['Has {name} gone up in price?', "Are {name}'s costs rising?"],
  ["What is the amount on {name}'s latest bill?", 'Do we have a bill from {name} to pay?'],
  ['Is {name} going to deliver late?', 'Is our order from {name} postponed?'],
];
const TOPICS: T[] = [
  { who: 'customer', title: 'Delivery', doc: ['The {product} shipment to {name} arrived {n} days late; the courier lost the tracking number.', 'Parcel for {name} with {qty} {product} was stuck at the depot for {n} days.'], q: ["Was {name}'s parcel delayed?", 'Did the order for {name} come late?', 'Any problem getting the goods to {name} on time?'] },
  { who: 'customer', title: 'Pricing', doc: ['Agreed with {name}: {pct}% discount on {product} for orders above {qty} units.', '{name} accepted our quote of {amt} EUR for {qty} {product}.'], q: ['What deal did we make with {name} on pricing?', 'Which rate did {name} get from us?', 'How much does {name} pay per unit?'] },
  { who: 'customer', title: 'Overdue invoice', doc: ['Invoice {inv} to {name} for {amt} EUR is {n} days overdue; second reminder sent.', '{name} has not settled invoice {inv} ({amt} EUR) although it was due last month.'], q: ['Has {name} paid their bill yet?', 'Does {name} still owe us money?', 'Is there an outstanding balance with {name}?'] },
  { who: 'customer', title: 'Refund', doc: ['{name} asked for their money back for the damaged {product}.', '{name} returned {qty} {product} and wants a full reimbursement.'], q: ['Does {name} want a refund?', 'Is {name} asking to get paid back?', 'Did {name} send anything back to us?'] },
  { who: 'customer', title: 'Meeting', doc: ['Call with {name} scheduled for {day} at {hour}:00 to discuss the renewal.', 'Visit at {name} planned on {day} morning to show the new {product}.'], q: ['When is the appointment with {name}?', 'When do we talk to {name} next?', 'Is a meeting planned with {name}?'] },
  { who: 'customer', title: 'Complaint', doc: ['{name} complained the {product} was defective and stopped working after a week.', '{name} reported a faulty {product}: the lid breaks on first use.'], q: ['Did {name} report a broken product?', 'What was wrong with the goods {name} got?', 'Has {name} had quality issues?'] },
  { who: 'customer', title: 'Subscription', doc: ["{name}'s yearly subscription renews on {date}; they want to switch to the monthly plan.", '{name} will cancel the premium licence at the end of the term.'], q: ['Is {name} changing their plan?', 'What happens with the contract of {name}?', 'Does {name} keep the subscription?'] },
  { who: 'customer', title: 'Address', doc: ['{name} moved to a new office at {street}; send future shipments there.', 'New delivery address for {name}: {street}.'], q: ["Where should we ship {name}'s orders now?", 'Did {name} relocate?', 'What is the current address of {name}?'] },
  { who: 'customer', title: 'Bulk order', doc: ['{name} ordered {qty} units of {product} for the spring campaign.', 'Purchase order from {name}: {qty} {product}, delivery in {n} weeks.'], q: ['How many items did {name} purchase?', 'What did {name} buy from us?', 'Did {name} place a big order?'] },
  { who: 'customer', title: 'Payment method', doc: ['{name} will pay by bank transfer instead of credit card from now on.', '{name} asked to settle invoices by SEPA direct debit.'], q: ['How does {name} settle invoices now?', 'Which way does {name} pay?', 'Did {name} change how they pay us?'] },
  { who: 'vendor', title: 'Price increase', doc: ['{name} raised the price of {product} by {pct}% starting next month.', 'New price list from {name}: {product} now costs {amt} EUR per unit.'], q: ['Did the supplier {name} increase their rates?', 'Is {name} getting more expensive?', 'What does {name} charge now?'] },
  { who: 'vendor', title: 'Supplier invoice', doc: ['Invoice {inv} from {name} over {amt} EUR for {qty} {product}, due in {n} days.', '{name} billed us {amt} EUR for the {product} delivery (invoice {inv}).'], q: ['What did {name} bill us?', 'How much do we owe the vendor {name}?', 'Is there a payment due to {name}?'] },
  { who: 'vendor', title: 'Supply delay', doc: ['{name} cannot deliver {product} before {day}; raw material is short.', '{name} postponed our {product} order by {n} weeks.'], q: ['When will {name} send the materials?', 'Is the supplier {name} behind schedule?', 'Are there delays from {name}?'] },
];

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Karla', 'Leon', 'Mia', 'Noah', 'Olga', 'Paul', 'Rosa', 'Sven', 'Tara', 'Ugo', 'Vera', 'Willi', 'Yara', 'Zeno'];
const LAST = ['Berger', 'Novak', 'Santos', 'Keller', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Rossi', 'Fischer', 'Haddad', 'Kowalski', 'Petrov', 'Silva', 'Weber', 'Yilmaz', 'Dubois', 'Nguyen', 'Costa', 'Hansen'];
const CO = ['Papier', 'Metall', 'Holz', 'Druck', 'Glas', 'Textil', 'Logistik', 'Kaffee', 'Farben', 'Verpackung', 'Stahl', 'Bio', 'Nord', 'Süd', 'Alpen', 'Küsten'];
const SUF = ['werk GmbH', 'handel AG', 'haus KG', 'service Ltd', 'union', 'partner', 'direkt', 'wares Inc'];
const PRODUCTS = ['mugs', 'tote bags', 'notebooks', 'candles', 'prints', 't-shirts', 'ceramic bowls', 'posters', 'coffee beans', 'soap bars'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const STREETS = ['Hauptstraße 12', 'Lindenweg 4', 'Marktplatz 9', 'Bahnhofstraße 33', 'Seestraße 7'];

/** Deterministic PRNG so every run generates the same set. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

export function generateDataset(total: number, queries: number, seed = 42): { episodes: BenchEpisode[]; queries: BenchQuery[]; entities: Array<{ name: string; kind: 'customer' | 'vendor' }> } {
  const r = rng(seed);
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)];
  // Held-out phrasings draw from their own sequence, so the original set stays exactly as it was.
  const r2 = rng(seed + 1);
  const pick2 = <X>(xs: X[]) => xs[Math.floor(r2() * xs.length)];
  const r3 = rng(seed + 2);
  const pick3 = <X>(xs: X[]) => xs[Math.floor(r3() * xs.length)];
  const fill = (s: string, name: string) =>
    s.replaceAll('{name}', name).replaceAll('{product}', pick(PRODUCTS)).replaceAll('{n}', String(2 + Math.floor(r() * 20))).replaceAll('{qty}', String(10 * (1 + Math.floor(r() * 50))))
      .replaceAll('{pct}', String(3 + Math.floor(r() * 15))).replaceAll('{amt}', (50 + r() * 5000).toFixed(2)).replaceAll('{inv}', `INV-${1000 + Math.floor(r() * 9000)}`)
      .replaceAll('{day}', pick(DAYS)).replaceAll('{hour}', String(8 + Math.floor(r() * 9))).replaceAll('{date}', `2026-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-01`).replaceAll('{street}', pick(STREETS));
  const entities: Array<{ name: string; kind: 'customer' | 'vendor' }> = [];
  const used = new Set<string>();
  const nEntities = Math.max(20, Math.round(total / 8));
  while (entities.length < nEntities) {
    const vendor = r() < 0.25;
    const name = vendor ? `${pick(CO)}${pick(SUF)}` + (used.size > 120 ? ` ${Math.floor(r() * 90) + 10}` : '') : `${pick(FIRST)} ${pick(LAST)}` + (used.size > 400 ? ` ${String.fromCharCode(65 + Math.floor(r() * 26))}.` : '');
    if (used.has(name)) continue;
    used.add(name);
    entities.push({ name, kind: vendor ? 'vendor' : 'customer' });
  }
  const episodes: BenchEpisode[] = [];
  const candidates: BenchQuery[] = [];
  for (let i = 0; i < total; i++) {
    const e = entities[i % entities.length];
    const topic = pick(TOPICS.filter((t) => t.who === e.kind));
    const key = `ep-${i}`;
    episodes.push({ key, entity: e.name, kind: e.kind, title: topic.title, content: fill(pick(topic.doc), e.name) });
    const held = HELD_OUT[TOPICS.indexOf(topic)];
    candidates.push({ targets: [key], entity: e.name, question: fill(pick(topic.q), e.name), heldOut: pick2(held.en).replaceAll('{name}', e.name), foreign: pick2(held.foreign).replaceAll('{name}', e.name), fresh: pick3(FRESH[TOPICS.indexOf(topic)]).replaceAll('{name}', e.name) });
  }
  // One question per (entity, topic); any episode of that pair counts as a hit.
  const byPair = new Map<string, string[]>();
  episodes.forEach((ep) => byPair.set(`${ep.entity}|${ep.title}`, [...(byPair.get(`${ep.entity}|${ep.title}`) ?? []), ep.key]));
  const seen = new Set<string>();
  const unique = candidates.filter((q, i) => {
    const k = `${q.entity}|${episodes[i].title}`;
    if (seen.has(k)) return false;
    seen.add(k);
    q.targets = byPair.get(k)!;
    return true;
  });
  const qs: BenchQuery[] = [];
  for (let i = 0; i < queries && unique.length; i++) qs.push(unique.splice(Math.floor(r() * unique.length), 1)[0]);
  return { episodes, queries: qs, entities };
}
