-- CreateIndex
CREATE INDEX "tickets_duplicate_of_id_idx" ON "tickets"("duplicate_of_id");

-- CreateIndex
CREATE INDEX "tasks_ticket_id_idx" ON "tasks"("ticket_id");
