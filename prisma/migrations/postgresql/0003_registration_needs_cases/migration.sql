-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "needs" JSONB,
ADD COLUMN     "registration" JSONB,
ADD COLUMN     "surveysOff" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Assessment" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "answers" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Assessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Case" (
    "id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "reporterId" TEXT,
    "kind" TEXT NOT NULL,
    "happened" TEXT NOT NULL,
    "danger" BOOLEAN NOT NULL,
    "description" TEXT NOT NULL,
    "contactOk" BOOLEAN NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'new',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Assessment_personId_kind_idx" ON "Assessment"("personId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");

-- CreateIndex
CREATE INDEX "Case_status_urgent_createdAt_idx" ON "Case"("status", "urgent", "createdAt");

-- AddForeignKey
ALTER TABLE "Assessment" ADD CONSTRAINT "Assessment_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
