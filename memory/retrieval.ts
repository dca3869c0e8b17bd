import { randomUUID } from 'node:crypto';
import { Prisma } from '../coordinator/db/client.ts';
import type { MemoryDeps } from './memory.store.ts';
import { estimateTokens, RetrievalQuerySchema, type RetrievalQuery, type RetrievalResult, type RetrievedItem } from './memory.types.ts';

const RRF_K = 60;
/** Full-text matches ranked per query at most (newest first); bounds the cost of common terms. */
const CANDIDATES = 2_000;

/**
 * Hybrid retrieval: vector neighbours from the vector store and Postgres full-text matches, fused by
 * reciprocal rank, weighted by recency, cut by minimum similarity and a token budget. Each retrieval is
 * logged (memory_retrieval) with what it returned, so an answer can be traced to its memory.
 */
export function createRetriever(d: MemoryDeps & { defaults?: { minSimilarity?: number; recencyHalfLifeDays?: number } }) {
  const now = d.now ?? (() => new Date());

  const pending = new Set<Promise<unknown>>();
  const retrieve = async function retrieve(input: RetrievalQuery): Promise<RetrievalResult> {
    const q = RetrievalQuerySchema.parse(input);
    const t0 = performance.now();
    const pool = Math.max(q.k * 4, 20);
    const minSim = q.minSimilarity ?? d.defaults?.minSimilarity ?? 0.1;
    const halfLife = q.recencyHalfLifeDays ?? d.defaults?.recencyHalfLifeDays ?? 90;

    const vectorPart = async () => {
      if (q.mode === 'text') return { hits: [] as Array<{ id: string; similarity: number }>, used: false };
      const [vec] = await d.embedder.embed([q.query]);
      const r = await d.vectors.use((s) => s.query(vec, pool, { entityId: q.entityId, kinds: q.kinds }), []);
      return { hits: r.value.filter((h) => h.similarity >= minSim), used: r.used };
    };
    const textPart = async (vectorUp: boolean) => {
      if (q.mode === 'vector') return [] as Array<{ id: string }>;
      // First episodes sharing at least two of the question's stemmed terms (any pair): precise, and the
      // GIN index keeps it cheap. Only when that finds too little, any single term (a paraphrase may
      // share just one word), which matches many rows and costs more to rank.
      // Filters are spliced in only when given, so the planner can use the (entity_id, occurred_at)
      // index instead of a generic "$1 IS NULL OR …" plan. Ranking is bounded: at most CANDIDATES
      // matches (newest first) are ranked, which keeps a very common term pair from costing a full scan.
      const filters = Prisma.sql`${q.entityId ? Prisma.sql`AND e.entity_id = ${q.entityId}` : Prisma.empty} ${q.kinds?.length ? Prisma.sql`AND e.kind = ANY(${q.kinds}::text[])` : Prisma.empty}`;
      const pairs = await d.db.$queryRaw<Array<{ id: string }>>`
        WITH l AS (SELECT lexeme FROM unnest(to_tsvector('english', ${q.query})) LIMIT 10),
        q AS (SELECT (SELECT string_agg(format('(%L & %L)', a.lexeme, b.lexeme), ' | ') FROM l a JOIN l b ON a.lexeme < b.lexeme)::tsquery AS tq),
        c AS (SELECT e.id, e.tsv, e.occurred_at FROM memory_episode e, q
              WHERE q.tq IS NOT NULL AND e.tsv @@ q.tq AND e.redacted_at IS NULL ${filters}
              ORDER BY e.occurred_at DESC LIMIT ${CANDIDATES})
        SELECT c.id FROM c, q ORDER BY ts_rank_cd(c.tsv, q.tq) DESC, c.occurred_at DESC LIMIT ${pool}`;
      // In hybrid mode with the vector store up, the vector side covers single-word paraphrases.
      if (pairs.length >= q.k || (q.mode === 'hybrid' && vectorUp)) return pairs;
      const any = await d.db.$queryRaw<Array<{ id: string }>>`
        WITH q AS (SELECT NULLIF(replace(plainto_tsquery('english', ${q.query})::text, '&', '|'), '')::tsquery AS tq),
        c AS (SELECT e.id, e.tsv, e.occurred_at FROM memory_episode e, q
              WHERE q.tq IS NOT NULL AND e.tsv @@ q.tq AND e.redacted_at IS NULL ${filters}
              ORDER BY e.occurred_at DESC LIMIT ${CANDIDATES})
        SELECT c.id FROM c, q ORDER BY ts_rank_cd(c.tsv, q.tq) DESC, c.occurred_at DESC LIMIT ${pool}`;
      const seen = new Set(pairs.map((p) => p.id));
      return [...pairs, ...any.filter((a) => !seen.has(a.id))];
    };
    const [vp, tp] = await Promise.all([vectorPart(), textPart(d.vectors.status().up)]);

    const fused = new Map<string, { score: number; vectorRank: number | null; textRank: number | null; similarity: number | null }>();
    vp.hits.forEach((h, i) => fused.set(h.id, { score: 1 / (RRF_K + i + 1), vectorRank: i + 1, textRank: null, similarity: h.similarity }));
    tp.forEach((h, i) => {
      const f = fused.get(h.id) ?? { score: 0, vectorRank: null, textRank: null, similarity: null };
      f.score += 1 / (RRF_K + i + 1);
      f.textRank = i + 1;
      fused.set(h.id, f);
    });
    const ids = [...fused.keys()];
    const rows = ids.length
      ? await d.db.$queryRaw<Array<{ id: string; entityId: string | null; kind: string; title: string; content: string; source: string; occurredAt: Date }>>`
          SELECT id, entity_id AS "entityId", kind, title, content, source, occurred_at AS "occurredAt"
          FROM memory_episode WHERE id = ANY(${ids}::text[]) AND redacted_at IS NULL`
      : [];
    const at = now().getTime();
    const items: RetrievedItem[] = rows
      .map((r) => {
        const f = fused.get(r.id)!;
        const ageDays = Math.max(0, (at - r.occurredAt.getTime()) / 86_400_000);
        const recency = 0.5 ** (ageDays / halfLife);
        return { episodeId: r.id, entityId: r.entityId, kind: r.kind, title: r.title, content: r.content, source: r.source, occurredAt: r.occurredAt, score: f.score * (1 - q.recencyWeight + q.recencyWeight * recency), similarity: f.similarity, vectorRank: f.vectorRank, textRank: f.textRank };
      })
      .sort((a, b) => b.score - a.score);

    const chosen: RetrievedItem[] = [];
    let tokens = 0;
    for (const it of items) {
      if (chosen.length >= q.k) break;
      const cost = estimateTokens(`${it.title}\n${it.content}`);
      if (tokens + cost > q.tokenBudget) {
        if (chosen.length === 0 && q.tokenBudget >= 32) {
          // The best item alone is too long: include it truncated rather than return nothing.
          const keep = q.tokenBudget * 4;
          chosen.push({ ...it, content: `${it.content.slice(0, Math.max(0, keep - it.title.length - 2))}…` });
          tokens = q.tokenBudget;
        }
        continue;
      }
      chosen.push(it);
      tokens += cost;
    }
    const mode: RetrievalResult['mode'] = q.mode === 'text' ? 'text' : vp.used ? q.mode : 'postgres_only';
    const latencyMs = performance.now() - t0;
    let retrievalId: string | null = null;
    if (q.log) {
      retrievalId = randomUUID();
      // Written after the answer is returned (not awaited): the log must not add to retrieval latency.
      // `flushLogs` waits for pending writes (shutdown, tests).
      const write = d.db.memoryRetrieval.create({
        data: {
          id: retrievalId,
          query: q.query,
          entityId: q.entityId ?? null,
          params: { k: q.k, minSimilarity: minSim, recencyWeight: q.recencyWeight, halfLife, tokenBudget: q.tokenBudget, kinds: q.kinds ?? null, mode: q.mode },
          results: chosen.map((c) => ({ episodeId: c.episodeId, entityId: c.entityId, score: c.score, similarity: c.similarity, vectorRank: c.vectorRank, textRank: c.textRank })),
          mode,
          latencyMs: Math.round(latencyMs),
          agent: q.agent ?? null,
          runId: q.runId ?? null,
        },
      });
      pending.add(write);
      void write.catch(() => {}).finally(() => pending.delete(write));
    }
    return { retrievalId, mode, items: chosen, tokens, latencyMs };
  };
  /** Waits for retrieval-log writes still in flight. */
  const flushLogs = async () => {
    await Promise.allSettled([...pending]);
  };
  return Object.assign(retrieve, { flushLogs });
}
