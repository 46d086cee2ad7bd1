-- AlterTable
ALTER TABLE "ticket_followers" ADD COLUMN     "user_id" INTEGER;

-- CreateIndex
CREATE INDEX "ticket_followers_user_id_idx" ON "ticket_followers"("user_id");

-- AddForeignKey
ALTER TABLE "ticket_followers" ADD CONSTRAINT "ticket_followers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
