import { Prisma as P } from './generated/sqlite/client.js';
import type { Tx } from './client.js';
import { execute } from './statements.js';

export interface JobKey {
  /** what the job does, e.g. reminder-24h */
  purpose: string;
  /** what it is about and which occurrence, e.g. <session id>:<starts at> */
  subject: string;
  /** epoch ms when it became due */
  dueAt: number;
}

/** Takes the job's key with this outcome; false when someone already took it. */
async function take(tx: Tx, job: JobKey, status: 'done' | 'stale', now: number): Promise<boolean> {
  const inserted = await execute(
    tx,
    P.sql`
    INSERT INTO "Job" ("key", "purpose", "dueAt", "status", "doneAt")
    VALUES (${`${job.purpose}:${job.subject}`}, ${job.purpose}, ${BigInt(job.dueAt)}, ${status}, ${BigInt(now)})
    ON CONFLICT ("key") DO NOTHING`,
  );
  return inserted > 0;
}

/**
 * Runs `work` for a job only if no one has yet: the job's row is inserted in the same
 * transaction as the work's writes, and the key is unique, so a repeated tick, a restart in the
 * middle or a second instance (which waits on the key, then finds it taken) never does it twice.
 * Returns whether this call did the work.
 */
export async function runOnce(tx: Tx, job: JobKey, now: number, work: () => Promise<void>): Promise<boolean> {
  if (!(await take(tx, job, 'done', now))) return false;
  await work();
  return true;
}

/** Records a job as dropped (it came too late to be useful), so it is not tried again. */
export function dropStale(tx: Tx, job: JobKey, now: number): Promise<boolean> {
  return take(tx, job, 'stale', now);
}
