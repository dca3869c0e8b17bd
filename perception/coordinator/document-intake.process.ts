import { z } from 'zod';
import { defineProcess, FileRefSchema, type StepContext } from '../../coordinator/index.ts';
import { type Choice, coerce, CORRECTABLE, type CorrectableField, FIELD_NAMES, kindOf, recheck, REQUIRED, show } from './correction.ts';

/** What the read step records: the chat-ready summary and the fields to confirm, or a clear failure. */
export type ReadOutcome =
  | {
      ok: true;
      summary: string;
      docType: string;
      isDocument: boolean;
      lowConfidence: Array<{ field: string; reasons: string[] }>;
      fields: Record<string, unknown>;
      /** The printed values each field could take, best first: the one-tap answers of a correction (absent in runs read before corrections existed). */
      choices?: Partial<Record<CorrectableField, Choice[]>>;
    }
  | { ok: false; code: string; message: string };

export interface PerceptionServices {
  [name: string]: unknown;
  perception: { read(file: { path: string; name: string; mimeType: string }): Promise<ReadOutcome> };
  operator: { post(body: { text: string; kind?: 'notice' | 'approval' | 'reply'; ref?: string }): Promise<{ id: string }>; findByRef(ref: string): Promise<{ id: string } | null> };
  /** Hands a read invoice to the AI layer's reconciliation; idempotent per key. Null when no such process is deployed. */
  intake: { reconcile(invoice: InvoiceFacts, key: string): Promise<{ runId: string } | null> };
}

/** The fields reconciliation needs, when the document has all of them. */
export interface InvoiceFacts {
  vendorName: string;
  invoiceNumber: string;
  amount: number;
  currency: string;
  issueDate: string;
  dueDate?: string;
  /** What the operator corrected (value read → value given), so memory keeps it with the invoice. */
  corrections?: Fixing['corrections'];
}

function invoiceFacts(docType: string, f: Record<string, unknown>): InvoiceFacts | null {
  if (docType !== 'invoice') return null;
  if (typeof f.vendor !== 'string' || typeof f.number !== 'string' || typeof f.total !== 'number' || typeof f.currency !== 'string' || typeof f.issueDate !== 'string') return null;
  return { vendorName: f.vendor, invoiceNumber: f.number, amount: f.total, currency: f.currency, issueDate: f.issueDate, ...(typeof f.dueDate === 'string' ? { dueDate: f.dueDate } : {}) };
}

/** An invoice's fields that reconciliation needs and the document did not give. */
const missingOf = (docType: string, f: Record<string, unknown>): CorrectableField[] => (docType === 'invoice' ? REQUIRED.filter((k) => f[k] === null || f[k] === undefined) : []);

/** A correction under way: the fields still to ask about, the values so far, and what the operator changed. */
interface Fixing {
  queue: CorrectableField[];
  values: Record<string, unknown>;
  corrections: Array<{ field: CorrectableField; from: unknown; to: unknown; via: 'choice' | 'typed' | 'kept' | 'skipped' }>;
  /** fix: the operator said the value is wrong; missing: the document lacks it; recheck: the new value failed a sum check. */
  mode: 'fix' | 'missing' | 'recheck';
  note?: string;
}
type Asked = Fixing & { field: CorrectableField; choices: Choice[] };

const Input = z.object({ file: FileRefSchema.extend({ path: z.string().min(1) }) });
type Ctx = StepContext<z.infer<typeof Input>, PerceptionServices>;

/**
 * A document sent in chat becomes business facts: perception runs as a job on the `perception` agent
 * queue (its result is the step's recorded output), the operator gets the result once, and exactly the
 * low-confidence fields go to a one-tap confirmation.
 */
function startFixing(out: Extract<ReadOutcome, { ok: true }>, queue: CorrectableField[], mode: Fixing['mode']): Fixing {
  return { queue, values: out.fields, corrections: [], mode };
}

/** The correction state the last step handed on (apply, after a first answer; else where the correction began). */
function fixingState(outputs: Record<string, unknown>): Fixing {
  const isFixing = (o: unknown): o is Fixing => !!o && typeof o === 'object' && Array.isArray((o as Fixing).queue) && (o as Fixing).queue.length > 0;
  return [outputs.apply, outputs.confirmed, outputs.report].find(isFixing)!;
}

export const documentIntake = defineProcess({
  name: 'document-intake',
  version: 1,
  description: 'Read an invoice, receipt, PDF or screenshot sent in chat and report what it says',
  input: Input,
  start: 'read',
  steps: {
    read: {
      agent: 'perception',
      timeoutMs: 180_000,
      retry: { attempts: 2, backoffMs: 2_000 },
      next: ['report'],
      description: 'Perceive the file (intake, ViT, OCR, semantic layer)',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const f = ctx.input.file;
        return ctx.goto('report', await c.services.perception.read({ path: f.path, name: f.name, mimeType: f.mimeType }));
      },
    },
    report: {
      next: ['confirmed', 'reconcile', 'ask'],
      description: 'Tell the operator, once; ask to confirm uncertain fields',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const out = ctx.outputs.read as ReadOutcome;
        const text = out.ok ? `Read ${ctx.input.file.name}:\n${out.summary}` : `Could not read ${ctx.input.file.name}: ${out.message}`;
        const ref = `${ctx.runId}-report`;
        await ctx.effect(
          { key: 'report', connector: 'operator', intent: 'report the document', request: { text } },
          {
            perform: async () => ({ result: await c.services.operator.post({ text, kind: 'notice', ref }) }),
            reconcile: async () => {
              const found = await c.services.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        if (!out.ok) return ctx.fail(out.message, { code: out.code });
        const missing = missingOf(out.docType, out.fields);
        if (out.lowConfidence.length === 0) {
          if (missing.length) return ctx.goto('ask', startFixing(out, missing, 'missing'));
          return invoiceFacts(out.docType, out.fields) ? ctx.goto('reconcile', { confirmed: 'not needed' }) : ctx.complete({ docType: out.docType, fields: out.fields, confirmed: 'not needed' });
        }
        const question = `Please check ${ctx.input.file.name}: ${out.lowConfidence.map((l) => `${l.field} (${l.reasons.join('; ')})`).join(', ')}. Are these fields right?`;
        return ctx.waitForApproval(
          { question, options: [{ id: 'confirm', label: 'Looks right', style: 'primary' }, { id: 'fix', label: 'Needs fixing', style: 'default' }] },
          { then: 'confirmed' },
        );
      },
    },
    confirmed: {
      next: ['reconcile', 'ask'],
      description: 'Record the operator’s answer; “Needs fixing” asks for the right values',
      run: (ctx) => {
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const confirmed = ctx.decision?.option ?? null;
        const missing = missingOf(out.docType, out.fields);
        if (confirmed === 'fix') {
          const flagged = out.lowConfidence.map((l) => l.field).filter((f): f is CorrectableField => (CORRECTABLE as readonly string[]).includes(f));
          const queue = [...new Set([...flagged, ...missing])];
          if (queue.length) return ctx.goto('ask', startFixing(out, queue, 'fix'));
        }
        if (confirmed === 'confirm' && missing.length) return ctx.goto('ask', startFixing(out, missing, 'missing'));
        if (confirmed === 'confirm' && invoiceFacts(out.docType, out.fields)) return ctx.goto('reconcile', { confirmed });
        return ctx.complete({ docType: out.docType, fields: out.fields, confirmed });
      },
    },
    ask: {
      next: ['apply'],
      description: 'Ask for the right value of one field: the values printed in the document as buttons, or a typed reply',
      run: (ctx) => {
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const st = fixingState(ctx.outputs);
        const field = st.queue[0];
        const name = FIELD_NAMES[field];
        const current = st.values[field] ?? null;
        // The operator said the value read is wrong: it is not offered again (unless a re-check asks to keep it).
        const choices = (out.choices?.[field] ?? []).filter((c) => st.mode !== 'fix' || c.value !== current).slice(0, 4);
        const options: Array<{ id: string; label: string; style?: 'primary' | 'default' | 'danger' }> = choices.map((c, i) => ({ id: `pick${i}`, label: c.label.slice(0, 60) }));
        if (st.mode === 'recheck' && current !== null) options.push({ id: 'keep', label: `Keep ${show(current)}`.slice(0, 60) });
        options.push({ id: 'skip', label: REQUIRED.includes(field) ? 'Skip (not reconciled)' : 'Leave it out' });
        const state = st.note ?? (current === null ? 'not found in the document' : `read as ${show(current)}`);
        const tap = choices.length ? ' Tap one of the values printed in the document' : ' No printed value fits';
        const example = kindOf(field) === 'amount' ? ' (e.g. 396.27)' : kindOf(field) === 'date' ? ' (e.g. 2026-01-04)' : field === 'currency' ? ' (e.g. EUR)' : '';
        return ctx.waitForApproval(
          { question: `${ctx.input.file.name}: the ${name} was ${state}. What is the right ${name}?${tap}.`, options, answer: { kind: kindOf(field), label: `the right ${name}${example}` } },
          { then: 'apply', output: { ...st, field, choices } satisfies Asked },
        );
      },
    },
    apply: {
      next: ['ask', 'reconcile'],
      description: 'Use the chosen or typed value, re-check it against the other fields, and go on',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const st = ctx.outputs.ask as Asked;
        const d = ctx.decision;
        const option = d?.option ?? 'skip';
        const raw = option === 'typed' ? (d?.value ?? null) : option.startsWith('pick') ? (st.choices[Number(option.slice(4))]?.value ?? null) : option === 'keep' ? (st.values[st.field] as string | number | null) : null;
        const value = raw === null ? null : coerce(st.field, raw);
        if (raw !== null && value === null) return ctx.goto('ask', { ...st, mode: 'recheck', note: `given as “${String(raw)}”, which is not ${st.field === 'currency' ? 'a three-letter currency code' : `a ${kindOf(st.field)}`}` } satisfies Fixing);
        const values = { ...st.values, [st.field]: value };
        const via = option === 'typed' ? 'typed' : option === 'keep' ? 'kept' : option === 'skip' ? 'skipped' : 'choice';
        const corrections = [...st.corrections, { field: st.field, from: st.values[st.field] ?? null, to: value, via } as Fixing['corrections'][number]];
        const problems = via === 'typed' || via === 'choice' ? recheck(st.field, values) : [];
        if (problems.length) {
          return ctx.goto('ask', { queue: st.queue, values, corrections, mode: 'recheck', note: `given as ${show(value)}, but ${problems.join('; ')}` } satisfies Fixing);
        }
        const queue = st.queue.slice(1);
        if (queue.length) return ctx.goto('ask', { queue, values, corrections, mode: st.mode } satisfies Fixing);
        const facts = invoiceFacts(out.docType, values);
        const changed = corrections.filter((x) => x.via === 'typed' || x.via === 'choice').map((x) => `${FIELD_NAMES[x.field]} ${show(x.from)} → ${show(x.to)}`);
        const missing = missingOf(out.docType, values);
        const text = [
          changed.length ? `Corrected ${ctx.input.file.name}: ${changed.join(', ')}.` : `No change to ${ctx.input.file.name}.`,
          facts ? 'Reconciling it now.' : out.docType === 'invoice' ? `Not reconciled: the invoice has no ${missing.map((m) => FIELD_NAMES[m]).join(', ')}.` : '',
        ].filter(Boolean).join(' ');
        const ref = `${ctx.runId}-corrected`;
        await ctx.effect(
          { key: 'corrected', connector: 'operator', intent: 'report the correction', request: { text } },
          {
            perform: async () => ({ result: await c.services.operator.post({ text, kind: 'notice', ref }) }),
            reconcile: async () => {
              const found = await c.services.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        const result = { values, corrections, mode: st.mode, queue: [] } satisfies Fixing;
        if (facts) return ctx.goto('reconcile', result);
        return ctx.complete({ docType: out.docType, fields: values, corrections, reconciliationRun: null });
      },
    },
    reconcile: {
      description: 'Hand the invoice to reconciliation (vendors, earlier invoices, payables), once',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const corrected = ctx.outputs.apply as Fixing | undefined;
        const fields = corrected?.values ?? out.fields;
        const read = invoiceFacts(out.docType, fields)!;
        const changed = corrected?.corrections.filter((x) => x.via === 'typed' || x.via === 'choice') ?? [];
        const facts: InvoiceFacts = changed.length ? { ...read, corrections: changed } : read;
        const started = await ctx.effect(
          { key: 'reconcile', connector: 'coordinator', intent: 'start invoice reconciliation', request: facts },
          {
            perform: async (key) => ({ result: await c.services.intake.reconcile(facts, key) }),
            // Starting is keyed by the ledger key (parentKey), so sending it again finds the same run.
            reconcile: async () => null,
          },
        );
        // The corrections stay in the run's result and event log: what was read, what the operator said it is.
        return ctx.complete({ docType: out.docType, fields, ...(corrected ? { corrections: corrected.corrections } : {}), reconciliationRun: started?.runId ?? null });
      },
    },
  },
});
