import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import type { AiStepServices } from './ai.services.ts';

/** "Remind me Friday 10:00 to call Anna": a durable sleep, then one message to the operator. */
export const reminder = defineProcess({
  name: 'reminder',
  version: 1,
  description: 'Remind the operator of something at a given time',
  input: z.object({ at: z.string().datetime({ offset: true }), text: z.string().min(1).max(1_000) }),
  start: 'wait',
  steps: {
    wait: { next: ['notify'], run: (ctx) => ctx.sleepUntil(ctx.input.at, { then: 'notify' }) },
    notify: {
      run: async (ctx) => {
        const s = ctx.services as unknown as AiStepServices;
        const ref = `${ctx.runId}-reminder`;
        const posted = await ctx.effect(
          { key: 'post', connector: 'operator', intent: 'send reminder', request: { text: ctx.input.text } },
          {
            perform: async () => ({ result: await s.operator.post({ text: `⏰ Reminder: ${ctx.input.text}`, kind: 'notice', ref }) }),
            reconcile: async () => {
              const found = await s.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        return ctx.complete({ messageId: posted.id });
      },
    },
  },
});
