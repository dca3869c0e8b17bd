-- Durable core: runs, event log, outbox, approvals, timers, write ledger, schedules, incidents,
-- the operator conversation and inbound de-duplication.

CREATE TABLE "run" (
    "id" TEXT NOT NULL,
    "process" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "state" JSONB NOT NULL,
    "current_step" TEXT,
    "step_seq" INTEGER,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "parent_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "run_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "run_status_check" CHECK ("status" IN ('running','waiting','completed','failed','cancelled'))
);
CREATE UNIQUE INDEX "run_parent_key_key" ON "run"("parent_key");
CREATE INDEX "run_status_updated_at_idx" ON "run"("status", "updated_at");
CREATE INDEX "run_process_created_at_idx" ON "run"("process", "created_at");

CREATE TABLE "run_event" (
    "run_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "step" TEXT,
    "data" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_event_pkey" PRIMARY KEY ("run_id","seq"),
    CONSTRAINT "run_event_seq_check" CHECK ("seq" >= 1)
);
ALTER TABLE "run_event" ADD CONSTRAINT "run_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The log is append-only: the database refuses updates (deletes stay possible for retention and cascades).
CREATE FUNCTION "run_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'run_event is append-only';
END $$;
CREATE TRIGGER "run_event_no_update" BEFORE UPDATE ON "run_event" FOR EACH ROW EXECUTE FUNCTION "run_event_append_only"();

CREATE TABLE "blob" (
    "hash" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "size" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "blob_pkey" PRIMARY KEY ("hash")
);

CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "outbox_job_id_idx" ON "outbox"("job_id");
CREATE INDEX "outbox_pending_idx" ON "outbox"("id") WHERE "dispatched_at" IS NULL;

CREATE TABLE "approval" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "options" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "decision" TEXT,
    "decided_by" TEXT,
    "decided_via" TEXT,
    "reason" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "approval_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "approval_status_check" CHECK ("status" IN ('pending','decided','expired','cancelled'))
);
CREATE INDEX "approval_status_created_at_idx" ON "approval"("status", "created_at");
ALTER TABLE "approval" ADD CONSTRAINT "approval_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "timer" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "approval_id" TEXT,
    "expect_seq" INTEGER NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "fired_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    CONSTRAINT "timer_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "timer_due_at_idx" ON "timer"("due_at");

CREATE TABLE "write_ledger" (
    "key" TEXT NOT NULL,
    "run_id" TEXT,
    "step" TEXT,
    "connector" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "request_digest" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "external_id" TEXT,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "write_ledger_pkey" PRIMARY KEY ("key"),
    CONSTRAINT "write_ledger_status_check" CHECK ("status" IN ('started','succeeded','failed','unknown'))
);
CREATE INDEX "write_ledger_run_id_idx" ON "write_ledger"("run_id");

CREATE TABLE "schedule" (
    "id" TEXT NOT NULL,
    "process" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "catch_up" TEXT NOT NULL DEFAULT 'latest',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "schedule_firing" (
    "schedule_id" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "run_id" TEXT NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_firing_pkey" PRIMARY KEY ("schedule_id","due_at")
);
ALTER TABLE "schedule_firing" ADD CONSTRAINT "schedule_firing_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "incident" (
    "id" TEXT NOT NULL,
    "run_id" TEXT,
    "step" TEXT,
    "code" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "input" JSONB,
    "history" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "incident_status_created_at_idx" ON "incident"("status", "created_at");

CREATE TABLE "operator_message" (
    "id" BIGSERIAL NOT NULL,
    "direction" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "approval_id" TEXT,
    "reply_to" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "operator_message_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "operator_message_approval_id_idx" ON "operator_message"("approval_id");

CREATE TABLE "message_delivery" (
    "message_id" BIGINT NOT NULL,
    "surface" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "external_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "message_delivery_pkey" PRIMARY KEY ("message_id","surface","chat_id")
);
ALTER TABLE "message_delivery" ADD CONSTRAINT "message_delivery_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "operator_message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "inbound_receipt" (
    "surface" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbound_receipt_pkey" PRIMARY KEY ("surface","key")
);

CREATE TABLE "setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "setting_pkey" PRIMARY KEY ("key")
);
