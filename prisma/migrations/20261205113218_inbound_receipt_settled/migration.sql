-- An inbound receipt is settled only together with the answer to the work it stands for: a delivery whose
-- work was cut short (a crash, a PostgreSQL restart, a failed step of the work) stays 'received', and its
-- redelivery does the work instead of being dropped. Rows from before were all settled.
ALTER TABLE "inbound_receipt" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'done';
-- The operator's message recorded for this delivery, so a redelivery does not show it twice.
ALTER TABLE "inbound_receipt" ADD COLUMN "message_id" BIGINT;
-- Who took a once-only claim (a Slack file seen in two events): the same delivery may take it again.
ALTER TABLE "inbound_receipt" ADD COLUMN "claimed_by" TEXT;
ALTER TABLE "inbound_receipt" ADD COLUMN "settled_at" TIMESTAMPTZ(3);
