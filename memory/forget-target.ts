import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { createRedactor, identifiersIn, type ErasureSubject, type Redactor } from '../coordinator/erasure/redactor.ts';
import type { MemoryDeps } from './memory.store.ts';
import { nameKey } from './memory.types.ts';

/** Legal forms: "Acme", "ACME" and "Acme GmbH" are the same business to someone who says "forget Acme". */
const LEGAL_FORM = '\\s+(gmbh|ag|ug|kg|ohg|gbr|ek|ltd|llc|inc|corp|co|plc|sa|sas|sarl|sl|srl|spa|bv|nv|oy|ab|as)\\.?$';
const bareKey = (key: string) => key.replace(new RegExp(LEGAL_FORM), '');

export interface ForgetTarget {
  name: string;
  entities: Array<{ id: string; kind: string; name: string }>;
  entityIds: string[];
  /** Episodes owned by the entities, or about them without an owner. */
  episodes: Array<{ id: string; files: string[]; entityId: string | null }>;
  /** The names and the e-mail addresses and phone numbers memory holds for them. */
  subject: ErasureSubject;
  redactor: Redactor;
}

/** What a /forget of `name` reaches: the entities of that name (any kind, any legal form), their identifiers and records. */
export async function resolveForgetTarget(d: MemoryDeps, name: string): Promise<ForgetTarget> {
  const key = nameKey(name);
  const entities = await d.db.$queryRawUnsafe<Array<{ id: string; kind: string; name: string; aliases: string[]; attributes: unknown }>>(
    `SELECT id, kind, name, aliases, attributes FROM memory_entity
     WHERE name_key = $1 OR regexp_replace(name_key, $3, '') = $2 OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE lower(a) = $1)
     ORDER BY created_at`,
    key,
    bareKey(key),
    LEGAL_FORM,
  );
  const entityIds = entities.map((e) => e.id);
  const facts = await d.db.memoryFact.findMany({ where: { entityId: { in: entityIds } }, select: { key: true, value: true } });
  const ids = identifiersIn([...facts.map((f): [string, unknown] => [f.key, f.value]), ...entities.map((e): [string, unknown] => ['attributes', e.attributes])]);
  const names = [...new Set([name, ...entities.flatMap((e) => [e.name, ...e.aliases])].map((n) => n.trim()).filter((n) => n.length >= 2))];
  const subject: ErasureSubject = { names, ...ids };
  const redactor = createRedactor(subject);
  const owned = await d.db.memoryEpisode.findMany({ where: { entityId: { in: entityIds } }, select: { id: true, files: true, entityId: true } });
  const loose = redactor.empty
    ? []
    : (await d.db.$queryRawUnsafe<Array<{ id: string; files: string[]; entity_id: null; title: string; content: string }>>(
        `SELECT id, files, entity_id, title, content FROM memory_episode WHERE entity_id IS NULL AND (title ~* ANY($1::text[]) OR content ~* ANY($1::text[]))`,
        redactor.patterns,
      ))
        .filter((e) => redactor.test(`${e.title}\n${e.content}`))
        .map((e) => ({ id: e.id, files: e.files, entityId: null }));
  return { name, entities: entities.map(({ id, kind, name }) => ({ id, kind, name })), entityIds, episodes: [...owned, ...loose], subject, redactor };
}

export const MEMORY_PLACES = {
  entities: 'memory entities',
  facts: 'memory facts',
  records: 'memory records',
  others: 'other entities mentioning it',
  files: 'memory files',
  vectors: 'vectors',
  modelCalls: 'model calls',
  retrievals: 'retrieval logs',
} as const;

/** Stand-ins for "none" in `= ANY(...)` and `~* ANY(...)`: no id is empty, and this class matches no character. */
export const NO_IDS = [''];
export const NO_MATCH = ['[^\\s\\S]'];
const NONE = NO_IDS;

/** Per place, how many of memory's values hold the target (the preview, and the receipt's before and after). */
export async function countMemoryTraces(d: MemoryDeps, t: ForgetTarget): Promise<Record<string, number>> {
  const p = t.redactor.empty ? NO_MATCH : t.redactor.patterns;
  const ids = t.entityIds.length ? t.entityIds : NONE;
  const episodeIds = t.episodes.map((e) => e.id);
  const n = async (sql: string, ...args: unknown[]) => Number((await d.db.$queryRawUnsafe<Array<{ n: bigint }>>(sql, ...args))[0].n);
  const epIds = episodeIds.length ? episodeIds : NONE;
  const holds = (v: unknown) => t.redactor.json(v).changed;
  // SQL narrows the rows (a superset); the redactor, which the erasure uses too, decides.
  const matching = async (sql: string, hit: (row: Record<string, unknown>) => boolean) =>
    (await d.db.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, p, ids, epIds)).filter(hit).length;
  const root = d.dataDir ? resolve(d.dataDir) : null;
  const files = root
    ? t.episodes.flatMap((e) => e.files).filter((f) => {
        const rel = relative(root, resolve(root, f));
        return rel && !rel.startsWith('..') && !isAbsolute(rel) && existsSync(resolve(root, f));
      }).length
    : 0;
  let vectors = 0;
  if (d.vectors.store) {
    const live = await d.vectors.use((s) => s.existing(episodeIds), [] as string[]);
    vectors += live.value.length;
    const owned = new Set(t.episodes.filter((e) => e.entityId).map((e) => e.id));
    const liveOwned = live.value.filter((id) => owned.has(id)).length;
    let byEntity = 0;
    for (const id of t.entityIds) byEntity += (await d.vectors.use((s) => s.count({ entityId: id }), 0)).value;
    vectors += Math.max(0, byEntity - liveOwned);
  }
  // Every query takes ($1 patterns, $2 entity ids, $3 episode ids); a query that needs fewer still types them.
  const typed = `($2::text[] IS NOT NULL AND $3::text[] IS NOT NULL)`;
  return {
    [MEMORY_PLACES.entities]: await n(`SELECT count(*) AS n FROM memory_entity WHERE id = ANY($1::text[])`, ids),
    [MEMORY_PLACES.facts]: await matching(
      `SELECT value, source, entity_id = ANY($2::text[]) AS linked FROM memory_fact
       WHERE ${typed} AND (entity_id = ANY($2::text[]) OR value ~* ANY($1::text[]) OR source ~* ANY($1::text[]))`,
      (r) => r.linked === true || holds([r.value, r.source]),
    ),
    [MEMORY_PLACES.records]: await matching(
      `SELECT title, content, source, files, data, id = ANY($3::text[]) AS linked FROM memory_episode
       WHERE ${typed} AND (id = ANY($3::text[]) OR title ~* ANY($1::text[]) OR content ~* ANY($1::text[]) OR source ~* ANY($1::text[])
         OR array_to_string(files, ' ') ~* ANY($1::text[]) OR coalesce(data::text, '') ~* ANY($1::text[]))`,
      (r) => r.linked === true || holds([r.title, r.content, r.source, r.files, r.data]),
    ),
    [MEMORY_PLACES.others]: await matching(
      `SELECT summary, aliases, attributes FROM memory_entity
       WHERE ${typed} AND NOT (id = ANY($2::text[])) AND (summary ~* ANY($1::text[]) OR attributes::text ~* ANY($1::text[]) OR array_to_string(aliases, ' ') ~* ANY($1::text[]))`,
      (r) => holds([r.summary, r.aliases, r.attributes]),
    ),
    [MEMORY_PLACES.files]: files,
    [MEMORY_PLACES.vectors]: vectors,
    [MEMORY_PLACES.modelCalls]: await matching(
      `SELECT request, response, output, error_message, entity_ids && $2::text[] AS linked FROM model_call
       WHERE ${typed} AND (entity_ids && $2::text[] OR request::text ~* ANY($1::text[]) OR coalesce(output, '') ~* ANY($1::text[])
         OR coalesce(response::text, '') ~* ANY($1::text[]) OR coalesce(error_message, '') ~* ANY($1::text[]))`,
      (r) => r.linked === true || holds([r.request, r.response, r.output, r.error_message]),
    ),
    [MEMORY_PLACES.retrievals]: await matching(
      `SELECT query, results, entity_id = ANY($2::text[]) AS linked, EXISTS (SELECT 1 FROM unnest($3::text[]) e WHERE strpos(results::text, e) > 0) AS returned
       FROM memory_retrieval WHERE ${typed} AND (entity_id = ANY($2::text[]) OR query ~* ANY($1::text[]) OR results::text ~* ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) e WHERE strpos(results::text, e) > 0))`,
      (r) => r.linked === true || r.returned === true || holds([r.query, r.results]),
    ),
  };
}
