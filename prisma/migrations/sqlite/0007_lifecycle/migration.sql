-- CreateTable
CREATE TABLE "MentoringSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "pairId" TEXT NOT NULL,
    "proposedBy" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "minutes" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "place" TEXT,
    "status" TEXT NOT NULL,
    "formal" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MentoringSession_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SessionFeedback" (
    "sessionId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "happened" BOOLEAN NOT NULL,
    "rating" INTEGER,
    "comment" TEXT,
    "progress" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("sessionId", "side"),
    CONSTRAINT "SessionFeedback_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "MentoringSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "personId" TEXT NOT NULL,
    "survey" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL,
    "remindedAt" DATETIME,
    "answeredAt" DATETIME,
    "answers" JSONB,
    "needsCoordinator" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "SurveyResponse_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "purpose" TEXT NOT NULL,
    "dueAt" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "doneAt" BIGINT NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Organisation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "programmeMonths" INTEGER NOT NULL DEFAULT 6,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Organisation" ("createdAt", "id", "name", "slug", "timezone") SELECT "createdAt", "id", "name", "slug", "timezone" FROM "Organisation";
DROP TABLE "Organisation";
ALTER TABLE "new_Organisation" RENAME TO "Organisation";
CREATE UNIQUE INDEX "Organisation_slug_key" ON "Organisation"("slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
