-- Erasure (/forget, issue 12): a name, its e-mail addresses and phone numbers are rewritten to
-- "[forgotten]" in every store. The event log stays append-only for everything else: the trigger lets
-- an UPDATE through only inside coo_redact_run_event, only for an erasure that is recorded and still
-- open, and only of the payload (run_id, seq, type, step and at stay). The erasure row records when, who
-- and how many values each store held before and after; never the subject, which would be a trace.
CREATE TABLE "erasure" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "counts" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "erasure_pkey" PRIMARY KEY ("id")
);

CREATE OR REPLACE FUNCTION "run_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e TEXT := current_setting('coo.erasure_id', true);
BEGIN
  IF coalesce(e, '') <> ''
     AND NEW.run_id = OLD.run_id AND NEW.seq = OLD.seq AND NEW.type = OLD.type
     AND NEW.step IS NOT DISTINCT FROM OLD.step AND NEW.at = OLD.at
     AND EXISTS (SELECT 1 FROM "erasure" WHERE "id" = e AND "finished_at" IS NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'run_event is append-only';
END $$;

-- The one path that may rewrite an event's payload. The setting is transaction-local and cleared
-- before returning, so nothing else in the transaction inherits it.
CREATE FUNCTION "coo_redact_run_event"(p_erasure TEXT, p_run TEXT, p_seq INTEGER, p_data JSONB) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('coo.erasure_id', p_erasure, true);
  UPDATE "run_event" SET "data" = p_data WHERE "run_id" = p_run AND "seq" = p_seq;
  PERFORM set_config('coo.erasure_id', '', true);
END $$;
