import cron from 'node-cron';
import type { Translator } from '../core/i18n.js';
import type { GroupCommitter } from '../db/group-commit.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { sendInfoDayReminders } from './info-day-reminders.js';

export interface Scheduler {
  stop(): void;
}

/**
 * The scheduled jobs, with node-cron. Each job is idempotent (what it sends is recorded in the
 * same transaction), so several instances running it, or a run repeated after a crash, send
 * nothing twice.
 */
export function startScheduler(deps: {
  committer: GroupCommitter;
  translator: Translator;
  programmeTimezone: string;
  log: Logger;
  metrics: Metrics;
  onOutbound(): void;
}): Scheduler {
  const { log, metrics } = deps;
  const every10Minutes = cron.schedule('*/10 * * * *', async (ctx) => {
    metrics.jobLagSeconds.set({ job: 'info-day-reminders' }, Math.max(0, (ctx.triggeredAt.getTime() - ctx.date.getTime()) / 1000));
    try {
      const queued = await sendInfoDayReminders(deps, new Date());
      if (queued > 0) {
        log.info({ job: 'info-day-reminders', queued }, 'reminders queued');
        deps.onOutbound();
      }
    } catch (err) {
      log.error({ err, job: 'info-day-reminders' }, 'scheduled job failed');
    }
  });
  return {
    stop() {
      void every10Minutes.stop();
    },
  };
}
