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
      next: ['confirmed'],
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
        if (out.lowConfidence.length === 0) return ctx.complete({ docType: out.docType, fields: out.fields, confirmed: 'not needed' });
        const question = `Please check ${ctx.input.file.name}: ${out.lowConfidence.map((l) => `${l.field} (${l.reasons.join('; ')})`).join(', ')}. Are these fields right?`;
        return ctx.waitForApproval(
          { question, options: [{ id: 'confirm', label: 'Looks right', style: 'primary' }, { id: 'fix', label: 'Needs fixing', style: 'default' }] },
          { then: 'confirmed' },
        );
      },
    },
    confirmed: {
      description: 'Record the operator’s answer',
      run: (ctx) => {
        const out = ctx.outputs.read as Extract<ReadOutcome, { ok: true }>;
        return ctx.complete({ docType: out.docType, fields: out.fields, confirmed: ctx.decision?.option ?? null });
      },
    },
  },
});
