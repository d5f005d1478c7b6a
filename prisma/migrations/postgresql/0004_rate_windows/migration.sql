-- CreateTable
CREATE TABLE "RateWindow" (
    "key" TEXT NOT NULL,
    "second" BIGINT NOT NULL,
    "used" INTEGER NOT NULL,

    CONSTRAINT "RateWindow_pkey" PRIMARY KEY ("key","second")
);
