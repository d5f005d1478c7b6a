-- CreateTable
CREATE TABLE "Assessment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "personId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "answers" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Assessment_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "reporterId" TEXT,
    "kind" TEXT NOT NULL,
    "happened" TEXT NOT NULL,
    "danger" BOOLEAN NOT NULL,
    "description" TEXT NOT NULL,
    "contactOk" BOOLEAN NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'new',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Person" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "locale" TEXT,
    "localeConfirmed" BOOLEAN NOT NULL DEFAULT false,
    "consent" TEXT,
    "consentAt" DATETIME,
    "role" TEXT,
    "source" TEXT,
    "organisationId" TEXT,
    "lastInboundAt" DATETIME,
    "unreachableAt" DATETIME,
    "registration" JSONB,
    "needs" JSONB,
    "surveysOff" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Person_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Person" ("address", "channel", "consent", "consentAt", "createdAt", "id", "lastInboundAt", "locale", "localeConfirmed", "organisationId", "role", "source", "unreachableAt") SELECT "address", "channel", "consent", "consentAt", "createdAt", "id", "lastInboundAt", "locale", "localeConfirmed", "organisationId", "role", "source", "unreachableAt" FROM "Person";
DROP TABLE "Person";
ALTER TABLE "new_Person" RENAME TO "Person";
CREATE INDEX "Person_organisationId_idx" ON "Person"("organisationId");
CREATE UNIQUE INDEX "Person_channel_address_key" ON "Person"("channel", "address");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Assessment_personId_kind_idx" ON "Assessment"("personId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");

-- CreateIndex
CREATE INDEX "Case_status_urgent_createdAt_idx" ON "Case"("status", "urgent", "createdAt");
