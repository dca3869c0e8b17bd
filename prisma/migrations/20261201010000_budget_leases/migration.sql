-- Budget leases (agents/budget/budget.lease.ts): a process holds a reservation of headroom per
-- envelope set and draws call estimates from it in-process; the actual cost of each call is settled
-- against the lease in the same statement as the call record. A lease is a `budget_reservation` row
-- (id `lease:<uuid>`) whose amount moves: topped up here, settled and released below. Every change to
-- `reserved_usd` goes with the same change to the lease row, so reserved_usd stays the sum of what
-- reservations and leases hold, and a cap is checked against spent + reserved exactly as before.

-- The capped envelopes' current caps as one string: a lease drawn under other caps must not be used.
CREATE FUNCTION "coo_budget_caps_fp"(p_scopes TEXT[]) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_agg(c."scope" || '/' || c."period" || '=' || c."cap_usd"::text, ',' ORDER BY c."scope", c."period"), '')
  FROM "budget_cap" c WHERE c."scope" = ANY(p_scopes)
$$;

-- Takes or tops up a lease. `p_need` must fit in every envelope (else nothing changes and fits is
-- false: the call does not fit); the grant is max(need, min(want, frac × the smallest headroom)),
-- so near a cap it is exactly the need. `p_fp`: the caps the caller's lease was drawn under (null for
-- a new lease); when they changed, nothing changes and `stale` tells the caller to start a new lease.
CREATE FUNCTION "coo_budget_lease"(p_id TEXT, p_scopes TEXT[], p_day TEXT, p_month TEXT, p_need NUMERIC, p_want NUMERIC, p_frac NUMERIC, p_fp TEXT)
RETURNS TABLE ("fits" BOOLEAN, "stale" BOOLEAN, "granted" NUMERIC, "fp" TEXT, "scope" TEXT, "period" TEXT, "period_key" TEXT, "cap_usd" NUMERIC, "spent_usd" NUMERIC, "reserved_usd" NUMERIC)
LANGUAGE plpgsql AS $$
DECLARE
  ok BOOLEAN := TRUE;
  r RECORD;
  head NUMERIC := NULL;
  g NUMERIC := 0;
  cur_fp TEXT := "coo_budget_caps_fp"(p_scopes);
  sc TEXT[] := '{}'; pe TEXT[] := '{}'; pk TEXT[] := '{}';
  ca NUMERIC[] := '{}'; sp NUMERIC[] := '{}'; rs NUMERIC[] := '{}';
BEGIN
  -- Lock order everywhere: the reservation (lease) row first, then the usage rows by (scope, period).
  PERFORM 1 FROM "budget_reservation" WHERE "id" = p_id FOR UPDATE;
  IF p_fp IS NOT NULL AND p_fp IS DISTINCT FROM cur_fp THEN
    RETURN QUERY SELECT FALSE, TRUE, 0::numeric, cur_fp, NULL::text, NULL::text, NULL::text, NULL::numeric, NULL::numeric, NULL::numeric;
    RETURN;
  END IF;
  INSERT INTO "budget_usage" ("scope", "period", "period_key")
    SELECT c."scope", c."period", CASE c."period" WHEN 'day' THEN p_day ELSE p_month END FROM "budget_cap" c WHERE c."scope" = ANY(p_scopes)
    ON CONFLICT DO NOTHING;
  FOR r IN
    SELECT u."scope" AS s, u."period" AS p, u."period_key" AS k, c."cap_usd" AS cap, u."spent_usd" AS spent, u."reserved_usd" AS held
    FROM "budget_cap" c
    JOIN "budget_usage" u ON u."scope" = c."scope" AND u."period" = c."period" AND u."period_key" = CASE c."period" WHEN 'day' THEN p_day ELSE p_month END
    WHERE c."scope" = ANY(p_scopes)
    ORDER BY u."scope", u."period", u."period_key"
    FOR UPDATE OF u
  LOOP
    IF r.spent + r.held + p_need > r.cap THEN ok := FALSE; END IF;
    head := LEAST(coalesce(head, r.cap - r.spent - r.held), r.cap - r.spent - r.held);
    sc := sc || r.s; pe := pe || r.p; pk := pk || r.k; ca := ca || r.cap; sp := sp || r.spent; rs := rs || r.held;
  END LOOP;
  IF head IS NULL THEN RETURN; END IF; -- nothing capped: no lease, no row
  IF ok THEN
    g := round(GREATEST(p_need, LEAST(p_want, p_frac * GREATEST(head, 0))), 6);
    IF g > 0 THEN
      UPDATE "budget_usage" u SET "reserved_usd" = u."reserved_usd" + g, "updated_at" = now()
        FROM unnest(sc, pe, pk) AS e(s, p, k)
        WHERE u."scope" = e.s AND u."period" = e.p AND u."period_key" = e.k;
      INSERT INTO "budget_reservation" ("id", "envelopes", "amount_usd", "status", "settled_at")
        SELECT p_id, jsonb_agg(jsonb_build_object('scope', e.s, 'period', e.p, 'periodKey', e.k)), g, 'reserved', now()
        FROM unnest(sc, pe, pk) AS e(s, p, k)
      ON CONFLICT ("id") DO UPDATE SET "amount_usd" = "budget_reservation"."amount_usd" + EXCLUDED."amount_usd", "settled_at" = now();
    END IF;
  END IF;
  RETURN QUERY SELECT ok, FALSE, g, cur_fp, x.a, x.b, x.c, x.d, x.e, x.f FROM unnest(sc, pe, pk, ca, sp, rs) AS x(a, b, c, d, e, f);
END $$;

-- Settles one call drawn from a lease: the actual cost moves from the lease into `spent` (reserved
-- goes down by at most what the lease still holds). A lease no longer held (released by
-- releaseStale) still records the spend. Returns whether the lease is live and the current caps.
CREATE FUNCTION "coo_budget_lease_settle"(p_id TEXT, p_actual NUMERIC)
RETURNS TABLE ("live" BOOLEAN, "fp" TEXT) LANGUAGE plpgsql AS $$
DECLARE
  res RECORD;
  e JSONB;
  moved NUMERIC;
BEGIN
  SELECT "amount_usd", "envelopes", "status" INTO res FROM "budget_reservation" WHERE "id" = p_id FOR UPDATE;
  IF NOT FOUND THEN RETURN QUERY SELECT FALSE, NULL::text; RETURN; END IF;
  moved := CASE WHEN res."status" = 'reserved' THEN LEAST(p_actual, res."amount_usd") ELSE 0 END;
  UPDATE "budget_reservation" SET "amount_usd" = "amount_usd" - moved, "actual_usd" = coalesce("actual_usd", 0) + p_actual, "settled_at" = now() WHERE "id" = p_id;
  FOR e IN SELECT x.value FROM jsonb_array_elements(res."envelopes") AS x ORDER BY x.value->>'scope', x.value->>'period' LOOP
    UPDATE "budget_usage" SET "reserved_usd" = GREATEST(0, "reserved_usd" - moved), "spent_usd" = "spent_usd" + p_actual, "updated_at" = now()
      WHERE "scope" = e->>'scope' AND "period" = e->>'period' AND "period_key" = e->>'periodKey';
  END LOOP;
  RETURN QUERY SELECT res."status" = 'reserved', "coo_budget_caps_fp"(ARRAY(SELECT DISTINCT x.value->>'scope' FROM jsonb_array_elements(res."envelopes") AS x));
END $$;

-- Gives back part of a lease (its unused headroom); with p_close, the lease ends (status released).
CREATE FUNCTION "coo_budget_lease_release"(p_id TEXT, p_amount NUMERIC, p_close BOOLEAN)
RETURNS NUMERIC LANGUAGE plpgsql AS $$
DECLARE
  res RECORD;
  e JSONB;
  moved NUMERIC;
BEGIN
  SELECT "amount_usd", "envelopes" INTO res FROM "budget_reservation" WHERE "id" = p_id AND "status" = 'reserved' FOR UPDATE;
  IF NOT FOUND THEN RETURN 0; END IF;
  moved := LEAST(GREATEST(p_amount, 0), res."amount_usd");
  UPDATE "budget_reservation" SET "amount_usd" = "amount_usd" - moved, "settled_at" = now(),
    "status" = CASE WHEN p_close AND "amount_usd" - moved <= 0 THEN 'released' ELSE "status" END WHERE "id" = p_id;
  FOR e IN SELECT x.value FROM jsonb_array_elements(res."envelopes") AS x ORDER BY x.value->>'scope', x.value->>'period' LOOP
    UPDATE "budget_usage" SET "reserved_usd" = GREATEST(0, "reserved_usd" - moved), "updated_at" = now()
      WHERE "scope" = e->>'scope' AND "period" = e->>'period' AND "period_key" = e->>'periodKey';
  END LOOP;
  RETURN moved;
END $$;
