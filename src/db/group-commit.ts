import type { Prisma, Tx } from './client.js';
import { directConnection, directTransactions, inSavepoint, runDirectly, type DirectTarget } from './statements.js';

export type Work<T> = (tx: Tx) => Promise<T>;

export interface RunOptions {
  /**
   * On disk (fsync) before `run` resolves, so that even a power cut cannot lose it: for what is
   * acknowledged to someone outside (a coordinator's form). The default. `false` resolves at
   * commit, for commits that only follow from durable ones (handling a stored event, recording
   * a send) or whose caller calls `flush` itself: a crash of the process still loses nothing,
   * and a power cut can only make them happen again.
   */
  durable?: boolean;
  /**
   * The work runs only the statements of statements.ts (`rows`, `execute`), never a Prisma
   * model call. A batch of such jobs runs without Prisma's transaction: on SQLite straight on
   * the connection, on PostgreSQL on a connection of the pool (webhooks' events, and the
   * outbox's claims and records, hundreds a second in a survey).
   */
  statementsOnly?: boolean;
  /**
   * Joins the next batch that something else starts instead of starting one, and starts one
   * itself only after this many milliseconds: for bookkeeping that can wait (the outbox's
   * records of sends). Every commit writes each page it changed to the log again, and the pages
   * a record changes are mostly the ones the next webhook's replies change: sharing a commit
   * writes them once, and the next fsync has less to put on disk.
   */
  joinWithinMs?: number;
}

interface Job {
  work: Work<unknown>;
  durable: boolean;
  statementsOnly: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export interface GroupCommitter {
  /** Runs `work` in a transaction shared with whatever else is waiting; resolves once committed. */
  run<T>(work: Work<T>, options?: RunOptions): Promise<T>;
  /**
   * Resolves once everything committed so far is on disk: what a webhook waits for before its
   * 200, after the replies it caused have been handed to the outbox.
   */
  flush(): Promise<void>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Transactions committed and jobs run so far: jobs per batch shows how well writes group. */
  stats(): { batches: number; jobs: number };
}

/**
 * What statements-only jobs get for `tx`: their statements run on `target`, and a Prisma call
 * by mistake fails loudly instead of running outside the batch's transaction.
 */
function statementsOnlyTx(target: DirectTarget): Tx {
  const tx = new Proxy({} as Tx, {
    get(_target, key) {
      if (key === 'then') return undefined;
      throw new Error(`a statements-only job used tx.${String(key)}`);
    },
  });
  runDirectly(tx, target);
  return tx;
}

/**
 * Group commit: the writes of many events share one transaction, and so one fsync. Under load
 * the queue fills while a batch commits and the next batch takes everything waiting; with one
 * person typing it costs nothing extra. In a batch of several jobs each runs inside a
 * savepoint, so a job that throws is rolled back alone and the rest of its batch still commits.
 *
 * On SQLite every batch commits without waiting for the disk (synchronous NORMAL in WAL mode),
 * and its durable jobs resolve once the log has been synced, after the turn (wal-sync.ts).
 * PostgreSQL's commits are on disk when they return.
 */
export function createGroupCommitter(prisma: Prisma, options: { maxBatch?: number } = {}): GroupCommitter {
  const maxBatch = options.maxBatch ?? 256;
  const queue: Job[] = [];
  let running: Promise<void> | undefined;
  let batches = 0;
  let jobs = 0;

  const connection = directConnection(prisma);
  const direct = directTransactions(prisma);
  const flush = connection ? () => connection.log.sync() : () => Promise.resolve();

  /**
   * SQLite only lets the safety level change outside a transaction: skip it when one is open.
   * Outside the committer (a Prisma call of its own) commits stay FULL.
   */
  function synchronous(level: 'FULL' | 'NORMAL'): void {
    if (connection && !connection.raw.inTransaction) connection.statement(`PRAGMA synchronous = ${level}`).run();
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    synchronous('NORMAL');
    const runJobs = async (tx: Tx) => {
      // A job alone needs no savepoint: if it throws, its whole transaction is rolled back
      // (two round trips less a message on PostgreSQL).
      if (batch.length === 1) {
        outcomes.push({ ok: true, value: await batch[0]!.work(tx) });
        return;
      }
      for (const job of batch) {
        try {
          outcomes.push({ ok: true, value: await inSavepoint(tx, 'ponte_job', () => job.work(tx)) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
    };
    try {
      if (direct && batch.every((job) => job.statementsOnly)) {
        await direct.transaction((target) => runJobs(statementsOnlyTx(target)));
      } else {
        await prisma.$transaction(
          async (tx) => {
            if (connection) runDirectly(tx, connection);
            await runJobs(tx);
          },
          { maxWait: 60_000, timeout: 60_000 },
        );
      }
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    } finally {
      synchronous('FULL');
    }
    // The next batch need not wait for the disk: only the durable jobs do.
    const synced = batch.some((job) => job.durable) ? flush() : undefined;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) job.reject(outcome.err);
      else if (job.durable && synced) synced.then(() => job.resolve(outcome.value), job.reject);
      else job.resolve(outcome.value);
    });
  }

  /**
   * Starts draining the queue unless it is being drained or is empty. The first batch waits for
   * the rest of this turn of the event loop, so that requests read in the same turn share its
   * transaction.
   */
  function start(): void {
    if (queue.length > 0) running ??= new Promise((next) => setImmediate(next)).then(drain);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      batches += 1;
      jobs += batch.length;
      await runBatch(batch);
    }
    running = undefined;
  }

  return {
    run<T>(work: Work<T>, options: RunOptions = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, durable: options.durable ?? true, statementsOnly: options.statementsOnly ?? false, resolve: resolve as (v: unknown) => void, reject });
        if (options.joinWithinMs === undefined) start();
        else setTimeout(start, options.joinWithinMs);
      });
    },
    flush,
    async idle() {
      // Jobs waiting to join a batch are not kept waiting by someone who waits for them.
      start();
      while (running) await running;
    },
    stats: () => ({ batches, jobs }),
  };
}
