-- AI layer (issue 6): model-call log, price table, budgets with reservations, long-term memory
-- (entities, facts, episodes with full-text), retrieval log and retention policies.

CREATE TABLE "model_call" (
    "id" TEXT NOT NULL,
    "agent" TEXT,
    "process" TEXT,
    "run_id" TEXT,
    "step" TEXT,
    "tier" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "response" JSONB,
    "output" TEXT,
    "tokens_in" INTEGER NOT NULL DEFAULT 0,
    "tokens_out" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    "latency_ms" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "purpose" TEXT NOT NULL DEFAULT 'first_pass',
    "entity_ids" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "replay_of" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "model_call_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "model_call_created_at_idx" ON "model_call"("created_at");
CREATE INDEX "model_call_process_created_at_idx" ON "model_call"("process", "created_at");
CREATE INDEX "model_call_run_id_idx" ON "model_call"("run_id");

CREATE TABLE "model_price" (
    "model" TEXT NOT NULL,
    "input_per_m" DECIMAL(12,6) NOT NULL,
    "output_per_m" DECIMAL(12,6) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "model_price_pkey" PRIMARY KEY ("model")
);

CREATE TABLE "budget_cap" (
    "scope" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "cap_usd" DECIMAL(14,6) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "budget_cap_pkey" PRIMARY KEY ("scope","period"),
    CONSTRAINT "budget_cap_period_check" CHECK ("period" IN ('day','month'))
);

CREATE TABLE "budget_usage" (
    "scope" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "period_key" TEXT NOT NULL,
    "spent_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    "reserved_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "budget_usage_pkey" PRIMARY KEY ("scope","period","period_key"),
    CONSTRAINT "budget_usage_nonneg_check" CHECK ("spent_usd" >= 0 AND "reserved_usd" >= 0)
);

CREATE TABLE "budget_reservation" (
    "id" TEXT NOT NULL,
    "envelopes" JSONB NOT NULL,
    "amount_usd" DECIMAL(14,6) NOT NULL,
    "actual_usd" DECIMAL(14,6),
    "status" TEXT NOT NULL,
    "call_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),
    CONSTRAINT "budget_reservation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "budget_reservation_status_check" CHECK ("status" IN ('reserved','settled','released'))
);
CREATE INDEX "budget_reservation_status_created_at_idx" ON "budget_reservation"("status", "created_at");

CREATE TABLE "memory_entity" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "aliases" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "summary" TEXT NOT NULL DEFAULT '',
    "summary_covers" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "summary_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_entity_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "memory_entity_kind_name_key_key" ON "memory_entity"("kind", "name_key");

CREATE TABLE "memory_fact" (
    "id" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "episode_id" TEXT,
    "confidence" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "valid_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_to" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_fact_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "memory_fact_entity_id_key_idx" ON "memory_fact"("entity_id", "key");
ALTER TABLE "memory_fact" ADD CONSTRAINT "memory_fact_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "memory_entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "memory_episode" (
    "id" TEXT NOT NULL,
    "entity_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "content" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "run_id" TEXT,
    "files" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "data" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "embedded_at" TIMESTAMPTZ(3),
    "redacted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', "title" || ' ' || "content")) STORED,
    CONSTRAINT "memory_episode_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "memory_episode_entity_id_occurred_at_idx" ON "memory_episode"("entity_id", "occurred_at");
CREATE INDEX "memory_episode_kind_occurred_at_idx" ON "memory_episode"("kind", "occurred_at");
CREATE INDEX "memory_episode_tsv_idx" ON "memory_episode" USING GIN ("tsv");
ALTER TABLE "memory_episode" ADD CONSTRAINT "memory_episode_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "memory_entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "memory_retrieval" (
    "id" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "entity_id" TEXT,
    "params" JSONB NOT NULL,
    "results" JSONB NOT NULL,
    "mode" TEXT NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "agent" TEXT,
    "run_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_retrieval_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "memory_retrieval_entity_id_idx" ON "memory_retrieval"("entity_id");
CREATE INDEX "memory_retrieval_created_at_idx" ON "memory_retrieval"("created_at");

CREATE TABLE "memory_retention" (
    "kind" TEXT NOT NULL,
    "keep_days" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "memory_retention_pkey" PRIMARY KEY ("kind"),
    CONSTRAINT "memory_retention_action_check" CHECK ("action" IN ('delete','summarize')),
    CONSTRAINT "memory_retention_keep_days_check" CHECK ("keep_days" >= 0)
);
INSERT INTO "memory_retention" ("kind", "keep_days", "action") VALUES
    ('message', 90, 'summarize'),
    ('invoice', 2557, 'delete'),
    ('note', 365, 'summarize'),
    ('retrieval_log', 30, 'delete'),
    ('model_call', 90, 'delete');

-- Budget reservation in one round trip: lock the envelopes' usage rows in a fixed order, check every
-- cap, and reserve in all of them or none. Returns one row per envelope with what was found; `fits`
-- says whether the reservation was made.
CREATE FUNCTION "coo_budget_reserve"(p_id TEXT, p_scopes TEXT[], p_periods TEXT[], p_keys TEXT[], p_amount NUMERIC)
RETURNS TABLE ("fits" BOOLEAN, "scope" TEXT, "period" TEXT, "period_key" TEXT, "cap_usd" NUMERIC, "spent_usd" NUMERIC, "reserved_usd" NUMERIC)
LANGUAGE plpgsql AS $$
DECLARE
  ok BOOLEAN := TRUE;
  r RECORD;
  sc TEXT[] := '{}'; pe TEXT[] := '{}'; pk TEXT[] := '{}';
  ca NUMERIC[] := '{}'; sp NUMERIC[] := '{}'; rs NUMERIC[] := '{}';
BEGIN
  INSERT INTO "budget_usage" ("scope", "period", "period_key")
    SELECT * FROM unnest(p_scopes, p_periods, p_keys) ON CONFLICT DO NOTHING;
  FOR r IN
    SELECT u."scope" AS s, u."period" AS p, u."period_key" AS k, c."cap_usd" AS cap, u."spent_usd" AS spent, u."reserved_usd" AS held
    FROM "budget_usage" u
    JOIN unnest(p_scopes, p_periods, p_keys) AS e(s, p, k) ON u."scope" = e.s AND u."period" = e.p AND u."period_key" = e.k
    JOIN "budget_cap" c ON c."scope" = u."scope" AND c."period" = u."period"
    ORDER BY u."scope", u."period", u."period_key"
    FOR UPDATE OF u
  LOOP
    IF r.spent + r.held + p_amount > r.cap THEN ok := FALSE; END IF;
    sc := sc || r.s; pe := pe || r.p; pk := pk || r.k; ca := ca || r.cap; sp := sp || r.spent; rs := rs || r.held;
  END LOOP;
  IF ok THEN
    UPDATE "budget_usage" u SET "reserved_usd" = u."reserved_usd" + p_amount, "updated_at" = now()
      FROM unnest(p_scopes, p_periods, p_keys) AS e(s, p, k)
      WHERE u."scope" = e.s AND u."period" = e.p AND u."period_key" = e.k;
    INSERT INTO "budget_reservation" ("id", "envelopes", "amount_usd", "status")
      SELECT p_id, coalesce(jsonb_agg(jsonb_build_object('scope', e.s, 'period', e.p, 'periodKey', e.k)), '[]'::jsonb), p_amount, 'reserved'
      FROM unnest(p_scopes, p_periods, p_keys) AS e(s, p, k);
  END IF;
  RETURN QUERY SELECT ok, x.a, x.b, x.c, x.d, x.e, x.f FROM unnest(sc, pe, pk, ca, sp, rs) AS x(a, b, c, d, e, f);
END $$;

-- Settles (actual cost) or releases a reservation exactly once, in one round trip.
CREATE FUNCTION "coo_budget_finish"(p_id TEXT, p_status TEXT, p_actual NUMERIC, p_call_id TEXT)
RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
  res RECORD;
  e JSONB;
BEGIN
  UPDATE "budget_reservation" SET "status" = p_status, "actual_usd" = p_actual, "call_id" = p_call_id, "settled_at" = now()
    WHERE "id" = p_id AND "status" = 'reserved' RETURNING "amount_usd", "envelopes" INTO res;
  IF NOT FOUND THEN RETURN FALSE; END IF;
  FOR e IN SELECT x.value FROM jsonb_array_elements(res."envelopes") AS x ORDER BY x.value->>'scope', x.value->>'period' LOOP
    UPDATE "budget_usage" SET "reserved_usd" = GREATEST(0, "reserved_usd" - res."amount_usd"), "spent_usd" = "spent_usd" + p_actual, "updated_at" = now()
      WHERE "scope" = e->>'scope' AND "period" = e->>'period' AND "period_key" = e->>'periodKey';
  END LOOP;
  RETURN TRUE;
END $$;
