import { z } from 'zod';
import { defineProcess, type StepContext } from '../process/define.ts';
import type { CoreServices } from './services.ts';

const Input = z.object({ windowHours: z.number().positive().max(24 * 7).default(24) });
type Ctx = StepContext<z.infer<typeof Input>, CoreServices>;

export interface DigestFacts {
  since: string;
  completed: number;
  /** retryable: false for a run that ended with an answer (nothing to retry); absent in digests recorded before it existed. */
  failed: Array<{ id: string; process: string; error: string | null; retryable?: boolean }>;
  cancelled: number;
  waiting: Array<{ id: string; question: string; ageSeconds: number }>;
  incidents: number;
  byProcess: Record<string, number>;
  /** Lines other layers contribute (the AI layer: model spend, deep passes, memory mode). */
  extra?: string[];
}

/** Pure: the digest text from the facts the collect step recorded. */
export function renderDigest(f: DigestFacts): string {
  const lines = [`Daily digest — since ${f.since.replace('T', ' ').slice(0, 16)} UTC`];
  const ran = Object.entries(f.byProcess).map(([p, n]) => `${p} ×${n}`).join(', ');
  lines.push(`What ran: ${f.completed} completed${ran ? ` (${ran})` : ''}, ${f.failed.length} failed, ${f.cancelled} cancelled.`);
  // Only advice that works: /retry for a step that failed, nothing for a run that ended with an answer.
  if (f.failed.length) lines.push(...f.failed.slice(0, 10).map((r) => `  ✗ ${r.id} ${r.process}: ${r.error ?? 'failed'}${r.retryable === false ? '' : ` — /retry ${r.id}`}`));
  lines.push(f.waiting.length ? `Waiting for you: ${f.waiting.length} approval${f.waiting.length === 1 ? '' : 's'}.` : 'Nothing waits for you.');
  lines.push(...f.waiting.slice(0, 10).map((a) => `  ❓ ${a.id} (${Math.round(a.ageSeconds / 3600)}h): ${a.question.split('\n')[0]}`));
  if (f.incidents) lines.push(`Open incidents: ${f.incidents} — /inbox.`);
  if (f.extra?.length) lines.push(...f.extra);
  return lines.join('\n');
}

/** The scheduled daily digest: what ran, what failed, what waits for the operator. */
export const dailyDigest = defineProcess({
  name: 'daily-digest',
  version: 1,
  description: 'Summarise what ran, what failed and what waits for the operator, and send it',
  input: Input,
  start: 'collect',
  steps: {
    collect: {
      next: ['send'],
      description: 'Read runs, approvals and incidents (recorded as this step’s output)',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const status = await c.services.reports.status();
        const since = new Date(new Date(status.at).getTime() - ctx.input.windowHours * 3_600_000).toISOString();
        const finished = await c.services.reports.finishedSince(since);
        const byProcess: Record<string, number> = {};
        for (const r of finished) if (r.status === 'completed' && r.process !== 'daily-digest') byProcess[r.process] = (byProcess[r.process] ?? 0) + 1;
        const facts: DigestFacts = {
          since,
          completed: finished.filter((r) => r.status === 'completed' && r.process !== 'daily-digest').length,
          failed: finished.filter((r) => r.status === 'failed').map((r) => ({ id: r.id, process: r.process, error: r.error, retryable: r.retryable })),
          cancelled: finished.filter((r) => r.status === 'cancelled').length,
          waiting: status.pendingApprovals.map((a) => ({ id: a.id, question: a.question, ageSeconds: a.ageSeconds })),
          incidents: status.openIncidents.length,
          byProcess,
          extra: await digestExtras(c.services),
        };
        return ctx.goto('send', facts);
      },
    },
    send: {
      description: 'Post the digest to the operator, exactly once',
      run: async (ctx) => {
        const c = ctx as unknown as Ctx;
        const text = renderDigest(ctx.outputs.collect as DigestFacts);
        const ref = `${ctx.runId}-digest`;
        const posted = await ctx.effect(
          { key: 'post', connector: 'operator', intent: 'send daily digest', request: { text } },
          {
            perform: async () => ({ result: await c.services.operator.post({ text, kind: 'digest', ref }) }),
            reconcile: async () => {
              const found = await c.services.operator.findByRef(ref);
              return found ? { result: found } : null;
            },
          },
        );
        return ctx.complete({ messageId: posted.id });
      },
    },
  },
});

/** Optional contributions: a service that offers `digestLines()` (the AI layer does) adds its lines. */
async function digestExtras(services: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const s of Object.values(services)) {
    const f = (s as { digestLines?: () => Promise<string[]> } | null)?.digestLines;
    if (typeof f === 'function') out.push(...(await f.call(s).catch(() => [] as string[])));
  }
  return out;
}
