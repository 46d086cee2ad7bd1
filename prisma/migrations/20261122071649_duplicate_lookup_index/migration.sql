-- CreateIndex
CREATE INDEX "tickets_category_id_lat_lng_idx" ON "tickets"("category_id", "lat", "lng");
