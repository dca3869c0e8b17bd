-- Approvals that ask the same question of the operator for several runs (a budget cap that paused
-- them all) share a group key: the question is posted once, and its decision decides every pending
-- approval of the group (coordinator/systems/approval.system.ts).
ALTER TABLE "approval" ADD COLUMN "group_key" TEXT;
CREATE INDEX "approval_group_key_status_idx" ON "approval"("group_key", "status");
