import { z } from 'zod';
import { combinedProvenance, extractiveSummarizer, type Summarize } from '../../memory/index.ts';
import { defineAgent, type AgentDeps } from '../define-agent.ts';

export const SummarizeInput = z.object({
  subject: z.string().min(1),
  previous: z.string().default(''),
  /** Where the previous summary came from; unknown means untrusted. */
  previousProvenance: z.enum(['system', 'operator', 'untrusted']).default('untrusted'),
  episodes: z.array(z.object({ id: z.string(), kind: z.string(), title: z.string().default(''), content: z.string(), occurredAt: z.coerce.date(), provenance: z.enum(['system', 'operator', 'untrusted']).default('untrusted') })).min(1),
  maxWords: z.number().int().min(20).max(600).default(180),
});
export type SummarizeInput = z.infer<typeof SummarizeInput>;

export const SummaryOutput = z.object({ summary: z.string().min(1).max(6_000), confidence: z.number().min(0).max(1) });

/**
 * Incremental summaries: the previous summary plus only the new episodes give the next summary, for an
 * entity's history or for the day. Without a model the extractive template keeps one line per episode.
 */
export const summarizer = defineAgent({
  name: 'summarizer',
  description: 'Rolling summaries of an entity’s history and of the day',
  input: SummarizeInput,
  output: SummaryOutput,
  tier: 'fast',
  // Summaries run nightly (retention) and are never urgent: one at a time.
  concurrency: 1,
  tokenBudget: 1_800,
  system:
    'You maintain a rolling summary for a one-person business. Merge the new events into the previous summary: keep agreements, amounts, dates, open questions and outcomes; drop small talk. ' +
    'Return JSON {summary, confidence}.',
  task: (i, q) => `Update the summary of ${q(i.subject)} with the new events (at most ${i.maxWords} words).`,
  async context(i) {
    return {
      sections: [
        { name: 'previous summary', text: i.previous, priority: 1, provenance: i.previousProvenance },
        { name: 'new events', text: i.episodes.map((e) => `[${e.occurredAt.toISOString().slice(0, 10)} ${e.kind}] ${e.title} ${e.content}`).join('\n'), priority: 2, provenance: combinedProvenance(i.episodes) },
      ],
      entityIds: [],
      retrievalIds: [],
      facts: {},
    };
  },
  template: (i) => ({ summary: templateSummary(i), confidence: 0 }),
});

function templateSummary(i: SummarizeInput): string {
  const lines = i.previous ? i.previous.split('\n') : [];
  for (const e of i.episodes) lines.push(`- ${e.occurredAt.toISOString().slice(0, 10)} ${e.kind}: ${(e.content.split(/(?<=[.!?])\s|\n/)[0] ?? '').slice(0, 160)}`);
  return lines.join('\n').slice(-4_000) || '(nothing yet)';
}

/** A memory `Summarize` backed by the summarizer agent (model or template), for rolling entity summaries and retention. */
export function agentSummarizer(deps: AgentDeps): Summarize {
  return async ({ entityName, previous, previousProvenance, episodes }) => {
    if (deps.model.mode === 'no_model') return extractiveSummarizer()({ entityName, previous, previousProvenance, episodes });
    const r = await summarizer.run({ subject: entityName, previous, previousProvenance, episodes }, deps);
    return r.output.summary;
  };
}

/** Summary of one day across everything that happened (for the digest). */
export async function summarizeDay(deps: AgentDeps, day: Date): Promise<{ summary: string; episodes: number; mode: 'model' | 'template' }> {
  const from = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const to = new Date(from.getTime() + 86_400_000);
  const eps = await deps.memory.episodesBetween(from, to, 200);
  if (eps.length === 0) return { summary: 'Nothing was recorded that day.', episodes: 0, mode: 'template' };
  const r = await summarizer.run({ subject: `the day ${from.toISOString().slice(0, 10)}`, previous: '', episodes: eps }, deps);
  return { summary: r.output.summary, episodes: eps.length, mode: r.mode };
}
