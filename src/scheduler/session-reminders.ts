import { formatWhen } from '../core/context.js';
import type { Translator } from '../core/i18n.js';
import { isQuiet, type QuietHours } from '../core/time.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { dropStale, runOnce } from '../db/jobs.js';
import { enqueueText, localeOf } from '../db/outbox.js';
import { upcomingConfirmedSessions } from '../db/sessions.js';
import { personTimeZone } from '../core/registration.js';

const HOUR = 3600_000;
/** The two reminders before a session: a day before, and two hours before. */
export const reminders = [
  { purpose: 'session-reminder-24h', before: 24 * HOUR, key: 'sessions:reminder_24h' },
  { purpose: 'session-reminder-2h', before: 2 * HOUR, key: 'sessions:reminder_2h' },
] as const;

export interface ReminderDeps {
  committer: GroupCommitter;
  translator: Translator;
  programmeTimezone: string;
  quietHours: QuietHours;
}

/**
 * Queues the reminders that are due at `now` for confirmed sessions, to both people, in their
 * language and time zone. A reminder waits out the person's quiet hours; one whose moment has
 * passed (the day-before one once the two-hour one is due; any once the session has begun, which
 * the query leaves out) is dropped, not sent late. Each reminder is a job with a unique key (the
 * session, the person and the start time, so a moved session is reminded again), written with
 * its message: a repeated tick, a restart or another instance sends nothing twice.
 */
export async function sendSessionReminders(deps: ReminderDeps, now: Date): Promise<number> {
  const { committer, translator: t, programmeTimezone, quietHours } = deps;
  return committer.run(async (tx) => {
    let queued = 0;
    for (const session of await upcomingConfirmedSessions(tx, now, reminders[0].before)) {
      const startsAt = session.startsAt.getTime();
      for (const [i, reminder] of reminders.entries()) {
        const dueAt = startsAt - reminder.before;
        if (now.getTime() < dueAt) continue;
        const later = reminders[i + 1];
        for (const [side, person] of [['mentee', session.pair.mentee], ['mentor', session.pair.mentor]] as const) {
          const job = { purpose: reminder.purpose, subject: `${session.id}:${person.id}:${startsAt}`, dueAt };
          if (later && now.getTime() >= startsAt - later.before) {
            await dropStale(tx, job, now.getTime());
            continue;
          }
          const timeZone = personTimeZone(person, programmeTimezone);
          if (isQuiet(now, timeZone, quietHours)) continue;
          const locale = localeOf(person, t);
          const other = side === 'mentee' ? 'mentor' : 'mentee';
          const text = t.t(locale, reminder.key, {
            when: formatWhen(session.startsAt.toISOString(), locale, timeZone),
            minutes: session.minutes,
            where: session.mode === 'online' ? t.t(locale, 'sessions:online') : (session.place ?? t.t(locale, 'sessions:in_person')),
            with: t.t(locale, `sessions:your_${other}`),
          });
          const done = await runOnce(tx, job, now.getTime(), () =>
            enqueueText(tx, person, locale, text),
          );
          if (done) queued += 1;
        }
      }
    }
    return queued;
  });
}
