import { z } from 'zod';
import { defineProcess, FileRefSchema, type StepContext } from '../../coordinator/index.ts';

/** What the read step records: the chat-ready summary and the fields to confirm, or a clear failure. */
export type ReadOutcome =
  | { ok: true; summary: string; docType: string; isDocument: boolean; lowConfidence: Array<{ field: string; reasons: string[] }>; fields: Record<string, unknown> }
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
}

function invoiceFacts(out: ReadOutcome): InvoiceFacts | null {
  if (!out.ok || out.docType !== 'invoice') return null;
  const f = out.fields as Record<string, unknown>;
  if (typeof f.vendor !== 'string' || typeof f.number !== 'string' || typeof f.total !== 'number' || typeof f.currency !== 'string' || typeof f.issueDate !== 'string') return null;
  return { vendorName: f.vendor, invoiceNumber: f.number, amount: f.total, currency: f.currency, issueDate: f.issueDate, ...(typeof f.dueDate === 'string' ? { dueDate: f.dueDate } : {}) };
}

const Input = z.object({ file: FileRefSchema.extend({ path: z.string().min(1) }) });
type Ctx = StepContext<z.infer<typeof Input>, PerceptionServices>;

/**
 * A document sent in chat becomes business facts: perception runs as a job on the `perception` agent
 * queue (its result is the step's recorded output), the operator gets the result once, and exactly the
 * low-confidence fields go to a one-tap confirmation.
 */
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
      next: ['confirmed', 'reconcile'],
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
        if (out.lowConfidence.length === 0) {
          return invoiceFacts(out) ? ctx.goto('reconcile', { confirmed: 'not needed' }) : ctx.complete({ docType: out.docType, fields: out.fields, confirmed: 'not needed' });
        }
        const question = `Please check ${ctx.input.file.name}: ${out.lowConfidence.map((l) => `${l.field} (${l.reasons.join('; ')})`).join(', ')}. Are these fields right?`;
        return ctx.waitForApproval(
          { question, options: [{ id: 'confirm', label: 'Looks right', style: 'primary' }, { id: 'fix', label: 'Needs fixing', style: 'default' }] },
          { then: 'confirmed' },
        );
      },
    },
    confirmed: {
      next: ['reconcile'],
      description: 'Record the operator’s answer',
      run: (ctx) => {
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const confirmed = ctx.decision?.option ?? null;
        if (confirmed === 'confirm' && invoiceFacts(out)) return ctx.goto('reconcile', { confirmed });
        return ctx.complete({ docType: out.docType, fields: out.fields, confirmed });
      },
    },
    reconcile: {
      description: 'Hand the invoice to reconciliation (vendors, earlier invoices, payables), once',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        const facts = invoiceFacts(out)!;
        const started = await ctx.effect(
          { key: 'reconcile', connector: 'coordinator', intent: 'start invoice reconciliation', request: facts },
          {
            perform: async (key) => ({ result: await c.services.intake.reconcile(facts, key) }),
            // Starting is keyed by the ledger key (parentKey), so sending it again finds the same run.
            reconcile: async () => null,
          },
        );
        return ctx.complete({ docType: out.docType, fields: out.fields, reconciliationRun: started?.runId ?? null });
      },
    },
  },
});
