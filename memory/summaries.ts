import { combinedProvenance, type Provenance } from './context-builder.ts';
import type { MemoryDeps } from './memory.store.ts';

export interface SummaryEpisode {
  id: string;
  kind: string;
  title: string;
  content: string;
  occurredAt: Date;
  provenance: Provenance;
}

/**
 * Turns the previous summary plus new episodes into the next summary. The summarizer agent provides a
 * model-backed one; `extractiveSummarizer` works without a model.
 */
export type Summarize = (input: { entityName: string; previous: string; previousProvenance: Provenance; episodes: SummaryEpisode[] }) => Promise<string>;

/** No-model summary: one dated line per episode (its first sentence), newest last, capped in length. */
export const extractiveSummarizer =
  (maxChars = 2_000): Summarize =>
  async ({ previous, episodes }) => {
    const lines = previous ? previous.split('\n').filter(Boolean) : [];
    for (const e of episodes) {
      const first = (e.content.split(/(?<=[.!?])\s|\n/)[0] ?? '').trim().slice(0, 160);
      lines.push(`- ${e.occurredAt.toISOString().slice(0, 10)} ${e.kind}${e.title ? ` "${e.title.slice(0, 60)}"` : ''}: ${first}`);
    }
    while (lines.join('\n').length > maxChars && lines.length > 1) lines.splice(lines[0].startsWith('(') ? 1 : 0, 1);
    return lines.join('\n');
  };

/**
 * Rolling summaries: each entity's summary is updated from the episodes it does not yet cover, and
 * records their ids, so no episode is summarised twice and old ones need not be read again. The
 * summary keeps the provenance of what it was made from: one untrusted episode (a customer's mail)
 * makes it untrusted, for good, so whatever a summarizer copied from that mail stays fenced as data.
 */
export function createSummaries(d: MemoryDeps) {
  const now = d.now ?? (() => new Date());
  return {
    async update(entityId: string, summarize: Summarize, opts: { maxEpisodes?: number; includeIds?: string[] } = {}): Promise<{ summary: string; added: string[] }> {
      const entity = await d.db.memoryEntity.findUniqueOrThrow({ where: { id: entityId } });
      const covered = new Set(entity.summaryCovers);
      const fresh = await d.db.memoryEpisode.findMany({
        where: {
          entityId,
          id: { notIn: entity.summaryCovers },
          OR: [{ redactedAt: null }, ...(opts.includeIds?.length ? [{ id: { in: opts.includeIds } }] : [])],
        },
        orderBy: { occurredAt: 'asc' },
        take: opts.maxEpisodes ?? 50,
        select: { id: true, kind: true, title: true, content: true, occurredAt: true, provenance: true },
      });
      const episodes = fresh.filter((e) => !covered.has(e.id)).map((e) => ({ ...e, provenance: combinedProvenance([e]) }));
      if (episodes.length === 0) return { summary: entity.summary, added: [] };
      const previousProvenance = combinedProvenance([{ provenance: entity.summaryProvenance }]);
      const summary = await summarize({ entityName: entity.name, previous: entity.summary, previousProvenance, episodes });
      const added = episodes.map((e) => e.id);
      const summaryProvenance = combinedProvenance([...(entity.summary ? [{ provenance: previousProvenance }] : []), ...episodes]);
      await d.db.memoryEntity.update({ where: { id: entityId }, data: { summary, summaryProvenance, summaryCovers: [...entity.summaryCovers, ...added], summaryUpdatedAt: now() } });
      return { summary, added };
    },
  };
}
