import { deleteFiles } from './files.ts';
import type { MemoryDeps } from './memory.store.ts';
import { nameKey } from './memory.types.ts';

export interface ForgetReport {
  name: string;
  entities: Array<{ id: string; kind: string; name: string }>;
  removed: {
    vectors: number;
    facts: number;
    episodes: number;
    files: number;
    modelCalls: number;
    retrievals: number;
    mentionsRedacted: number;
    /** What other parts of the product (the coordinator's conversation and runs) erased. */
    elsewhere: Record<string, number>;
  };
}

/** Lets the coordinator erase what it holds (conversation, run inputs) in the same /forget. */
export type ForgetExtension = (target: { names: string[]; entityIds: string[]; episodeIds: string[] }) => Promise<Record<string, number>>;

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Erases an entity everywhere memory reaches: its vectors, facts, episodes and their files, model calls
 * and retrievals about it, and mentions of its names in other entities' episodes and summaries
 * (replaced by "[forgotten]"). Returns counts so the operator sees what went.
 */
export function createForget(d: MemoryDeps, extensions: ForgetExtension[] = []) {
  return async function forget(name: string): Promise<ForgetReport> {
    const key = nameKey(name);
    const entities = await d.db.$queryRaw<Array<{ id: string; kind: string; name: string; aliases: string[] }>>`
      SELECT id, kind, name, aliases FROM memory_entity
      WHERE name_key = ${key} OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE lower(a) = ${key})`;
    const entityIds = entities.map((e) => e.id);
    const names = [...new Set([name, ...entities.flatMap((e) => [e.name, ...e.aliases])].map((n) => n.trim()).filter((n) => n.length >= 2))];
    const report: ForgetReport = {
      name,
      entities: entities.map(({ id, kind, name }) => ({ id, kind, name })),
      removed: { vectors: 0, facts: 0, episodes: 0, files: 0, modelCalls: 0, retrievals: 0, mentionsRedacted: 0, elsewhere: {} },
    };

    // Episodes owned by the entity, or that are about it without an owner.
    const owned = await d.db.memoryEpisode.findMany({ where: { entityId: { in: entityIds } }, select: { id: true, files: true } });
    const loose: Array<{ id: string; files: string[] }> = [];
    for (const n of names) {
      loose.push(
        ...(await d.db.$queryRaw<Array<{ id: string; files: string[] }>>`
          SELECT id, files FROM memory_episode WHERE entity_id IS NULL AND (title ILIKE ${like(n)} OR content ILIKE ${like(n)})`),
      );
    }
    const episodes = [...new Map([...owned, ...loose].map((e) => [e.id, e])).values()];
    const episodeIds = episodes.map((e) => e.id);

    if (episodeIds.length || entityIds.length) {
      const byIds = await d.vectors.use((s) => s.delete({ ids: episodeIds }), 0);
      report.removed.vectors += byIds.value;
      for (const id of entityIds) report.removed.vectors += (await d.vectors.use((s) => s.delete({ entityId: id }), 0)).value;
      if (d.vectors.store && !byIds.used) throw new Error('The vector store is unreachable; nothing was forgotten. Try again when it is up.');
    }
    report.removed.files = await deleteFiles(d.dataDir, episodes.flatMap((e) => e.files));

    await d.db.$transaction(async (tx) => {
      report.removed.facts = (await tx.memoryFact.deleteMany({ where: { entityId: { in: entityIds } } })).count;
      report.removed.episodes = (await tx.memoryEpisode.deleteMany({ where: { id: { in: episodeIds } } })).count;
      await tx.memoryEntity.deleteMany({ where: { id: { in: entityIds } } });
      report.removed.modelCalls += (await tx.modelCall.deleteMany({ where: { entityIds: { hasSome: entityIds.length ? entityIds : ['\u0000'] } } })).count;
      report.removed.retrievals += (await tx.memoryRetrieval.deleteMany({ where: { entityId: { in: entityIds } } })).count;
      for (const n of names) {
        report.removed.modelCalls += await tx.$executeRaw`DELETE FROM model_call WHERE request::text ILIKE ${like(n)} OR coalesce(output,'') ILIKE ${like(n)} OR coalesce(response::text,'') ILIKE ${like(n)}`;
        report.removed.retrievals += await tx.$executeRaw`DELETE FROM memory_retrieval WHERE query ILIKE ${like(n)}`;
        // Retrievals that returned a forgotten episode.
        for (const id of episodeIds) report.removed.retrievals += await tx.$executeRaw`DELETE FROM memory_retrieval WHERE results::text LIKE ${like(id)}`;
        const pattern = n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        report.removed.mentionsRedacted += await tx.$executeRaw`UPDATE memory_episode SET title = regexp_replace(title, ${pattern}, '[forgotten]', 'gi'), content = regexp_replace(content, ${pattern}, '[forgotten]', 'gi'), embedded_at = NULL
          WHERE title ILIKE ${like(n)} OR content ILIKE ${like(n)}`;
        report.removed.mentionsRedacted += await tx.$executeRaw`UPDATE memory_entity SET summary = regexp_replace(summary, ${pattern}, '[forgotten]', 'gi') WHERE summary ILIKE ${like(n)}`;
        report.removed.mentionsRedacted += await tx.$executeRaw`DELETE FROM memory_fact WHERE value ILIKE ${like(n)}`;
      }
    });
    for (const ext of extensions) Object.assign(report.removed.elsewhere, await ext({ names, entityIds, episodeIds }));
    return report;
  };
}
