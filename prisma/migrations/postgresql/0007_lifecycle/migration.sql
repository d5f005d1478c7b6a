-- AlterTable
ALTER TABLE "Organisation" ADD COLUMN     "programmeMonths" INTEGER NOT NULL DEFAULT 6;

-- CreateTable
CREATE TABLE "MentoringSession" (
    "id" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "proposedBy" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "minutes" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "place" TEXT,
    "status" TEXT NOT NULL,
    "formal" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MentoringSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionFeedback" (
    "sessionId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "happened" BOOLEAN NOT NULL,
    "rating" INTEGER,
    "comment" TEXT,
    "progress" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SessionFeedback_pkey" PRIMARY KEY ("sessionId","side")
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "survey" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "remindedAt" TIMESTAMP(3),
    "answeredAt" TIMESTAMP(3),
    "answers" JSONB,
    "needsCoordinator" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "key" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "dueAt" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "doneAt" BIGINT NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "MentoringSession_pairId_startsAt_idx" ON "MentoringSession"("pairId", "startsAt");

-- CreateIndex
CREATE INDEX "MentoringSession_status_startsAt_idx" ON "MentoringSession"("status", "startsAt");

-- CreateIndex
CREATE INDEX "SurveyResponse_survey_period_idx" ON "SurveyResponse"("survey", "period");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyResponse_personId_survey_period_key" ON "SurveyResponse"("personId", "survey", "period");

-- CreateIndex
CREATE INDEX "Job_purpose_dueAt_idx" ON "Job"("purpose", "dueAt");

-- AddForeignKey
ALTER TABLE "MentoringSession" ADD CONSTRAINT "MentoringSession_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionFeedback" ADD CONSTRAINT "SessionFeedback_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "MentoringSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyResponse" ADD CONSTRAINT "SurveyResponse_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
