-- CreateTable
CREATE TABLE "SupervisionSlot" (
    "id" TEXT NOT NULL,
    "organisationId" TEXT,
    "staffId" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "minutes" INTEGER NOT NULL,
    "place" TEXT NOT NULL,
    "mentorId" TEXT,
    "bookedAt" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SupervisionSlot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SupervisionSlot_organisationId_startsAt_idx" ON "SupervisionSlot"("organisationId", "startsAt");

-- CreateIndex
CREATE INDEX "SupervisionSlot_mentorId_idx" ON "SupervisionSlot"("mentorId");

-- AddForeignKey
ALTER TABLE "SupervisionSlot" ADD CONSTRAINT "SupervisionSlot_mentorId_fkey" FOREIGN KEY ("mentorId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
