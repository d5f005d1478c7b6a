-- CreateTable
CREATE TABLE "CaseAssignee" (
    "caseId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,

    PRIMARY KEY ("caseId", "staffId"),
    CONSTRAINT "CaseAssignee_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CaseAssignee_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CaseAction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "caseId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "staffId" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CaseAction_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "organisationId" TEXT,
    "passwordHash" TEXT NOT NULL,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT true,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" BIGINT,
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Staff_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StaffSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "createdAt" BIGINT NOT NULL,
    "lastSeenAt" BIGINT NOT NULL,
    CONSTRAINT "StaffSession_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "staffId" TEXT,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" JSONB,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "HandoverMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "staffId" TEXT,
    "createdAt" BIGINT NOT NULL,
    CONSTRAINT "HandoverMessage_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Pair" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organisationId" TEXT,
    "menteeId" TEXT NOT NULL,
    "mentorId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "consultation" JSONB NOT NULL,
    "score" REAL,
    "reason" TEXT,
    "proposedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" DATETIME,
    "endedAt" DATETIME,
    CONSTRAINT "Pair_menteeId_fkey" FOREIGN KEY ("menteeId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Pair_mentorId_fkey" FOREIGN KEY ("mentorId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Case" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "organisationId" TEXT,
    "source" TEXT NOT NULL DEFAULT 'chat',
    "subjectId" TEXT,
    "pairId" TEXT,
    "severity" TEXT,
    "involvesMinor" BOOLEAN NOT NULL DEFAULT false,
    "dueAt" BIGINT,
    "acknowledgedAt" DATETIME,
    "outcome" TEXT,
    "closeApprovedBy" TEXT,
    "closedAt" DATETIME
);
INSERT INTO "new_Case" ("contactOk", "createdAt", "danger", "description", "happened", "id", "kind", "reference", "reporterId", "status", "urgent") SELECT "contactOk", "createdAt", "danger", "description", "happened", "id", "kind", "reference", "reporterId", "status", "urgent" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");
CREATE INDEX "Case_status_urgent_createdAt_idx" ON "Case"("status", "urgent", "createdAt");
CREATE INDEX "Case_organisationId_status_idx" ON "Case"("organisationId", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "CaseAssignee_staffId_idx" ON "CaseAssignee"("staffId");

-- CreateIndex
CREATE INDEX "CaseAction_caseId_at_idx" ON "CaseAction"("caseId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");

-- CreateIndex
CREATE INDEX "StaffSession_staffId_idx" ON "StaffSession"("staffId");

-- CreateIndex
CREATE INDEX "AuditEntry_subject_at_idx" ON "AuditEntry"("subject", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE INDEX "HandoverMessage_personId_id_idx" ON "HandoverMessage"("personId", "id");

-- CreateIndex
CREATE INDEX "Pair_menteeId_idx" ON "Pair"("menteeId");

-- CreateIndex
CREATE INDEX "Pair_mentorId_idx" ON "Pair"("mentorId");

-- CreateIndex
CREATE INDEX "Pair_organisationId_status_idx" ON "Pair"("organisationId", "status");
