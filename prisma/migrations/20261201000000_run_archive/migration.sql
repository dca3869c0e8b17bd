-- Bounded growth of finished runs: after the archive policy's age, a finished run's event log is
-- compacted into one gzip'd row here and its run_event rows are deleted; the run row (the snapshot)
-- stays, and reading a run's events reads the archive transparently.
CREATE TABLE "run_archive" (
    "run_id" TEXT NOT NULL,
    "events" BYTEA NOT NULL,
    "event_count" INTEGER NOT NULL,
    "raw_bytes" INTEGER NOT NULL,
    "archived_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_archive_pkey" PRIMARY KEY ("run_id")
);
ALTER TABLE "run_archive" ADD CONSTRAINT "run_archive_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "run_finished_at_idx" ON "run"("finished_at");
