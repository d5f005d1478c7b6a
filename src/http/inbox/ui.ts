import { createTranslator, type Translator } from '../../core/i18n.js';
import { projectPath } from '../../paths.js';

/** The inbox's own languages: its staff read English or Portuguese (the bot speaks many more). */
export const inboxLocales = ['en', 'pt'] as const;
export type InboxLocale = (typeof inboxLocales)[number];

export const inboxLocalesDir = projectPath('src', 'http', 'inbox', 'locales');

export function createInboxTranslator(): Translator {
  return createTranslator(inboxLocalesDir, 'en');
}

/** The inbox's words for one staff member: `t('queue.title')`. */
export type T = (key: string, vars?: Record<string, string | number>) => string;

export function bind(translator: Translator, locale: string): T {
  return (key, vars) => translator.t(locale, key, vars);
}

/** The language for a page before sign-in, from the browser's Accept-Language. */
export function localeFromHeader(header: string | undefined): InboxLocale {
  const first = (header ?? '').split(',').map((part) => part.trim().slice(0, 2).toLowerCase());
  return (first.find((l): l is InboxLocale => (inboxLocales as readonly string[]).includes(l)) ?? 'en');
}
