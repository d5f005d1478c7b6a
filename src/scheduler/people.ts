import type { Translator } from '../core/i18n.js';

/** What the scheduler needs of a person to write to them at a good time in their language. */
export interface Recipient {
  id: string;
  channel: string;
  address: string;
  locale: string | null;
  registration: unknown;
  organisation: { timezone: string } | null;
}

export function localeOf(person: Recipient, translator: Translator): string {
  return person.locale ?? translator.defaultLocale;
}
