-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "district_id" INTEGER,
ADD COLUMN     "filled_slots" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "offer_batch" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "street_id" INTEGER;

-- AlterTable
ALTER TABLE "task_assignments" ADD COLUMN     "distance_m" INTEGER,
ADD COLUMN     "safety_alerted_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "tasks_grid_id_status_idx" ON "tasks"("grid_id", "status");

-- CreateIndex
CREATE INDEX "tasks_street_id_status_idx" ON "tasks"("street_id", "status");

-- CreateIndex
CREATE INDEX "tasks_district_id_status_idx" ON "tasks"("district_id", "status");

-- CreateIndex
CREATE INDEX "task_assignments_status_expires_at_idx" ON "task_assignments"("status", "expires_at");
