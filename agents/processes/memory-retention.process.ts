import { z } from 'zod';
import { defineProcess } from '../../coordinator/index.ts';
import type { AiStepServices } from './ai.services.ts';

/** The nightly retention run (scheduled by the AI layer): applies the operator's policies per kind. */
export const memoryRetention = defineProcess({
  name: 'memory-retention',
  version: 1,
  description: 'Apply memory retention policies (delete or keep only summaries after their period)',
  input: z.object({}).default({}),
  start: 'apply',
  steps: {
    apply: {
      agent: 'summarizer',
      run: async (ctx) => {
        const s = ctx.services as unknown as AiStepServices;
        return ctx.complete(await s.ai.runRetention());
      },
    },
  },
});
