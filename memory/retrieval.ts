import { randomUUID } from 'node:crypto';
import { episodeText, type MemoryDeps } from './memory.store.ts';
import { estimateTokens, RetrievalQuerySchema, type RetrievalQuery, type RetrievalResult, type RetrievedItem } from './memory.types.ts';

const RRF_K = 60;
/**
 * How much the vector list counts in the fusion when it comes from a metadata-free search over
 * everything with the offline embedder (which matches wording, not meaning): half the text list.
 * Measured on bench/memory-bench.ts (recall@5, equal weight → half, same run conditions): at 10k
 * hybrid 0.730 → 0.750, held-out English 0.473 → 0.540, de/fr/es 0.807 → 0.843; at 100k 0.500 →
 * 0.583, 0.430 → 0.587, 0.560 → 0.643 (with equal weight hybrid was below text alone there). The
 * in-process path ranks vectors exactly and keeps equal weight (half cost it 0.920 → 0.873 on
 * entity-filtered questions); a model's embeddings keep equal weight too.
 */
const OFFLINE_ANN_VECTOR_WEIGHT = 0.5;
/** Full-text matches ranked per query at most (newest first); bounds the cost of common terms. */
const CANDIDATES = 2_000;
/** Up to this many records of one entity (or kind) are ranked in-process (local embedder only). */
const LOCAL_MAX = 300;
/** How long a filter that matched more than LOCAL_MAX records skips the in-process attempt. */
const LARGE_FILTER_TTL_MS = 5 * 60_000;

/** An episode row as read for ranking: a RetrievedItem before it has a score. */
type EpisodeHit = Pick<RetrievedItem, 'entityId' | 'kind' | 'title' | 'content' | 'source' | 'provenance' | 'occurredAt'> & { id: string };
const COLS = `e.id, e.entity_id AS "entityId", e.kind, e.title, e.content, e.source, e.provenance, e.occurred_at AS "occurredAt"`;

/**
 * The retrieval log row, committed without waiting for the WAL flush: it is written after the answer
 * is returned, and a power cut losing the last fraction of a second of log rows loses an audit line,
 * nothing the answer or any cap depends on.
 */
const LOG = `WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v)
  INSERT INTO memory_retrieval (id, query, entity_id, params, results, mode, latency_ms, agent, run_id)
  SELECT r.id, r.query, r.entity_id, r.params, r.results, r.mode, r.latency_ms, r.agent, r.run_id
  FROM cfg, jsonb_to_recordset($1::jsonb) AS r(id text, query text, entity_id text, params jsonb, results jsonb, mode text, latency_ms int, agent text, run_id text)`;

/** Positional parameters for SQL text assembled from optional filters. */
interface Params {
  values: unknown[];
  add(v: unknown): string;
}
function params(): Params {
  const values: unknown[] = [];
  return { values, add: (v) => `$${values.push(v)}` };
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Hybrid retrieval: vector neighbours from the vector store and Postgres full-text matches, fused by
 * reciprocal rank, weighted by recency, cut by minimum similarity and a token budget. Each retrieval is
 * logged (memory_retrieval) with what it returned, so an answer can be traced to its memory.
 */
export function createRetriever(d: MemoryDeps & { defaults?: { minSimilarity?: number; recencyHalfLifeDays?: number } }) {
  const now = d.now ?? (() => new Date());
  const sql = d.sql;
  const largeFilters = new Map<string, number>();

  const pending = new Set<Promise<unknown>>();
  // Log rows queued in this turn of the event loop go out in one statement: an agent's searches,
  // run together, cost one write.
  let logs: Array<Record<string, unknown>> = [];
  const writeLogs = () => {
    const rows = logs;
    logs = [];
    if (rows.length === 0) return;
    const write = sql.query(LOG, [JSON.stringify(rows)]);
    pending.add(write);
    void write.catch(() => {}).finally(() => pending.delete(write));
  };
  const retrieve = async function retrieve(input: RetrievalQuery): Promise<RetrievalResult> {
    const q = RetrievalQuerySchema.parse(input);
    const t0 = performance.now();
    const pool = Math.max(q.k * 4, 20);
    const minSim = q.minSimilarity ?? d.defaults?.minSimilarity ?? 0.1;
    const halfLife = q.recencyHalfLifeDays ?? d.defaults?.recencyHalfLifeDays ?? 90;

    // Episode rows as every query below returns them, so the rows already read need no second trip.
    const known = new Map<string, EpisodeHit>();
    const keep = (rows: EpisodeHit[]) => {
      for (const r of rows) known.set(r.id, r);
      return rows;
    };
    const filters = (p: Params) => `${q.entityId ? `AND e.entity_id = ${p.add(q.entityId)}` : ''} ${q.kinds?.length ? `AND e.kind = ANY(${p.add(q.kinds)}::text[])` : ''}`;

    // Lexemes of the question (at most 10); `tq` matches records sharing any pair of them.
    const terms = (x: string) => `l AS (SELECT lexeme FROM unnest(to_tsvector('english', ${x}::text)) LIMIT 10),
        q AS MATERIALIZED (SELECT (SELECT string_agg(format('(%L & %L)', a.lexeme, b.lexeme), ' | ') FROM l a JOIN l b ON a.lexeme < b.lexeme)::tsquery AS tq)`;
    type Candidates = { vector: Array<{ id: string; similarity: number }>; vectorUsed: boolean; text: EpisodeHit[] };

    /**
     * One entity's records, or one rare kind's (past approved replies), are few: with a local
     * embedder they are read in one statement that also ranks them by text, and their vectors are
     * ranked exactly in-process, instead of a metadata-filtered vector-store search (an HTTP round
     * trip; slow at 100k+ vectors) next to a full-text query. The embedder is cached (createMemory),
     * so records seen by an earlier call are not embedded again. Text: how many of the question's
     * (first 10) lexemes a record has, and ts_rank against any of them; records with two or more are
     * the "pairs" of the general path. That costs about half of ranking a query of every lexeme pair
     * per record, at the same recall@5 (0.920 on the bench's entity-filtered queries; a BM25 over the
     * candidates' lexemes in-process was cheaper still but found 0.880). A filter found to match more
     * than LOCAL_MAX records takes the general path for a while without trying again.
     */
    const localPart = async (): Promise<Candidates | null> => {
      const filterKey = `${q.entityId ?? ''}|${[...(q.kinds ?? [])].sort().join(',')}`;
      if (q.mode === 'text' || !(q.entityId || q.kinds?.length) || !d.embedder.local || (largeFilters.get(filterKey) ?? 0) > Date.now()) return null;
      const p = params();
      const query = p.add(q.query);
      const [vec, rows] = await Promise.all([
        d.embedder.embed([q.query]).then((v) => v[0]),
        sql.query<EpisodeHit & { matched: number; score: number }>(
          `WITH ql AS MATERIALIZED (SELECT array_agg(lexeme) AS lx, string_agg(quote_literal(lexeme), ' | ')::tsquery AS oq
                                    FROM (SELECT lexeme FROM unnest(to_tsvector('english', ${query}::text)) LIMIT 10) z)
           SELECT ${COLS}, (SELECT count(*) FROM unnest(tsvector_to_array(e.tsv)) x WHERE x = ANY(ql.lx))::int AS matched, COALESCE(ts_rank(e.tsv, ql.oq), 0) AS score
           FROM memory_episode e, ql WHERE e.redacted_at IS NULL ${filters(p)} ORDER BY e.occurred_at DESC LIMIT ${LOCAL_MAX + 1}`,
          p.values,
        ),
      ]);
      if (rows.length > LOCAL_MAX) {
        largeFilters.set(filterKey, Date.now() + LARGE_FILTER_TTL_MS);
        if (largeFilters.size > 10_000) largeFilters.clear();
        return null;
      }
      keep(rows);
      const vs = await d.embedder.embed(rows.map(episodeText));
      const vector = rows
        .map((o, i) => ({ id: o.id, similarity: dot(vs[i], vec) }))
        .filter((h) => h.similarity >= minSim)
        .sort((x, y) => y.similarity - x.similarity)
        .slice(0, pool);
      if (q.mode === 'vector') return { vector, vectorUsed: true, text: [] };
      // As on the general path: records sharing two of the question's lexemes first, any one only when those are too few.
      const byRank = (minMatched: number) =>
        rows
          .filter((r) => r.matched >= minMatched)
          .sort((x, y) => y.score - x.score || y.occurredAt.getTime() - x.occurredAt.getTime())
          .slice(0, pool);
      const pairs = byRank(2);
      // As on the general path: single-term matches only when pairs find too little and no vector
      // side covers paraphrases (here it always does in hybrid mode).
      if (pairs.length >= q.k || q.mode === 'hybrid') return { vector, vectorUsed: true, text: pairs };
      const seen = new Set(pairs.map((x) => x.id));
      return { vector, vectorUsed: true, text: [...pairs, ...byRank(1).filter((x) => !seen.has(x.id))] };
    };

    const vectorPart = async () => {
      if (q.mode === 'text') return { hits: [] as Array<{ id: string; similarity: number }>, used: false };
      const [vec] = await d.embedder.embed([q.query]);
      const r = await d.vectors.use((s) => s.query(vec, pool, { entityId: q.entityId, kinds: q.kinds }), []);
      return { hits: r.value.filter((h) => h.similarity >= minSim), used: r.used };
    };
    // The best `pool` candidates by text rank (cover density: recall@5 0.73 vs 0.70 with ts_rank on
    // bench/memory-bench.ts across all memory), then their rows (only those: content can be long).
    // Cover density costs about 50 µs a record against the pair query (a common pair matches ~600
    // records: 30 ms), ts_rank about 3 µs: ts_rank picks the best 3×pool first, and only those are
    // ranked by cover density (same recall@5 on the bench, p95 of the text query 21 → 6 ms).
    const ranked = `, pre AS (SELECT c.id, c.tsv, c.occurred_at FROM c, q ORDER BY ts_rank(c.tsv, q.tq) DESC, c.occurred_at DESC LIMIT ${pool * 3}),
        top AS (SELECT p.id, ts_rank_cd(p.tsv, q.tq) AS rank, p.occurred_at FROM pre p, q ORDER BY 2 DESC, 3 DESC LIMIT ${pool})
        SELECT ${COLS} FROM top JOIN memory_episode e ON e.id = top.id ORDER BY top.rank DESC, top.occurred_at DESC`;
    const textPart = async (vectorUp: boolean) => {
      if (q.mode === 'vector') return [] as EpisodeHit[];
      // First episodes sharing at least two of the question's stemmed terms (any pair): precise, and the
      // GIN index keeps it cheap. Only when that finds too little, any single term (a paraphrase may
      // share just one word), which matches many rows and costs more to rank.
      // Filters are spliced in only when given, so the planner can use the (entity_id, occurred_at)
      // index instead of a generic "$1 IS NULL OR …" plan. Ranking is bounded: at most CANDIDATES
      // matches (newest first) are ranked, which keeps a very common term pair from costing a full scan.
      const p1 = params();
      const pairs = keep(await sql.query<EpisodeHit>(`
        WITH ${terms(p1.add(q.query))},
        c AS (SELECT e.id, e.tsv, e.occurred_at FROM memory_episode e, q
              WHERE q.tq IS NOT NULL AND e.tsv @@ q.tq AND e.redacted_at IS NULL ${filters(p1)}
              ORDER BY e.occurred_at DESC LIMIT ${CANDIDATES})
        ${ranked}`, p1.values));
      // In hybrid mode with the vector store up, the vector side covers single-word paraphrases.
      if (pairs.length >= q.k || (q.mode === 'hybrid' && vectorUp)) return pairs;
      const p2 = params();
      const any = keep(await sql.query<EpisodeHit>(`
        WITH q AS MATERIALIZED (SELECT NULLIF(replace(plainto_tsquery('english', ${p2.add(q.query)}::text)::text, '&', '|'), '')::tsquery AS tq),
        c AS (SELECT e.id, e.tsv, e.occurred_at FROM memory_episode e, q
              WHERE q.tq IS NOT NULL AND e.tsv @@ q.tq AND e.redacted_at IS NULL ${filters(p2)}
              ORDER BY e.occurred_at DESC LIMIT ${CANDIDATES})
        ${ranked}`, p2.values));
      const seen = new Set(pairs.map((p) => p.id));
      return [...pairs, ...any.filter((a) => !seen.has(a.id))];
    };
    const local = await localPart();
    const [vp, tp] = local
      ? [{ hits: local.vector, used: local.vectorUsed }, local.text]
      : await Promise.all([vectorPart(), textPart(d.vectors.status().up)]);

    const fused = new Map<string, { score: number; vectorRank: number | null; textRank: number | null; similarity: number | null }>();
    const vw = local || !d.embedder.local ? 1 : OFFLINE_ANN_VECTOR_WEIGHT;
    vp.hits.forEach((h, i) => fused.set(h.id, { score: vw / (RRF_K + i + 1), vectorRank: i + 1, textRank: null, similarity: h.similarity }));
    tp.forEach((h, i) => {
      const f = fused.get(h.id) ?? { score: 0, vectorRank: null, textRank: null, similarity: null };
      f.score += 1 / (RRF_K + i + 1);
      f.textRank = i + 1;
      fused.set(h.id, f);
    });
    // Only hits the vector store named and no query above returned need reading.
    const missing = [...fused.keys()].filter((id) => !known.has(id));
    if (missing.length) keep(await sql.query<EpisodeHit>(`SELECT ${COLS} FROM memory_episode e WHERE e.id = ANY($1::text[]) AND e.redacted_at IS NULL`, [missing]));
    const rows = [...fused.keys()].map((id) => known.get(id)).filter((r): r is EpisodeHit => !!r);
    const at = now().getTime();
    const items: RetrievedItem[] = rows
      .map((r) => {
        const f = fused.get(r.id)!;
        const ageDays = Math.max(0, (at - r.occurredAt.getTime()) / 86_400_000);
        const recency = 0.5 ** (ageDays / halfLife);
        return { episodeId: r.id, entityId: r.entityId, kind: r.kind, title: r.title, content: r.content, source: r.source, provenance: r.provenance, occurredAt: r.occurredAt, score: f.score * (1 - q.recencyWeight + q.recencyWeight * recency), similarity: f.similarity, vectorRank: f.vectorRank, textRank: f.textRank };
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
      logs.push({
        id: retrievalId,
        query: q.query,
        entity_id: q.entityId ?? null,
        params: { k: q.k, minSimilarity: minSim, recencyWeight: q.recencyWeight, halfLife, tokenBudget: q.tokenBudget, kinds: q.kinds ?? null, mode: q.mode },
        results: chosen.map((c) => ({ episodeId: c.episodeId, entityId: c.entityId, score: c.score, similarity: c.similarity, vectorRank: c.vectorRank, textRank: c.textRank })),
        mode,
        latency_ms: Math.round(latencyMs),
        agent: q.agent ?? null,
        run_id: q.runId ?? null,
      });
      if (logs.length === 1) setImmediate(writeLogs);
    }
    return { retrievalId, mode, items: chosen, tokens, latencyMs };
  };
  /** Waits for retrieval-log writes still in flight. */
  const flushLogs = async () => {
    writeLogs();
    await Promise.allSettled([...pending]);
  };
  return Object.assign(retrieve, { flushLogs });
}
