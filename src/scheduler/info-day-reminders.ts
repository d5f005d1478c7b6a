import { formatWhen } from '../core/context.js';
import { Registration } from '../core/registration.js';
import type { Translator } from '../core/i18n.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { dueInfoDayReminders } from '../db/info-days.js';
import { enqueueMessages } from '../db/outbox.js';

/** Reminders go out from a day before; quiet hours push them to the morning. */
const AHEAD_MS = 24 * 60 * 60 * 1000;
export const QUIET_FROM = 21;
export const QUIET_UNTIL = 8;

/** The hour of the day in a time zone. */
function hourIn(timeZone: string, at: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone }).format(at));
}

/**
 * Queues the day-before reminder for every signup whose info day starts within 24 hours, in the
 * person's language and their organisation's time zone, outside quiet hours (21:00–08:00 there).
 * Each reminder and its `remindedAt` commit together, so a run that dies sends nothing twice.
 * Returns how many were queued.
 */
export async function sendInfoDayReminders(deps: { committer: GroupCommitter; translator: Translator; programmeTimezone: string }, now: Date): Promise<number> {
  const { committer, translator: t, programmeTimezone } = deps;
  return committer.run(async (tx) => {
    let queued = 0;
    for (const signup of await dueInfoDayReminders(tx, now, AHEAD_MS)) {
      const registered = Registration.safeParse(signup.person.registration).data;
      const timeZone = registered?.timeZone ?? signup.infoDay.organisation?.timezone ?? programmeTimezone;
      const hour = hourIn(timeZone, now);
      if (hour >= QUIET_FROM || hour < QUIET_UNTIL) continue;
      const locale = signup.person.locale ?? t.defaultLocale;
      const text = t.t(locale, 'infodays:reminder', {
        title: signup.infoDay.title,
        when: formatWhen(signup.infoDay.startsAt.toISOString(), locale, timeZone),
        place: signup.infoDay.place,
      });
      // `now` decides what is due; the message itself goes out at once.
      await enqueueMessages(tx, { channel: signup.person.channel, address: signup.person.address, personId: signup.personId }, [{ kind: 'text', locale, text }], Date.now());
      await tx.infoDaySignup.update({ where: { infoDayId_personId: { infoDayId: signup.infoDayId, personId: signup.personId } }, data: { remindedAt: now } });
      queued += 1;
    }
    return queued;
  });
}
