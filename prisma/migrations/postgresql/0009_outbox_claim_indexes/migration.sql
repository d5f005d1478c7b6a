-- DropIndex
DROP INDEX "OutboxMessage_status_dueAt_idx";

-- DropIndex
DROP INDEX "OutboxMessage_channel_address_id_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_status_id_idx" ON "OutboxMessage"("status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_address_status_id_idx" ON "OutboxMessage"("channel", "address", "status", "id");
