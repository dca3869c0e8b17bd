import { z } from 'zod';
import { deleteFiles } from './files.ts';
import type { MemoryDeps } from './memory.store.ts';
import { createSummaries, extractiveSummarizer, type Summarize } from './summaries.ts';

export const RetentionPolicySchema = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
  keepDays: z.number().int().min(0).max(36_500),
  /** `summarize`: fold into the entity's summary, then drop the raw content; `delete`: remove entirely. */
  action: z.enum(['delete', 'summarize']),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

/** Kinds that are not episodes but logs the AI layer keeps; they can only be deleted. */
const LOG_KINDS = new Set(['retrieval_log', 'model_call']);

export interface RetentionReport {
  at: string;
  byKind: Record<string, { deleted: number; summarized: number; vectors: number; files: number }>;
}

/**
 * Retention the operator controls (per kind), applied by a nightly run on the scheduler. Only what a
 * policy names is touched: kinds without a policy are kept forever.
 */
export function createRetention(d: MemoryDeps) {
  const now = d.now ?? (() => new Date());
  const summaries = createSummaries(d);
  return {
    async list(): Promise<RetentionPolicy[]> {
      const rows = await d.db.memoryRetention.findMany({ orderBy: { kind: 'asc' } });
      return rows.map((r) => ({ kind: r.kind, keepDays: r.keepDays, action: r.action as RetentionPolicy['action'] }));
    },
    async set(p: RetentionPolicy): Promise<RetentionPolicy> {
      const v = RetentionPolicySchema.parse(p);
      if (LOG_KINDS.has(v.kind) && v.action !== 'delete') throw new Error(`${v.kind} can only be deleted after its period.`);
      await d.db.memoryRetention.upsert({ where: { kind: v.kind }, create: v, update: { keepDays: v.keepDays, action: v.action } });
      return v;
    },
    async remove(kind: string): Promise<boolean> {
      return (await d.db.memoryRetention.deleteMany({ where: { kind } })).count > 0;
    },
    async run(opts: { summarize?: Summarize } = {}): Promise<RetentionReport> {
      const at = now();
      const report: RetentionReport = { at: at.toISOString(), byKind: {} };
      const summarize = opts.summarize ?? extractiveSummarizer();
      for (const p of await this.list()) {
        const cutoff = new Date(at.getTime() - p.keepDays * 86_400_000);
        const r = (report.byKind[p.kind] = { deleted: 0, summarized: 0, vectors: 0, files: 0 });
        if (p.kind === 'retrieval_log') {
          r.deleted = (await d.db.memoryRetrieval.deleteMany({ where: { createdAt: { lt: cutoff } } })).count;
          continue;
        }
        if (p.kind === 'model_call') {
          r.deleted = (await d.db.modelCall.deleteMany({ where: { createdAt: { lt: cutoff } } })).count;
          continue;
        }
        for (;;) {
          const batch = await d.db.memoryEpisode.findMany({
            where: { kind: p.kind, occurredAt: { lt: cutoff }, ...(p.action === 'summarize' ? { redactedAt: null } : {}) },
            take: 500,
            select: { id: true, entityId: true, files: true },
          });
          if (batch.length === 0) break;
          const ids = batch.map((b) => b.id);
          const v = await d.vectors.use((s) => s.delete({ ids }), 0);
          r.vectors += v.value;
          r.files += await deleteFiles(d.dataDir, batch.flatMap((b) => b.files));
          if (p.action === 'delete') {
            r.deleted += (await d.db.memoryEpisode.deleteMany({ where: { id: { in: ids } } })).count;
          } else {
            // Fold into the owner's rolling summary first, so the content survives as summary.
            for (const entityId of new Set(batch.map((b) => b.entityId).filter((x): x is string => !!x))) {
              await summaries.update(entityId, summarize, { maxEpisodes: 10_000 });
            }
            r.summarized += (await d.db.memoryEpisode.updateMany({ where: { id: { in: ids } }, data: { content: '', files: [], redactedAt: at, embeddedAt: null } })).count;
          }
        }
      }
      return report;
    },
  };
}
