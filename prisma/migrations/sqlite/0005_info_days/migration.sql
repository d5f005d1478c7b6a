-- CreateTable
CREATE TABLE "InfoDay" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organisationId" TEXT,
    "title" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "capacity" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "InfoDay_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InfoDaySignup" (
    "infoDayId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" DATETIME,
    "remindedAt" DATETIME,

    PRIMARY KEY ("infoDayId", "personId"),
    CONSTRAINT "InfoDaySignup_infoDayId_fkey" FOREIGN KEY ("infoDayId") REFERENCES "InfoDay" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "InfoDaySignup_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "InfoDay_startsAt_idx" ON "InfoDay"("startsAt");

-- CreateIndex
CREATE INDEX "InfoDaySignup_personId_idx" ON "InfoDaySignup"("personId");
