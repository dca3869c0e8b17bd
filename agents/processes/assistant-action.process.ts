import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import { approvalCard } from '../assistant/approval-card.ts';
import type { AiStepServices } from './ai.services.ts';

const Input = z.object({
  tool: z.string(),
  args: z.unknown(),
  summary: z.string(),
  process: z.string(),
  actor: z.string(),
  surface: z.string(),
});

/**
 * A world-changing action the operator assistant proposed: a durable approval first, then the action
 * exactly once (ctx.effect). Free text can therefore never change the world without a decision.
 */
export const assistantAction = defineProcess({
  name: 'assistant-action',
  version: 1,
  description: 'Ask the operator before performing an action the assistant proposed, then perform it once',
  input: Input,
  start: 'ask',
  steps: {
    ask: {
      next: ['perform'],
      run: (ctx) =>
        ctx.waitForApproval(
          {
            // Rendered from the very arguments `perform` will run with: every one in full, key fields first.
            question: approvalCard(ctx.input),
            options: [
              { id: 'approve', label: 'Do it', style: 'primary' },
              { id: 'reject', label: "Don't", style: 'danger' },
            ],
            timeoutMs: 7 * 86_400_000,
            onTimeout: 'reject',
          },
          { then: 'perform' },
        ),
    },
    perform: {
      run: async (ctx) => {
        if (ctx.decision?.option !== 'approve') return ctx.complete({ performed: false, decision: ctx.decision?.option ?? null });
        const s = ctx.services as unknown as AiStepServices;
        const result = await ctx.effect(
          { key: 'tool', connector: 'assistant', intent: ctx.input.summary, request: { tool: ctx.input.tool, args: ctx.input.args } },
          { perform: async () => ({ result: (await s.ai.runTool(ctx.input.tool, ctx.input.args, { actor: ctx.input.actor, surface: ctx.input.surface })) ?? null }) },
        );
        await s.operator.post({ text: `Done: ${ctx.input.summary}.`, kind: 'notice' });
        return ctx.complete({ performed: true, result });
      },
    },
  },
});
