import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n } from 'i18next';

/** Languages written right to left; values inside their sentences are isolated (see `translate`). */
const rtlLanguages = new Set(['ar', 'fa', 'ps', 'ur', 'he']);

/** First strong isolate and pop directional isolate: keep a Latin name or a number upright in Arabic. */
const FSI = '\u2068';
const PDI = '\u2069';

export interface Translator {
  /** The languages with a folder in `locales/`, sorted. */
  readonly locales: readonly string[];
  readonly defaultLocale: string;
  /** The sentence for `key` in `locale`, with `vars` filled in. */
  t(locale: string, key: string, vars?: Record<string, string | number>): string;
  has(locale: string, key: string): boolean;
  isRtl(locale: string): boolean;
}

/**
 * Loads every `locales/<lang>/<namespace>.json` at start (a few hundred kilobytes at most) and
 * returns a translator bound to one i18next instance.
 */
export function createTranslator(localesDir: string, defaultLocale: string): Translator {
  const locales = readdirSync(localesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(localesDir, d.name, 'common.json')))
    .map((d) => d.name)
    .sort();
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const locale of locales) {
    resources[locale] = {};
    for (const file of readdirSync(join(localesDir, locale)).filter((f) => f.endsWith('.json'))) {
      const ns = file.slice(0, -'.json'.length);
      namespaces.add(ns);
      resources[locale]![ns] = JSON.parse(readFileSync(join(localesDir, locale, file), 'utf8'));
    }
  }
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: resources as never,
    ns: [...namespaces],
    defaultNS: 'common',
    fallbackLng: defaultLocale,
    supportedLngs: locales,
    // Our texts are plain chat text, not HTML: escaping would show "&amp;" to a person.
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  const isRtl = (locale: string) => rtlLanguages.has(locale.split('-')[0]!);
  /**
   * Sentences without values, by locale and key. Only for the languages loaded, so that the
   * map stays bounded whatever tag a platform sends.
   */
  const plain = new Map<string, string>();
  const loaded = new Set(locales);
  return {
    locales,
    defaultLocale,
    isRtl,
    has: (locale, key) => instance.exists(key, { lng: locale, fallbackLng: false }),
    t(locale, key, vars = {}) {
      // i18next looks a key up through namespaces, fallbacks and interpolation on every call; a
      // sentence without values never changes once loaded, and a turn asks for the same option
      // labels and questions again and again.
      if (Object.keys(vars).length === 0 && loaded.has(locale)) {
        const memoKey = `${locale}\u0000${key}`;
        let text = plain.get(memoKey);
        if (text === undefined) {
          text = instance.t(key, { lng: locale }) as string;
          plain.set(memoKey, text);
        }
        return text;
      }
      const values = isRtl(locale)
        ? Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? `${FSI}${v}${PDI}` : v]))
        : vars;
      return instance.t(key, { lng: locale, ...values }) as string;
    },
  };
}
