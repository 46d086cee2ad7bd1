-- AlterTable
ALTER TABLE "categories" ADD COLUMN     "attributes" JSONB;

-- AlterTable
ALTER TABLE "tickets" ADD COLUMN     "attributes" JSONB,
ADD COLUMN     "media_url" TEXT;

-- CreateTable
CREATE TABLE "open311_api_keys" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "open311_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "open311_api_keys_key_hash_key" ON "open311_api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "open311_api_keys_created_by_id_idx" ON "open311_api_keys"("created_by_id");

-- CreateIndex
CREATE INDEX "ticket_events_created_at_idx" ON "ticket_events"("created_at");

-- AddForeignKey
ALTER TABLE "open311_api_keys" ADD CONSTRAINT "open311_api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
