-- CreateTable
CREATE TABLE "RateWindow" (
    "key" TEXT NOT NULL,
    "second" BIGINT NOT NULL,
    "used" INTEGER NOT NULL,

    PRIMARY KEY ("key", "second")
);
