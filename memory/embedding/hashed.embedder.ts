import type { Embedder } from './embedder.port.ts';

/**
 * The offline default: signed feature hashing of word stems, business-concept classes, character
 * trigrams and word bigrams into a fixed-size unit vector. No weights, no download, starts in
 * microseconds and embeds thousands of short texts per second. It matches wording and close variants
 * (invoice/invoices/invoiced, bill/invoice through the concept table), not meaning in general; hybrid
 * retrieval with Postgres full-text makes up part of the gap (see bench/memory-bench.ts).
 */
export function createHashedEmbedder(opts: { dims?: number } = {}): Embedder {
  const dims = opts.dims ?? 384;
  return {
    id: `hashed-v1-${dims}`,
    dims,
    local: true,
    async embed(texts) {
      return texts.map((t) => embedOne(t, dims));
    },
  };
}

const STOP = new Set(
  'a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in into is it its me my of on or our ours she so than that the their them then there these they this those to us was we were what when where which who whom why will with would you your yours about any all also just me please hi hello dear regards thanks thank'.split(' '),
);

/** Small hand-made concept classes for a one-person business's vocabulary (English, some German). */
const CONCEPTS: Record<string, string[]> = {
  invoice: ['invoice', 'bill', 'billing', 'receipt', 'rechnung', 'statement', 'charge'],
  pay: ['pay', 'payment', 'paid', 'paying', 'transfer', 'wire', 'settle', 'remit', 'zahlung', 'bezahlt'],
  overdue: ['overdue', 'late', 'delay', 'delayed', 'outstanding', 'unpaid', 'due', 'reminder', 'behind'],
  ship: ['ship', 'shipping', 'shipment', 'deliver', 'delivery', 'delivered', 'dispatch', 'courier', 'parcel', 'package', 'tracking', 'arrive', 'arrival'],
  price: ['price', 'pricing', 'cost', 'costs', 'quote', 'quotation', 'rate', 'rates', 'fee', 'fees', 'expensive', 'cheap', 'discount', 'tariff'],
  refund: ['refund', 'return', 'returned', 'money back', 'reimburse', 'credit', 'chargeback', 'cancel', 'cancellation'],
  agree: ['agree', 'agreed', 'agreement', 'contract', 'deal', 'terms', 'signed', 'commit', 'promise', 'arrangement', 'negotiated'],
  meet: ['meet', 'meeting', 'call', 'phone', 'appointment', 'schedule', 'calendar', 'zoom', 'visit'],
  broken: ['broken', 'damaged', 'defect', 'defective', 'faulty', 'issue', 'problem', 'complaint', 'wrong', 'error', 'bug'],
  order: ['order', 'orders', 'purchase', 'bought', 'buy', 'po', 'bestellung'],
  supply: ['vendor', 'supplier', 'supplies', 'provider', 'lieferant', 'wholesale'],
  client: ['customer', 'client', 'buyer', 'kunde', 'account'],
  time: ['week', 'month', 'monthly', 'weekly', 'year', 'quarter', 'yesterday', 'today', 'tomorrow'],
  amount: ['amount', 'total', 'sum', 'eur', 'usd', 'dollar', 'euro', 'balance'],
  subscribe: ['subscription', 'subscribe', 'renewal', 'renew', 'plan', 'license', 'licence'],
};
const CONCEPT_OF = new Map<string, string>();
for (const [c, words] of Object.entries(CONCEPTS)) for (const w of words) CONCEPT_OF.set(stem(w), c);

function stem(w: string): string {
  if (w.length <= 3) return w;
  for (const suf of ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'edly', 'ed', 'ies', 'es', 'ly', 's']) {
    if (w.endsWith(suf) && w.length - suf.length >= 3) return suf === 'ies' ? `${w.slice(0, -3)}y` : w.slice(0, -suf.length);
  }
  return w;
}

export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP.has(w));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(v: Float64Array, feature: string, weight: number) {
  const h = fnv1a(feature);
  const idx = h % v.length;
  v[idx] += (h & 0x80000000 ? -1 : 1) * weight;
}

function embedOne(text: string, dims: number): number[] {
  const v = new Float64Array(dims);
  const words = tokenize(text);
  const tf = new Map<string, number>();
  for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
  for (const [w, n] of tf) {
    const weight = 1 + Math.log(n);
    const s = stem(w);
    add(v, `w:${s}`, weight);
    const c = CONCEPT_OF.get(s);
    if (c) add(v, `c:${c}`, weight * 0.9);
    if (!/^\d+$/.test(w)) {
      const padded = `^${s}$`;
      const grams = Math.max(1, padded.length - 2);
      for (let i = 0; i + 3 <= padded.length; i++) add(v, `g:${padded.slice(i, i + 3)}`, (0.6 * weight) / Math.sqrt(grams));
    }
  }
  for (let i = 0; i + 1 < words.length; i++) add(v, `b:${stem(words[i])}_${stem(words[i + 1])}`, 0.4);
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => x / norm);
}
