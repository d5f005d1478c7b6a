import type { Tx } from './client.js';

export interface JobKey {
  /** what the job does, e.g. reminder-24h */
  purpose: string;
  /** what it is about and which occurrence, e.g. <session id>:<starts at> */
  subject: string;
  /** epoch ms when it became due */
  dueAt: number;
}

const keyOf = (job: JobKey) => `${job.purpose}:${job.subject}`;

/**
 * Runs `work` for a job only if no one has yet: the job's row is inserted in the same
 * transaction as the work's writes, and the key is unique, so a repeated tick, a restart in the
 * middle or a second instance (which waits on the key, then finds it taken) never does it twice.
 * Returns whether this call did the work.
 */
export async function runOnce(tx: Tx, job: JobKey, now: number, work: () => Promise<void>): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO "Job" ("key", "purpose", "dueAt", "status", "doneAt")
    VALUES (${keyOf(job)}, ${job.purpose}, ${BigInt(job.dueAt)}, 'done', ${BigInt(now)})
    ON CONFLICT ("key") DO NOTHING`;
  if (inserted === 0) return false;
  await work();
  return true;
}

/** Records a job as dropped (it came too late to be useful), so it is not tried again. */
export async function dropStale(tx: Tx, job: JobKey, now: number): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO "Job" ("key", "purpose", "dueAt", "status", "doneAt")
    VALUES (${keyOf(job)}, ${job.purpose}, ${BigInt(job.dueAt)}, 'stale', ${BigInt(now)})
    ON CONFLICT ("key") DO NOTHING`;
  return inserted > 0;
}

/** Whether the job was done or dropped already (a cheap check before building its work). */
export async function jobTaken(tx: Tx, job: Pick<JobKey, 'purpose' | 'subject'>): Promise<boolean> {
  return (await tx.job.count({ where: { key: `${job.purpose}:${job.subject}` } })) > 0;
}
