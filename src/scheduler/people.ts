import type { Translator } from '../core/i18n.js';
import { Registration } from '../core/registration.js';

/** What the scheduler needs of a person to write to them at a good time in their language. */
export interface Recipient {
  id: string;
  channel: string;
  address: string;
  locale: string | null;
  registration: unknown;
  organisation: { timezone: string } | null;
}

/** The person's own time zone, else their organisation's, else the programme's. */
export function timeZoneOf(person: Recipient, programmeTimezone: string): string {
  return Registration.safeParse(person.registration).data?.timeZone ?? person.organisation?.timezone ?? programmeTimezone;
}

export function localeOf(person: Recipient, translator: Translator): string {
  return person.locale ?? translator.defaultLocale;
}
