-- CreateTable
CREATE TABLE "SupervisionSlot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organisationId" TEXT,
    "staffId" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "minutes" INTEGER NOT NULL,
    "place" TEXT NOT NULL,
    "mentorId" TEXT,
    "bookedAt" DATETIME,
    "remindedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SupervisionSlot_mentorId_fkey" FOREIGN KEY ("mentorId") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SupervisionSlot_organisationId_startsAt_idx" ON "SupervisionSlot"("organisationId", "startsAt");

-- CreateIndex
CREATE INDEX "SupervisionSlot_mentorId_idx" ON "SupervisionSlot"("mentorId");
