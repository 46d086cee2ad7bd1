-- CreateTable
CREATE TABLE "ticket_followers" (
    "id" SERIAL NOT NULL,
    "ticket_id" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_followers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ticket_followers_token_hash_key" ON "ticket_followers"("token_hash");

-- CreateIndex
CREATE INDEX "ticket_followers_ticket_id_idx" ON "ticket_followers"("ticket_id");

-- CreateIndex
CREATE INDEX "tickets_tracking_token_hash_idx" ON "tickets"("tracking_token_hash");

-- AddForeignKey
ALTER TABLE "ticket_followers" ADD CONSTRAINT "ticket_followers_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
