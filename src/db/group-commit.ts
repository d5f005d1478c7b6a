import type { Prisma, Tx } from './client.js';

export type Work<T> = (tx: Tx) => Promise<T>;

interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export interface GroupCommitter {
  /** Runs `work` in a transaction shared with whatever else is waiting; resolves once committed. */
  run<T>(work: Work<T>): Promise<T>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Transactions committed and jobs run so far: jobs per batch shows how well writes group. */
  stats(): { batches: number; jobs: number };
}

/**
 * Group commit: the writes of many events share one transaction, and so one fsync. Under load
 * the queue fills while a batch commits and the next batch takes everything waiting; with one
 * person typing it costs nothing extra. Each job runs inside a savepoint, so a job that throws
 * is rolled back alone and the rest of its batch still commits.
 */
export function createGroupCommitter(prisma: Prisma, options: { maxBatch?: number } = {}): GroupCommitter {
  const maxBatch = options.maxBatch ?? 256;
  const queue: Job[] = [];
  let running: Promise<void> | undefined;
  let batches = 0;
  let jobs = 0;

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      await prisma.$transaction(
        async (tx) => {
          for (const job of batch) {
            await tx.$executeRawUnsafe('SAVEPOINT ponte_job');
            try {
              outcomes.push({ ok: true, value: await job.work(tx) });
              await tx.$executeRawUnsafe('RELEASE SAVEPOINT ponte_job');
            } catch (err) {
              await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT ponte_job');
              await tx.$executeRawUnsafe('RELEASE SAVEPOINT ponte_job');
              outcomes.push({ ok: false, err });
            }
          }
        },
        { maxWait: 60_000, timeout: 60_000 },
      );
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.err);
    });
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
    run<T>(work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        running ??= drain();
      });
    },
    async idle() {
      while (running) await running;
    },
    stats: () => ({ batches, jobs }),
  };
}
