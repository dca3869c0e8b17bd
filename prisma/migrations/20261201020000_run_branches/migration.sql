-- Parallel branches: a step can start child runs and wait for all of them (a join). Each child names
-- its parent; when a child reaches a final status, a notification wakes the parent's join at once
-- (the background pass is the safety net for a notification nobody heard).
ALTER TABLE "run" ADD COLUMN "parent_run_id" TEXT;
ALTER TABLE "run" ADD CONSTRAINT "run_parent_run_id_fkey" FOREIGN KEY ("parent_run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "run_parent_run_id_idx" ON "run"("parent_run_id");

CREATE FUNCTION coo_notify_branch_done() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('coo_branch_done', NEW.parent_run_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Every way a run can finish (the one-statement hot path included) updates this row, so the trigger sees them all.
CREATE TRIGGER run_branch_done AFTER UPDATE OF status ON "run"
  FOR EACH ROW WHEN (NEW.parent_run_id IS NOT NULL AND NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION coo_notify_branch_done();
