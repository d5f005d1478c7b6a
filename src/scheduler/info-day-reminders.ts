import { formatWhen } from '../core/context.js';
import { defaultQuietHours, isQuiet, type QuietHours } from '../core/time.js';
import { personTimeZone } from '../core/registration.js';
import type { Translator } from '../core/i18n.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { dueInfoDayReminders } from '../db/info-days.js';
import { enqueueText, localeOf } from '../db/outbox.js';

/** Reminders go out from a day before; quiet hours push them to the morning. */
const AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * Queues the day-before reminder for every signup whose info day starts within 24 hours, in the
 * person's language and their organisation's time zone, outside quiet hours (21:00–08:00 there).
 * Each reminder and its `remindedAt` commit together, so a run that dies sends nothing twice.
 * Returns how many were queued.
 */
export async function sendInfoDayReminders(
  deps: { committer: GroupCommitter; translator: Translator; programmeTimezone: string; quietHours?: QuietHours },
  now: Date,
): Promise<number> {
  const { committer, translator: t, programmeTimezone, quietHours = defaultQuietHours } = deps;
  return committer.run(async (tx) => {
    let queued = 0;
    for (const signup of await dueInfoDayReminders(tx, now, AHEAD_MS)) {
      // The person's own zone, else the info day's organisation's (where it takes place).
      const timeZone = personTimeZone({ registration: signup.person.registration, organisation: signup.infoDay.organisation }, programmeTimezone);
      if (isQuiet(now, timeZone, quietHours)) continue;
      const locale = localeOf(signup.person, t);
      const text = t.t(locale, 'infodays:reminder', {
        title: signup.infoDay.title,
        when: formatWhen(signup.infoDay.startsAt.toISOString(), locale, timeZone),
        place: signup.infoDay.place,
      });
      // `now` decides what is due; the message itself goes out at once.
      await enqueueText(tx, signup.person, locale, text);
      await tx.infoDaySignup.update({ where: { infoDayId_personId: { infoDayId: signup.infoDayId, personId: signup.personId } }, data: { remindedAt: now } });
      queued += 1;
    }
    return queued;
  });
}
