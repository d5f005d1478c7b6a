-- CreateTable
CREATE TABLE "InfoDay" (
    "id" TEXT NOT NULL,
    "organisationId" TEXT,
    "title" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "capacity" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InfoDay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InfoDaySignup" (
    "infoDayId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),

    CONSTRAINT "InfoDaySignup_pkey" PRIMARY KEY ("infoDayId","personId")
);

-- CreateIndex
CREATE INDEX "InfoDay_startsAt_idx" ON "InfoDay"("startsAt");

-- CreateIndex
CREATE INDEX "InfoDaySignup_personId_idx" ON "InfoDaySignup"("personId");

-- AddForeignKey
ALTER TABLE "InfoDay" ADD CONSTRAINT "InfoDay_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfoDaySignup" ADD CONSTRAINT "InfoDaySignup_infoDayId_fkey" FOREIGN KEY ("infoDayId") REFERENCES "InfoDay"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfoDaySignup" ADD CONSTRAINT "InfoDaySignup_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
