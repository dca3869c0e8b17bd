import { z } from 'zod';
import { nameKey, type Memory } from '../../memory/index.ts';
import { defineAgent, type AgentContext } from '../define-agent.ts';

export const InvoiceInput = z.object({
  vendorName: z.string().min(1),
  invoiceNumber: z.string().min(1),
  amount: z.number(),
  currency: z.string().length(3),
  issueDate: z.coerce.date(),
  dueDate: z.coerce.date().optional(),
  /** OCR or text layer: untrusted. */
  text: z.string().max(20_000).default(''),
  source: z.string().default('perception'),
  /** What the operator corrected in what perception read (field, value read, value given, how): kept with the invoice in memory. */
  corrections: z
    .array(z.object({ field: z.string().max(40), from: z.union([z.string().max(200), z.number(), z.null()]), to: z.union([z.string().max(200), z.number(), z.null()]), via: z.string().max(20) }))
    .max(20)
    .optional(),
});
export type InvoiceInput = z.infer<typeof InvoiceInput>;

export const Reconciliation = z.object({
  vendor: z.object({ entityId: z.string().nullable(), name: z.string().nullable(), match: z.enum(['exact', 'alias', 'fuzzy', 'none']), score: z.number() }),
  duplicateOf: z.string().nullable(),
  amountChange: z.object({ previousAmount: z.number(), previousInvoice: z.string(), deltaPct: z.number() }).nullable(),
  payableId: z.string().nullable(),
  flags: z.array(z.enum(['unknown_vendor', 'fuzzy_vendor', 'duplicate', 'amount_changed', 'no_open_payable', 'currency_changed'])),
  confidence: z.number().min(0).max(1),
  note: z.string().max(2_000),
});
export type Reconciliation = z.infer<typeof Reconciliation>;

/** What an invoice episode's `data` holds (perception writes it; payables use the same shape with a status). */
const InvoiceData = z.object({ number: z.string(), amount: z.number(), currency: z.string(), issueDate: z.string().optional(), status: z.string().optional() });

function trigrams(s: string): Set<string> {
  const t = `  ${nameKey(s).replace(/\b(gmbh|ltd|inc|llc|ag|co|sa|bv|kg)\b\.?/g, '').trim()} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
  return out;
}
function similarity(a: string, b: string): number {
  const A = trigrams(a);
  const B = trigrams(b);
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter || 1);
}

/**
 * Matches an invoice from perception to a known vendor, earlier invoices and open payables; flags
 * duplicates and amount changes. The matching is deterministic (computed in `context`, enforced in
 * `finalize`), so ids and flags can never be invented by a model; the model only writes the note and
 * may lower confidence. Works identically without a model.
 */
export const invoiceReconciler = defineAgent({
  name: 'invoice-reconciler',
  description: 'Matches invoices to vendors, earlier invoices and open payables; flags duplicates and amount changes',
  input: InvoiceInput,
  output: Reconciliation,
  tier: 'fast',
  // Invoices come in bursts (a month's batch); two at a time keeps the model's rate limit in reach.
  concurrency: 2,
  tokenBudget: 1_200,
  minConfidence: 0.7,
  confidence: (o) => o.confidence,
  highStakes: (i, o) => o.flags.includes('duplicate') || o.flags.includes('amount_changed') || Math.abs(i.amount) >= 5_000,
  system:
    'You check supplier invoices for a one-person business. The matching facts are computed for you; do not change vendor ids, duplicate ids or flags. ' +
    'Write a short note for the operator explaining what to do, and give your confidence. Return the JSON with the computed fields unchanged.',
  // Vendor name, number and currency come from OCR: fenced inline, never bare in the task line.
  task: (i, q) => `Reconcile invoice ${q(i.invoiceNumber)} from ${q(i.vendorName)}: ${i.amount.toFixed(2)} ${q(i.currency)}, issued ${i.issueDate.toISOString().slice(0, 10)}.`,
  async context(i, { memory }): Promise<AgentContext> {
    const r = await computeReconciliation(i, memory);
    return {
      sections: [
        // Computed by code, but it quotes names from OCR and from memory (the note, the matched vendor): data.
        { name: 'computed reconciliation', text: JSON.stringify(r, null, 1), priority: 1, provenance: 'untrusted', required: true },
        { name: 'invoice text', text: i.text, priority: 3, provenance: 'untrusted' },
      ],
      entityIds: r.vendor.entityId ? [r.vendor.entityId] : [],
      retrievalIds: [],
      facts: { computed: r },
    };
  },
  template: (_i, ctx) => ctx.facts.computed as Reconciliation,
  finalize: (_i, o, ctx) => {
    const c = ctx.facts.computed as Reconciliation;
    return { ...c, confidence: Math.min(c.confidence, o.confidence), note: o.note || c.note };
  },
});

/** The deterministic core: vendor match, duplicates, amount change, open payable. */
export async function computeReconciliation(i: InvoiceInput, memory: Memory): Promise<Reconciliation> {
  const flags: Reconciliation['flags'] = [];
  let vendor: Reconciliation['vendor'] = { entityId: null, name: null, match: 'none', score: 0 };
  const direct = (await memory.findEntities(i.vendorName)).filter((e) => e.kind === 'vendor');
  if (direct[0]) vendor = { entityId: direct[0].id, name: direct[0].name, match: direct[0].nameKey === nameKey(i.vendorName) ? 'exact' : 'alias', score: 1 };
  else {
    let best = { id: '', name: '', s: 0 };
    for (const v of await memory.entitiesOfKind('vendor')) {
      const s = Math.max(similarity(v.name, i.vendorName), ...v.aliases.map((a) => similarity(a, i.vendorName)));
      if (s > best.s) best = { id: v.id, name: v.name, s };
    }
    if (best.s >= 0.45) {
      vendor = { entityId: best.id, name: best.name, match: 'fuzzy', score: Math.round(best.s * 100) / 100 };
      flags.push('fuzzy_vendor');
    } else flags.push('unknown_vendor');
  }
  let duplicateOf: string | null = null;
  let amountChange: Reconciliation['amountChange'] = null;
  let payableId: string | null = null;
  if (vendor.entityId) {
    const earlier = (await memory.episodesOf(vendor.entityId, 'invoice', 200))
      .map((e) => ({ e, d: InvoiceData.safeParse(e.data) }))
      .filter((x) => x.d.success)
      .map((x) => ({ id: x.e.id, ...x.d.data! }));
    const sameNumber = earlier.find((e) => nameKey(e.number) === nameKey(i.invoiceNumber));
    const sameAmountDay = earlier.find((e) => Math.abs(e.amount - i.amount) < 0.005 && e.issueDate?.slice(0, 10) === i.issueDate.toISOString().slice(0, 10));
    if (sameNumber && Math.abs(sameNumber.amount - i.amount) < 0.005) duplicateOf = sameNumber.id;
    else if (!sameNumber && sameAmountDay) duplicateOf = sameAmountDay.id;
    if (duplicateOf) flags.push('duplicate');
    const ref = sameNumber && !duplicateOf ? sameNumber : earlier.find((e) => e.id !== duplicateOf);
    if (ref && !duplicateOf && ref.amount !== 0) {
      const deltaPct = Math.round(((i.amount - ref.amount) / Math.abs(ref.amount)) * 1000) / 10;
      if (sameNumber || Math.abs(deltaPct) >= 10) {
        amountChange = { previousAmount: ref.amount, previousInvoice: ref.number, deltaPct };
        flags.push('amount_changed');
      }
      if (ref.currency.toUpperCase() !== i.currency.toUpperCase()) flags.push('currency_changed');
    }
    const payables = (await memory.episodesOf(vendor.entityId, 'payable', 200))
      .map((e) => ({ e, d: InvoiceData.safeParse(e.data) }))
      .filter((x) => x.d.success && (x.d.data!.status ?? 'open') === 'open')
      .map((x) => ({ id: x.e.id, ...x.d.data! }));
    const byNumber = payables.find((p) => nameKey(p.number) === nameKey(i.invoiceNumber));
    const byAmount = payables.find((p) => Math.abs(p.amount - i.amount) < 0.005 && p.currency.toUpperCase() === i.currency.toUpperCase());
    payableId = (byNumber ?? byAmount)?.id ?? null;
  }
  if (!payableId) flags.push('no_open_payable');
  const confidence = flags.includes('unknown_vendor') ? 0.3 : flags.includes('fuzzy_vendor') ? 0.6 : flags.length > 1 ? 0.7 : 0.95;
  const words: string[] = [];
  if (flags.includes('unknown_vendor')) words.push(`${i.vendorName} is not a known vendor.`);
  if (flags.includes('fuzzy_vendor')) words.push(`Vendor matched by similar name to ${vendor.name} (${vendor.score}).`);
  if (duplicateOf) words.push('This looks like a duplicate of an invoice already recorded — do not pay twice.');
  if (amountChange) words.push(`Amount changed by ${amountChange.deltaPct}% against invoice ${amountChange.previousInvoice} (${amountChange.previousAmount}).`);
  if (payableId) words.push('Matches an open payable.');
  else if (vendor.entityId) words.push('No open payable matches.');
  return { vendor, duplicateOf, amountChange, payableId, flags, confidence, note: words.join(' ') || 'Matches a known vendor and an open payable.' };
}
