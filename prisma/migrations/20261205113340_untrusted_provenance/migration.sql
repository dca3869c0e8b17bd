-- Provenance of memory records: text that came from outside (mail, OCR, documents, file names, model
-- output) stays marked untrusted wherever it is reused, and so does a summary derived from it.
-- Existing rows default to untrusted: nothing written before this migration can claim the operator wrote it.
ALTER TABLE "memory_episode" ADD COLUMN "provenance" TEXT NOT NULL DEFAULT 'untrusted';
ALTER TABLE "memory_episode" ADD CONSTRAINT "memory_episode_provenance_check" CHECK ("provenance" IN ('system', 'operator', 'untrusted'));
ALTER TABLE "memory_entity" ADD COLUMN "summary_provenance" TEXT NOT NULL DEFAULT 'untrusted';
ALTER TABLE "memory_entity" ADD CONSTRAINT "memory_entity_summary_provenance_check" CHECK ("summary_provenance" IN ('system', 'operator', 'untrusted'));
