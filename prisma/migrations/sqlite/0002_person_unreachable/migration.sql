-- AlterTable
ALTER TABLE "Person" ADD COLUMN "unreachableAt" DATETIME;
