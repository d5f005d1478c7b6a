-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "unreachableAt" TIMESTAMP(3);
