import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/events.js';
import type { Db, Tx } from '../../src/db/client.js';
import { Prisma as P } from '../../src/db/generated/sqlite/client.js';
import { createGroupCommitter } from '../../src/db/group-commit.js';
import { createWalSync } from '../../src/db/wal-sync.js';
import { enqueueMessages } from '../../src/db/outbox.js';
import { directConnection, execute, jsonValue, rows } from '../../src/db/statements.js';
import { databases, openTestDb } from '../helpers/databases.js';

const survey: OutboundMessage = { kind: 'text', locale: 'en', text: 'How did this month go?' };

describe.each(databases)('the group committer on $name', ({ name, create, skip }) => {
  let db: Db;

  beforeEach(async () => {
    if (!skip) db = await openTestDb(await create());
  });
  afterEach(async () => {
    if (!skip) await db.close();
  });

  const queued = () => db.prisma.outboxMessage.findMany({ orderBy: { id: 'asc' }, select: { address: true, status: true } });
  const queue = (address: string) => (tx: Tx) => enqueueMessages(tx, { channel: 'double', address, personId: null }, [survey], Date.now());

  it.skipIf(skip)('commits statements-only jobs together, and undoes a failing one alone', async () => {
    const committer = createGroupCommitter(db.prisma);
    const results = await Promise.allSettled([
      committer.run(queue('a'), { statementsOnly: true, durable: false }),
      committer.run(
        async (tx) => {
          await queue('b')(tx);
          throw new Error('this job fails after its insert');
        },
        { statementsOnly: true },
      ),
      committer.run(queue('c'), { statementsOnly: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committer.stats()).toEqual({ batches: 1, jobs: 3 });
    expect((await queued()).map((r) => r.address)).toEqual(['a', 'c']);
  });

  it.skipIf(skip)('undoes a job alone in its batch that fails, with or without a Prisma transaction', async () => {
    const committer = createGroupCommitter(db.prisma);
    for (const statementsOnly of [true, false]) {
      const failing = committer.run(
        async (tx) => {
          await queue('lost')(tx);
          throw new Error('this job fails after its insert');
        },
        { statementsOnly },
      );
      await expect(failing).rejects.toThrow('this job fails after its insert');
    }
    await committer.run(queue('kept'));
    expect(committer.stats()).toEqual({ batches: 3, jobs: 3 });
    expect((await queued()).map((r) => r.address)).toEqual(['kept']);
  });

  it.skipIf(skip)('turns down a Prisma call in a statements-only job rather than run it outside the transaction', async () => {
    const committer = createGroupCommitter(db.prisma);
    const run = committer.run(
      async (tx) => {
        await queue('a')(tx);
        return tx.outboxMessage.count();
      },
      { statementsOnly: true },
    );
    await expect(run).rejects.toThrow('a statements-only job used tx.outboxMessage');
    expect(await queued()).toEqual([]);
  });

  it.skipIf(skip)('lets a Prisma transaction started meanwhile wait for a statements-only batch, and both commit', async () => {
    const committer = createGroupCommitter(db.prisma);
    let letGo!: () => void;
    const holding = new Promise<void>((resolve) => (letGo = resolve));
    const batch = committer.run(
      async (tx) => {
        await queue('first')(tx);
        await holding;
        await execute(tx, P.sql`UPDATE "OutboxMessage" SET "status" = 'failed' WHERE "address" = 'first'`);
      },
      { statementsOnly: true },
    );
    // Let the batch begin, then start a Prisma transaction of its own while the batch is open.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const other = db.prisma.$transaction((tx) => enqueueMessages(tx, { channel: 'double', address: 'second', personId: null }, [survey], Date.now()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    letGo();
    await Promise.all([batch, other]);
    expect(await queued()).toEqual([
      { address: 'first', status: 'failed' },
      { address: 'second', status: 'pending' },
    ]);
  });

  // SQLite only: there both kinds of transaction share one connection and take turns; on
  // PostgreSQL each has a connection of its own and the database orders them.
  it.skipIf(skip || name !== 'sqlite')('lets a statements-only batch wait for a Prisma transaction that is open, and both commit', async () => {
    const committer = createGroupCommitter(db.prisma);
    let letGo!: () => void;
    const holding = new Promise<void>((resolve) => (letGo = resolve));
    const other = db.prisma.$transaction(async (tx) => {
      await queue('first')(tx);
      await holding;
      await tx.outboxMessage.updateMany({ where: { address: 'first' }, data: { status: 'failed' } });
    });
    // Let the Prisma transaction begin, then start a batch while it is open.
    await new Promise((resolve) => setTimeout(resolve, 20));
    let batchDone = false;
    const batch = committer.run(queue('second'), { statementsOnly: true }).then(() => (batchDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batchDone).toBe(false);
    letGo();
    await Promise.all([batch, other]);
    expect(await queued()).toEqual([
      { address: 'first', status: 'failed' },
      { address: 'second', status: 'pending' },
    ]);
  });

  it.skipIf(skip || name !== 'sqlite')('resolves a durable job once the log is on disk, and the rest of its batch at commit', async () => {
    const log = directConnection(db.prisma)!.log;
    const realSync = log.sync;
    let syncs = 0;
    let onDisk!: () => void;
    log.sync = () => {
      syncs += 1;
      return new Promise<void>((resolve) => (onDisk = resolve)).then(realSync);
    };
    const committer = createGroupCommitter(db.prisma);
    const settled: string[] = [];
    const durable = committer.run(queue('durable')).then(() => settled.push('durable'));
    const relaxed = committer.run(queue('relaxed'), { durable: false }).then(() => settled.push('relaxed'));
    await relaxed;
    // Both are committed (another connection would read them); only the durable one waits.
    expect((await queued()).map((r) => r.address)).toEqual(['durable', 'relaxed']);
    expect(settled).toEqual(['relaxed']);
    expect(syncs).toBe(1);
    onDisk();
    await durable;
    expect(settled).toEqual(['relaxed', 'durable']);
    // A batch with nothing durable does not sync at all.
    await committer.run(queue('later'), { durable: false });
    expect(syncs).toBe(1);
    log.sync = realSync;
  });

  it.skipIf(skip)('lets a job that can wait join the next batch, or commit alone once its wait is over', async () => {
    const committer = createGroupCommitter(db.prisma);
    const later = committer.run(queue('record'), { statementsOnly: true, durable: false, joinWithinMs: 60_000 });
    await new Promise((r) => setTimeout(r, 50));
    expect(committer.stats()).toEqual({ batches: 0, jobs: 0 });
    await Promise.all([later, committer.run(queue('reply'), { statementsOnly: true })]);
    expect(committer.stats()).toEqual({ batches: 1, jobs: 2 });
    // Nothing else comes: it commits alone after its wait.
    await committer.run(queue('alone'), { statementsOnly: true, durable: false, joinWithinMs: 20 });
    expect(committer.stats()).toEqual({ batches: 2, jobs: 3 });
    expect((await queued()).map((r) => r.address)).toEqual(['record', 'reply', 'alone']);
  });

  it.skipIf(skip)('does not keep someone waiting for the committer to be idle behind a job that can wait', async () => {
    const committer = createGroupCommitter(db.prisma);
    const later = committer.run(queue('record'), { statementsOnly: true, durable: false, joinWithinMs: 60_000 });
    await committer.idle();
    await later;
    expect((await queued()).map((r) => r.address)).toEqual(['record']);
  });
});

describe.each(databases)('hand-written statements on $name', ({ create, skip }) => {
  let db: Db;

  beforeEach(async () => {
    if (!skip) db = await openTestDb(await create());
  });
  afterEach(async () => {
    if (!skip) await db.close();
  });

  it.skipIf(skip)('write and read the same values in a statements-only batch as through Prisma', async () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const person = { id: 'p1', channel: 'telegram', address: '42', localeConfirmed: true, consentAt: at, registration: { city: 'Lisboa', languages: ['pt', 'uk'] } };
    const committer = createGroupCommitter(db.prisma);
    const select = P.sql`SELECT "id", "localeConfirmed", "consentAt", "registration", "lastInboundAt" FROM "Person" WHERE "id" = ${person.id}`;
    const direct = await committer.run(
      async (tx) => {
        await execute(
          tx,
          P.sql`INSERT INTO "Person" ("id", "channel", "address", "localeConfirmed", "consentAt", "registration") VALUES (${person.id}, ${person.channel}, ${person.address}, ${person.localeConfirmed}, ${at}, ${jsonValue(db.dialect, person.registration)})`,
        );
        await enqueueMessages(tx, { channel: 'double', address: '42', personId: person.id }, [survey], 1_700_000_000_123);
        return {
          person: await rows(tx, select),
          outbox: await rows(tx, P.sql`SELECT "dueAt", "attempts", "payload" FROM "OutboxMessage"`),
        };
      },
      { statementsOnly: true },
    );
    // What Prisma stored and reads is what the direct path wrote and read.
    expect(await db.prisma.person.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject(person);
    if (db.dialect === 'postgresql') {
      expect(direct.person).toEqual(await db.prisma.$queryRaw(select));
      expect(direct.outbox).toEqual(await db.prisma.$queryRaw(P.sql`SELECT "dueAt", "attempts", "payload" FROM "OutboxMessage"`));
      expect(direct.outbox).toEqual([{ dueAt: 1_700_000_000_123n, attempts: 0, payload: survey }]);
    }
  });
});

describe('the write-ahead log sync', () => {
  it('syncs a log that is there, for every caller waiting, and passes over a log that is not', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ponte-wal-'));
    const missing = createWalSync(join(folder, 'none.db'));
    await expect(missing.sync()).resolves.toBeUndefined();
    writeFileSync(join(folder, 'some.db-wal'), 'frames');
    const present = createWalSync(join(folder, 'some.db'));
    await expect(Promise.all([present.sync(), present.sync(), present.sync()])).resolves.toHaveLength(3);
    present.close();
    missing.close();
  });

  it('passes an error of the disk on to every caller waiting for it', async () => {
    // A folder where the log should be: opening it for writing fails as a broken disk would.
    const folder = mkdtempSync(join(tmpdir(), 'ponte-wal-'));
    mkdirSync(join(folder, 'broken.db-wal'));
    const broken = createWalSync(join(folder, 'broken.db'));
    const results = await Promise.allSettled([broken.sync(), broken.sync()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
