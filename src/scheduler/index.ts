import cron from 'node-cron';
import type { Translator } from '../core/i18n.js';
import { systemClock, type Clock, type QuietHours } from '../core/time.js';
import type { GroupCommitter } from '../db/group-commit.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { sendInfoDayReminders } from './info-day-reminders.js';
import { askForFeedback, inviteToSupervision, nudgePairs, sendMonthlySurveys, startClosures, type LifecycleJobDeps } from './lifecycle-jobs.js';
import { sendSessionReminders } from './session-reminders.js';

export interface Scheduler {
  stop(): void;
}


export interface SchedulerDeps extends LifecycleJobDeps {
  committer: GroupCommitter;
  translator: Translator;
  programmeTimezone: string;
  quietHours: QuietHours;
  log: Logger;
  metrics: Metrics;
  onOutbound(): void;
  clock?: Clock;
}

/** A scheduled job: how often node-cron wakes it, and what it does at `now` (how many messages it queued). */
interface ScheduledJob {
  name: string;
  cron: string;
  run(deps: SchedulerDeps, now: Date): Promise<number>;
}

export const jobs: readonly ScheduledJob[] = [
  { name: 'info-day-reminders', cron: '*/10 * * * *', run: sendInfoDayReminders },
  { name: 'session-reminders', cron: '* * * * *', run: sendSessionReminders },
  { name: 'session-feedback', cron: '*/5 * * * *', run: askForFeedback },
  { name: 'cadence-nudges', cron: '7 * * * *', run: nudgePairs },
  { name: 'monthly-surveys', cron: '*/15 * * * *', run: sendMonthlySurveys },
  { name: 'closures', cron: '17 * * * *', run: startClosures },
  { name: 'supervision', cron: '*/15 * * * *', run: inviteToSupervision },
];

/** Runs one job at `now`, logging and counting; a failure is logged and the next tick tries again. */
export async function runJob(job: ScheduledJob, deps: SchedulerDeps, now: Date): Promise<number> {
  try {
    const queued = await job.run(deps, now);
    if (queued > 0) {
      deps.log.info({ job: job.name, queued }, 'messages queued');
      deps.onOutbound();
    }
    return queued;
  } catch (err) {
    deps.log.error({ err, job: job.name }, 'scheduled job failed');
    return 0;
  }
}

/**
 * The scheduled jobs. node-cron only decides when to look; what is due is worked out from the
 * data at that moment, and every message is a job with a unique key written in the same
 * transaction, so several instances, a repeated tick or a run after downtime send nothing twice
 * (and what came due while the service was down goes out once, or is dropped when stale).
 */
export function startScheduler(deps: SchedulerDeps): Scheduler {
  const clock = deps.clock ?? systemClock;
  const tasks = jobs.map((job) =>
    cron.schedule(job.cron, async (ctx) => {
      deps.metrics.jobLagSeconds.set({ job: job.name }, Math.max(0, (ctx.triggeredAt.getTime() - ctx.date.getTime()) / 1000));
      await runJob(job, deps, clock.now());
    }),
  );
  return {
    stop() {
      for (const task of tasks) void task.stop();
    },
  };
}
