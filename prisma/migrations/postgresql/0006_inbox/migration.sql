-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "acknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "closeApprovedBy" TEXT,
ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "dueAt" BIGINT,
ADD COLUMN     "involvesMinor" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "organisationId" TEXT,
ADD COLUMN     "outcome" TEXT,
ADD COLUMN     "pairId" TEXT,
ADD COLUMN     "severity" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'chat',
ADD COLUMN     "subjectId" TEXT;

-- CreateTable
CREATE TABLE "CaseAssignee" (
    "caseId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,

    CONSTRAINT "CaseAssignee_pkey" PRIMARY KEY ("caseId","staffId")
);

-- CreateTable
CREATE TABLE "CaseAction" (
    "id" SERIAL NOT NULL,
    "caseId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "staffId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "organisationId" TEXT,
    "passwordHash" TEXT NOT NULL,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT true,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" BIGINT,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffSession" (
    "id" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "createdAt" BIGINT NOT NULL,
    "lastSeenAt" BIGINT NOT NULL,

    CONSTRAINT "StaffSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" SERIAL NOT NULL,
    "staffId" TEXT,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandoverMessage" (
    "id" SERIAL NOT NULL,
    "personId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "staffId" TEXT,
    "createdAt" BIGINT NOT NULL,

    CONSTRAINT "HandoverMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pair" (
    "id" TEXT NOT NULL,
    "organisationId" TEXT,
    "menteeId" TEXT NOT NULL,
    "mentorId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "consultation" JSONB NOT NULL,
    "score" DOUBLE PRECISION,
    "reason" TEXT,
    "proposedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Pair_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Case_organisationId_status_idx" ON "Case"("organisationId", "status");

-- AddForeignKey
ALTER TABLE "CaseAssignee" ADD CONSTRAINT "CaseAssignee_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseAssignee" ADD CONSTRAINT "CaseAssignee_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseAction" ADD CONSTRAINT "CaseAction_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffSession" ADD CONSTRAINT "StaffSession_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HandoverMessage" ADD CONSTRAINT "HandoverMessage_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pair" ADD CONSTRAINT "Pair_menteeId_fkey" FOREIGN KEY ("menteeId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pair" ADD CONSTRAINT "Pair_mentorId_fkey" FOREIGN KEY ("mentorId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
