import { z } from 'zod';
import { defineProcess, type StepContext } from '../process/define.ts';
import type { CoreServices } from './services.ts';

const Input = z.object({
  question: z.string().min(1).max(2000).default('Approve this action?'),
  options: z.array(z.object({ id: z.string().regex(/^[a-z0-9_-]+$/), label: z.string().min(1).max(40) })).min(2).max(5).optional(),
  timeoutMinutes: z.number().positive().max(60 * 24 * 30).optional(),
  onTimeout: z.string().optional(),
  remindMinutes: z.number().positive().optional(),
});

type Ctx = StepContext<z.infer<typeof Input>, CoreServices>;

/** The approval round-trip any process can copy: ask the operator, wait durably, act on the answer once. */
export const approvalRoundtrip = defineProcess({
  name: 'approval-roundtrip',
  version: 1,
  description: 'Ask the operator a question with buttons, wait (durably) for the answer, confirm it once',
  input: Input,
  start: 'ask',
  steps: {
    ask: {
      next: ['confirm'],
      description: 'Post the question with one button per option',
      run: (ctx) =>
        ctx.waitForApproval(
          {
            question: ctx.input.question,
            options: ctx.input.options?.map((o, i) => ({ ...o, style: i === 0 ? 'primary' : 'default' })),
            timeoutMs: ctx.input.timeoutMinutes ? ctx.input.timeoutMinutes * 60_000 : undefined,
            onTimeout: ctx.input.onTimeout,
            remindEveryMs: ctx.input.remindMinutes ? ctx.input.remindMinutes * 60_000 : undefined,
          },
          { then: 'confirm' },
        ),
    },
    confirm: {
      description: 'Record the decision and tell the operator, exactly once',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const d = ctx.decision;
        const text = d ? `Noted: “${ctx.input.question}” → ${d.option} (by ${d.decidedBy} via ${d.via}).` : 'Noted: no decision was recorded.';
        const ref = `${ctx.runId}-confirm`;
        await ctx.effect(
          { key: 'confirm', connector: 'operator', intent: 'post confirmation', request: { text } },
          {
            perform: async () => ({ result: await c.services.operator.post({ text, kind: 'notice', ref }) }),
            reconcile: async () => {
              const found = await c.services.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        return ctx.complete({ decision: d?.option ?? null, decidedBy: d?.decidedBy ?? null });
      },
    },
  },
});
