import { randomUUID } from 'node:crypto';
import type { Db } from '../coordinator/db/client.ts';
import type { Embedder } from './embedding/embedder.port.ts';
import type { SqlRunner } from './sql.ts';
import {
  EntityInputSchema,
  EpisodeInputSchema,
  FactInputSchema,
  nameKey,
  type EntityInput,
  type EpisodeInput,
  type FactInput,
} from './memory.types.ts';
import type { VectorGate } from './vector/vector-gate.ts';

export interface MemoryDeps {
  db: Db;
  /** Hot reads (retrieval, entity lookup, facts) and the retrieval log: plain pg when a pool is given. */
  sql: SqlRunner;
  embedder: Embedder;
  vectors: VectorGate;
  /** Root under which episode files live; /forget and retention only delete files inside it. */
  dataDir?: string;
  now?: () => Date;
}

export type EntityRow = Awaited<ReturnType<Db['memoryEntity']['findUniqueOrThrow']>>;
export type EpisodeRow = Awaited<ReturnType<Db['memoryEpisode']['findUniqueOrThrow']>>;
export type FactRow = Awaited<ReturnType<Db['memoryFact']['findUniqueOrThrow']>>;

/** Text that is embedded for an episode: title and content, capped (long documents are chunked upstream). */
export const episodeText = (e: { title: string; content: string }) => `${e.title}\n${e.content}`.slice(0, 4_000);

/**
 * Long-term memory in Postgres (the source of truth) with vectors mirrored to the vector store.
 * A write that cannot reach the vector store still succeeds; `embedded_at` stays null and
 * `syncVectors`/`rebuildVectors` fill the gap later.
 */
export function createMemoryStore(d: MemoryDeps) {
  const now = d.now ?? (() => new Date());

  async function embedEpisodes(rows: EpisodeRow[]): Promise<number> {
    const live = rows.filter((r) => !r.redactedAt);
    if (live.length === 0) return 0;
    const vectors = await d.embedder.embed(live.map(episodeText));
    const { used } = await d.vectors.use(
      (s) =>
        s.upsert(live.map((r, i) => ({ id: r.id, vector: vectors[i], metadata: { entityId: r.entityId ?? '', kind: r.kind, occurredAt: r.occurredAt.getTime() } }))),
      undefined,
    );
    if (!used) return 0;
    await d.db.memoryEpisode.updateMany({ where: { id: { in: live.map((r) => r.id) } }, data: { embeddedAt: now() } });
    return live.length;
  }

  return {
    async upsertEntity(input: EntityInput): Promise<EntityRow> {
      const e = EntityInputSchema.parse(input);
      const key = nameKey(e.name);
      return d.db.memoryEntity.upsert({
        where: { kind_nameKey: { kind: e.kind, nameKey: key } },
        create: { id: randomUUID(), kind: e.kind, name: e.name, nameKey: key, aliases: e.aliases, attributes: e.attributes as object },
        update: { ...(e.aliases.length ? { aliases: { set: e.aliases } } : {}), ...(Object.keys(e.attributes).length ? { attributes: e.attributes as object } : {}) },
      });
    },

    /** Finds entities by name or alias, case- and accent-insensitively. */
    async findEntities(name: string): Promise<EntityRow[]> {
      return d.sql.query<EntityRow>(
        `SELECT id, kind, name, name_key AS "nameKey", aliases, attributes, summary, summary_covers AS "summaryCovers",
                summary_updated_at AS "summaryUpdatedAt", summary_provenance AS "summaryProvenance", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM memory_entity
         WHERE name_key = $1 OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE lower(a) = $1)
         ORDER BY created_at`,
        [nameKey(name)],
      );
    },

    /** findEntities with each entity's current facts (as factsOf returns them), in one round trip. */
    async findEntitiesWithFacts(name: string, at: Date = now()): Promise<Array<EntityRow & { facts: FactRow[] }>> {
      const rows = await d.sql.query<EntityRow & { facts: Array<Record<string, unknown>> }>(
        `SELECT e.id, e.kind, e.name, e.name_key AS "nameKey", e.aliases, e.attributes, e.summary, e.summary_covers AS "summaryCovers",
                e.summary_updated_at AS "summaryUpdatedAt", e.summary_provenance AS "summaryProvenance", e.created_at AS "createdAt", e.updated_at AS "updatedAt",
                COALESCE((SELECT json_agg(json_build_object('id', f.id, 'entityId', f.entity_id, 'key', f.key, 'value', f.value, 'source', f.source,
                                   'episodeId', f.episode_id, 'confidence', f.confidence::float8, 'validFrom', f.valid_from, 'validTo', f.valid_to, 'createdAt', f.created_at)
                                 ORDER BY f.key ASC, f.valid_from DESC)
                          FROM memory_fact f
                          WHERE f.entity_id = e.id AND f.valid_from <= $2::timestamptz AND (f.valid_to IS NULL OR f.valid_to > $2::timestamptz)), '[]'::json) AS facts
         FROM memory_entity e
         WHERE e.name_key = $1 OR EXISTS (SELECT 1 FROM unnest(e.aliases) a WHERE lower(a) = $1)
         ORDER BY e.created_at`,
        [nameKey(name), at],
      );
      const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
      return rows.map((r) => ({
        ...r,
        facts: r.facts.map((f) => ({ ...f, validFrom: date(f.validFrom)!, validTo: date(f.validTo), createdAt: date(f.createdAt)! }) as unknown as FactRow),
      }));
    },

    getEntity: (id: string) => d.db.memoryEntity.findUnique({ where: { id } }),

    /** Adds a fact; a current fact with the same key and another value is closed (valid_to = now). */
    async addFact(input: FactInput): Promise<FactRow> {
      const f = FactInputSchema.parse(input);
      const at = f.validFrom ?? now();
      return d.db.$transaction(async (tx) => {
        await tx.memoryFact.updateMany({ where: { entityId: f.entityId, key: f.key, validTo: null, NOT: { value: f.value } }, data: { validTo: at } });
        const same = await tx.memoryFact.findFirst({ where: { entityId: f.entityId, key: f.key, value: f.value, validTo: null } });
        if (same) return same;
        return tx.memoryFact.create({
          data: { id: randomUUID(), entityId: f.entityId, key: f.key, value: f.value, source: f.source, episodeId: f.episodeId ?? null, confidence: f.confidence, validFrom: at, validTo: f.validTo ?? null },
        });
      });
    },

    /** Facts valid now (or at `at`), newest first. */
    async factsOf(entityId: string, at: Date = now()): Promise<FactRow[]> {
      return d.sql.query<FactRow>(
        `SELECT id, entity_id AS "entityId", key, value, source, episode_id AS "episodeId", confidence::float8 AS confidence,
                valid_from AS "validFrom", valid_to AS "validTo", created_at AS "createdAt"
         FROM memory_fact
         WHERE entity_id = $1 AND valid_from <= $2::timestamptz AND (valid_to IS NULL OR valid_to > $2::timestamptz)
         ORDER BY key ASC, valid_from DESC`,
        [entityId, at],
      );
    },

    async addEpisode(input: EpisodeInput): Promise<EpisodeRow> {
      const e = EpisodeInputSchema.parse(input);
      const row = await d.db.memoryEpisode.create({
        data: { id: randomUUID(), entityId: e.entityId, kind: e.kind, title: e.title, content: e.content, source: e.source, provenance: e.provenance, runId: e.runId ?? null, files: e.files, data: (e.data ?? undefined) as object | undefined, occurredAt: e.occurredAt ?? now() },
      });
      await embedEpisodes([row]);
      return row;
    },

    /** Bulk insert for imports and benchmarks: one Postgres round trip and one vector batch per 1,000. */
    async addEpisodes(inputs: EpisodeInput[]): Promise<number> {
      let n = 0;
      for (let i = 0; i < inputs.length; i += 1000) {
        const rows = inputs.slice(i, i + 1000).map((x) => {
          const e = EpisodeInputSchema.parse(x);
          return { id: randomUUID(), entityId: e.entityId, kind: e.kind, title: e.title, content: e.content, source: e.source, provenance: e.provenance, runId: e.runId ?? null, files: e.files, data: (e.data ?? undefined) as object | undefined, occurredAt: e.occurredAt ?? now() };
        });
        await d.db.memoryEpisode.createMany({ data: rows });
        await embedEpisodes(rows.map((r) => ({ ...r, embeddedAt: null, redactedAt: null, createdAt: now() })) as EpisodeRow[]);
        n += rows.length;
      }
      return n;
    },

    getEpisode: (id: string) => d.db.memoryEpisode.findUnique({ where: { id } }),

    /** Episodes in a time window, oldest first (day summaries). */
    episodesBetween: (from: Date, to: Date, limit = 200) =>
      d.db.memoryEpisode.findMany({
        where: { occurredAt: { gte: from, lt: to }, redactedAt: null },
        orderBy: { occurredAt: 'asc' },
        take: limit,
        select: { id: true, kind: true, title: true, content: true, occurredAt: true, entityId: true },
      }),

    /** Episodes of one kind for an entity, newest first, with their structured data (invoices, payables). */
    episodesOf: (entityId: string, kind: string, limit = 50) =>
      d.db.memoryEpisode.findMany({ where: { entityId, kind }, orderBy: { occurredAt: 'desc' }, take: limit }),

    /** All entities of a kind (fuzzy matching over a one-person business's vendors or customers). */
    entitiesOfKind: (kind: string, limit = 5_000) => d.db.memoryEntity.findMany({ where: { kind }, take: limit, orderBy: { name: 'asc' } }),

    /** Embeds episodes that never reached the vector store (it was down when they were written). */
    async syncVectors(limit = 5_000): Promise<number> {
      const rows = await d.db.memoryEpisode.findMany({ where: { embeddedAt: null, redactedAt: null }, take: limit, orderBy: { createdAt: 'asc' } });
      let n = 0;
      for (let i = 0; i < rows.length; i += 500) n += await embedEpisodes(rows.slice(i, i + 500));
      return n;
    },

    /** Drops the vector index and rebuilds it from Postgres (`coo memory rebuild`): Chroma is never the only copy. */
    async rebuildVectors(opts: { onProgress?(p: { done: number; total: number }): void } = {}): Promise<{ embedded: number; skipped: number }> {
      const ok = await d.vectors.use((s) => s.reset(), undefined);
      if (!ok.used) throw new Error('The vector store is not reachable; nothing was rebuilt.');
      await d.db.memoryEpisode.updateMany({ data: { embeddedAt: null } });
      // The total is counted once, up front, for a progress line with an ETA (`coo memory rebuild`).
      const total = opts.onProgress ? await d.db.memoryEpisode.count({ where: { redactedAt: null } }) : 0;
      let done = 0;
      opts.onProgress?.({ done, total });
      let embedded = 0;
      let cursor: string | undefined;
      for (;;) {
        const rows = await d.db.memoryEpisode.findMany({ where: { redactedAt: null }, take: 1000, orderBy: { id: 'asc' }, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });
        if (rows.length === 0) break;
        embedded += await embedEpisodes(rows);
        cursor = rows[rows.length - 1].id;
        done += rows.length;
        opts.onProgress?.({ done, total: Math.max(total, done) });
      }
      const skipped = await d.db.memoryEpisode.count({ where: { redactedAt: { not: null } } });
      return { embedded, skipped };
    },
  };
}

export type MemoryStore = ReturnType<typeof createMemoryStore>;
