import { randomUUID } from 'node:crypto';
import type { ErasureSubject } from '../coordinator/erasure/redactor.ts';
import { deleteFiles } from './files.ts';
import { countMemoryTraces, NO_IDS, NO_MATCH, resolveForgetTarget, type ForgetTarget } from './forget-target.ts';
import type { MemoryDeps } from './memory.store.ts';

export interface ForgetPreview {
  name: string;
  entities: Array<{ id: string; kind: string; name: string }>;
  /** Per place (memory's and every extension's), how many values hold the subject now. */
  places: Record<string, number>;
}

export interface ForgetReport {
  name: string;
  entities: Array<{ id: string; kind: string; name: string }>;
  /** Per place, how many values held the subject before and after: the receipt. */
  places: Record<string, { before: number; after: number }>;
  removed: {
    vectors: number;
    facts: number;
    episodes: number;
    files: number;
    modelCalls: number;
    retrievals: number;
    mentionsRedacted: number;
  };
}

/**
 * Another part of the product that holds what memory knows about (the coordinator's runs, chat,
 * ledger, files). It counts and erases the same subject, with the same redaction; `record` gets the
 * whole receipt at the end, to keep with its erasure record.
 */
export interface ForgetExtension {
  count(subject: ErasureSubject): Promise<Record<string, number>>;
  erase(subject: ErasureSubject, opts: { id: string; actor: string }): Promise<void>;
  record?(id: string, counts: Record<string, { before: number; after: number }>): Promise<void>;
}

/**
 * /forget: erases an entity (every entity of that name, any kind, any legal form) everywhere. Memory
 * deletes its entities, facts, records, their files and vectors, the model calls and retrievals about
 * it, and redacts it out of everyone else's records (which are re-embedded); each extension erases it
 * from its own stores. The subject is the names plus the e-mail addresses and phone numbers memory
 * holds for them, resolved once before anything is deleted.
 */
export function createForget(d: MemoryDeps, extensions: ForgetExtension[] = []) {
  async function countAll(t: ForgetTarget): Promise<Record<string, number>> {
    const out = await countMemoryTraces(d, t);
    for (const ext of extensions) for (const [k, n] of Object.entries(await ext.count(t.subject))) out[k] = (out[k] ?? 0) + n;
    return out;
  }

  return {
    async preview(name: string): Promise<ForgetPreview> {
      const t = await resolveForgetTarget(d, name);
      return { name, entities: t.entities, places: await countAll(t) };
    },

    async forget(name: string, opts: { actor?: string } = {}): Promise<ForgetReport> {
      const t = await resolveForgetTarget(d, name);
      const before = await countAll(t);
      const removed = await eraseMemory(d, t, async () => {
        const id = randomUUID();
        for (const ext of extensions) await ext.erase(t.subject, { id, actor: opts.actor ?? 'operator' });
        return id;
      });
      const after = await countAll(t);
      const places = Object.fromEntries(Object.keys({ ...before, ...after }).map((k) => [k, { before: before[k] ?? 0, after: after[k] ?? 0 }]));
      for (const ext of extensions) await ext.record?.(removed.erasureId, places);
      const { erasureId: _, ...rest } = removed;
      return { name, entities: t.entities, places, removed: rest };
    },
  };
}

/**
 * Memory's own part. Vectors go first (an unreachable vector store stops everything before anything
 * is gone), then the extensions (while memory still holds the identifiers a retry would need), then
 * Postgres in one transaction.
 */
async function eraseMemory(d: MemoryDeps, t: ForgetTarget, extensions: () => Promise<string>): Promise<ForgetReport['removed'] & { erasureId: string }> {
  const removed = { vectors: 0, facts: 0, episodes: 0, files: 0, modelCalls: 0, retrievals: 0, mentionsRedacted: 0 };
  const episodeIds = t.episodes.map((e) => e.id);
  const r = t.redactor;
  if (episodeIds.length || t.entityIds.length) {
    const byIds = await d.vectors.use((s) => s.delete({ ids: episodeIds }), 0);
    removed.vectors += byIds.value;
    for (const id of t.entityIds) removed.vectors += (await d.vectors.use((s) => s.delete({ entityId: id }), 0)).value;
    if (d.vectors.store && !byIds.used) throw new Error('The vector store is unreachable; nothing was forgotten. Try again when it is up.');
  }
  const erasureId = await extensions();
  removed.files = await deleteFiles(d.dataDir, t.episodes.flatMap((e) => e.files));
  const p = r.empty ? NO_MATCH : r.patterns;
  const ids = t.entityIds.length ? t.entityIds : NO_IDS;
  await d.db.$transaction(
    async (tx) => {
      removed.facts = (await tx.memoryFact.deleteMany({ where: { entityId: { in: t.entityIds } } })).count;
      removed.episodes = (await tx.memoryEpisode.deleteMany({ where: { id: { in: episodeIds } } })).count;
      await tx.memoryEntity.deleteMany({ where: { id: { in: t.entityIds } } });
      // Model calls and retrievals about it are records of what was said about it: they go whole.
      const calls = await tx.$queryRawUnsafe<Array<{ id: string; linked: boolean; request: unknown; response: unknown; output: string | null; error_message: string | null }>>(
        `SELECT id, entity_ids && $2::text[] AS linked, request, response, output, error_message FROM model_call
         WHERE entity_ids && $2::text[] OR request::text ~* ANY($1::text[]) OR coalesce(output, '') ~* ANY($1::text[]) OR coalesce(response::text, '') ~* ANY($1::text[])
            OR coalesce(error_message, '') ~* ANY($1::text[])`, p, ids);
      const gone = calls.filter((c) => c.linked || r.json([c.request, c.response, c.output, c.error_message]).changed).map((c) => c.id);
      removed.modelCalls = (await tx.modelCall.deleteMany({ where: { id: { in: gone } } })).count;
      const logs = await tx.$queryRawUnsafe<Array<{ id: string; query: string; results: unknown; hit: boolean }>>(
        `SELECT id, query, results, (entity_id = ANY($2::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) e WHERE strpos(results::text, e) > 0)) AS hit FROM memory_retrieval
         WHERE entity_id = ANY($2::text[]) OR query ~* ANY($1::text[]) OR results::text ~* ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) e WHERE strpos(results::text, e) > 0)`,
        p, ids, episodeIds.length ? episodeIds : NO_IDS);
      removed.retrievals = (await tx.memoryRetrieval.deleteMany({ where: { id: { in: logs.filter((l) => l.hit || r.json([l.query, l.results]).changed).map((l) => l.id) } } })).count;
      if (r.empty) return;
      // Everyone else's records keep their content with the subject redacted, and are re-embedded.
      const eps = await tx.$queryRawUnsafe<Array<{ id: string; title: string; content: string; source: string; files: string[]; data: unknown }>>(
        `SELECT id, title, content, source, files, data FROM memory_episode
         WHERE title ~* ANY($1::text[]) OR content ~* ANY($1::text[]) OR source ~* ANY($1::text[]) OR array_to_string(files, ' ') ~* ANY($1::text[]) OR coalesce(data::text, '') ~* ANY($1::text[])`, p);
      for (const e of eps) {
        const v = r.json({ title: e.title, content: e.content, source: e.source, files: e.files, data: e.data });
        if (!v.changed) continue;
        await tx.memoryEpisode.update({ where: { id: e.id }, data: { title: v.value.title, content: v.value.content, source: v.value.source, files: v.value.files, data: (v.value.data ?? undefined) as object | undefined, embeddedAt: null } });
        removed.mentionsRedacted++;
      }
      const others = await tx.$queryRawUnsafe<Array<{ id: string; summary: string; aliases: string[]; attributes: unknown }>>(
        `SELECT id, summary, aliases, attributes FROM memory_entity WHERE summary ~* ANY($1::text[]) OR attributes::text ~* ANY($1::text[]) OR array_to_string(aliases, ' ') ~* ANY($1::text[])`, p);
      for (const o of others) {
        const v = r.json({ summary: o.summary, aliases: o.aliases, attributes: o.attributes });
        if (!v.changed) continue;
        await tx.memoryEntity.update({ where: { id: o.id }, data: { summary: v.value.summary, aliases: v.value.aliases, attributes: v.value.attributes as object } });
        removed.mentionsRedacted++;
      }
      // A fact of someone else whose value names the subject is a fact about the subject.
      // A fact whose source names it (an address it came from) keeps its value, not that source.
      const facts = await tx.$queryRawUnsafe<Array<{ id: string; value: string; source: string }>>(`SELECT id, value, source FROM memory_fact WHERE value ~* ANY($1::text[]) OR source ~* ANY($1::text[])`, p);
      const about = facts.filter((f) => r.test(f.value)).map((f) => f.id);
      removed.mentionsRedacted += (await tx.memoryFact.deleteMany({ where: { id: { in: about } } })).count;
      for (const f of facts) if (!about.includes(f.id) && r.test(f.source)) await tx.memoryFact.update({ where: { id: f.id }, data: { source: r.text(f.source) } });
    },
    { timeout: 60_000 },
  );
  return { ...removed, erasureId };
}
