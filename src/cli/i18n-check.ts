// `npm run i18n:check [-- --lang xx]`: checks every language's texts against English and the flows.
//
// Fails (exit 1, one line per problem) on: a missing or extra key, a placeholder missing or
// added, a plural category the language needs and lacks, a choice label over WhatsApp's limits
// (button 20, list row 24), or text left in English in another language's file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { flows } from '../../flows/index.js';
import { localesDir } from '../app.js';
import { inboxLocales, inboxLocalesDir } from '../http/inbox/ui.js';

type Tree = { [key: string]: string | Tree };

/** Keys whose value may stay as in English: words people type, brand names. */
const mayMatchEnglish = [
  /^common:commands\./,
  /^common:skip_words$/,
  /^faq:keywords\./,
  /^common:crisis_words$/,
  /^glossary:/,
  // The inbox: product names and words Portuguese shares with English.
  /^common:channel\./,
  /^common:login\.email$/,
  /^common:severity\.normal$/,
  /^common:role\.mentor$/,
  /^common:nav\.switch_language$/,
];
/** i18next's plural suffixes. */
const pluralSuffix = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix: string, out: Map<string, string>): void {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else flatten(v, `${prefix}${k}.`, out);
  }
}

/** Every text of a language, as `namespace:key.path` → text (the bot's by default, or the inbox's). */
export function loadTexts(locale: string, dir = localesDir): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(join(dir, locale)).filter((f) => f.endsWith('.json'))) {
    flatten(JSON.parse(readFileSync(join(dir, locale, file), 'utf8')) as Tree, `${file.slice(0, -5)}:`, out);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/{{\s*([\w.]+)\s*}}/g)].map((m) => m[1]).sort().join(',');

/** The option-label keys of the flows, with how many options share each question. */
function labelKeys(): Map<string, number> {
  const keys = new Map<string, number>();
  for (const flow of flows) {
    for (const step of Object.values(flow.steps)) {
      if (step.expect?.kind !== 'choice' || !('options' in step.expect)) continue;
      const count = step.expect.options.length;
      for (const o of step.expect.options) keys.set(o.label, Math.max(keys.get(o.label) ?? 0, count));
    }
  }
  keys.set('common:done', 24);
  keys.set('common:language.name', 24);
  keys.set('common:language.more', 24);
  return keys;
}

/** The problems of one language, each a line naming the key. */
export function checkLocale(locale: string, english: Map<string, string> = loadTexts('en'), dir = localesDir): string[] {
  const texts = loadTexts(locale, dir);
  const problems: string[] = [];
  const base = (key: string) => key.replace(pluralSuffix, '');
  const englishBases = new Set([...english.keys()].map(base));
  for (const key of english.keys()) {
    if (pluralSuffix.test(key)) continue;
    if (!texts.has(key)) problems.push(`${locale} ${key}: missing`);
  }
  for (const key of texts.keys()) {
    if (!english.has(key) && !englishBases.has(base(key))) problems.push(`${locale} ${key}: not in English (extra key)`);
  }
  // Plurals: English has _one/_other; each language needs exactly the categories CLDR gives it.
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  for (const pluralBase of new Set([...english.keys()].filter((k) => pluralSuffix.test(k)).map(base))) {
    for (const c of categories) if (!texts.has(`${pluralBase}_${c}`)) problems.push(`${locale} ${pluralBase}_${c}: plural category "${c}" missing`);
  }
  for (const [key, value] of texts) {
    const en = english.get(key) ?? english.get(`${base(key)}_other`);
    if (en === undefined) continue;
    if (placeholders(value) !== placeholders(en)) problems.push(`${locale} ${key}: placeholders {${placeholders(value)}} differ from English {${placeholders(en)}}`);
    const words = (text: string) => text.replace(/{{\s*[\w.]+\s*}}/g, '');
    if (locale !== 'en' && value === en && /[A-Za-z]{4}/.test(words(value)) && !mayMatchEnglish.some((re) => re.test(key))) {
      problems.push(`${locale} ${key}: left in English`);
    }
    if (value.trim() === '') problems.push(`${locale} ${key}: empty`);
  }
  for (const [key, options] of dir === localesDir ? labelKeys() : []) {
    const label = texts.get(key);
    const limit = options <= 3 ? 20 : 24;
    if (label !== undefined && [...label].length > limit) problems.push(`${locale} ${key}: label "${label}" is ${[...label].length} characters (WhatsApp allows ${limit})`);
  }
  return problems;
}

function main(): void {
  const { values } = parseArgs({ options: { lang: { type: 'string' } } });
  const locales = readdirSync(localesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((l) => !values.lang || l === values.lang);
  if (locales.length === 0) {
    console.error(`i18n:check: no language "${values.lang}" in locales/`);
    process.exit(2);
  }
  const english = loadTexts('en');
  const problems = locales.flatMap((l) => checkLocale(l, english));
  // The inbox's own words: English and Portuguese, the same keys in both.
  const inboxEnglish = loadTexts('en', inboxLocalesDir);
  const inboxProblems = values.lang ? [] : inboxLocales.flatMap((l) => checkLocale(l, inboxEnglish, inboxLocalesDir).map((p) => `inbox ${p}`));
  for (const p of [...problems, ...inboxProblems]) console.error(p);
  console.log(`i18n:check: ${locales.length} languages, ${english.size} texts each, ${problems.length} problems`);
  console.log(`i18n:check: the inbox in ${inboxLocales.join(' and ')}, ${inboxEnglish.size} texts each, ${inboxProblems.length} problems`);
  process.exit(problems.length + inboxProblems.length > 0 ? 1 : 0);
}

if (process.argv[1]?.endsWith('i18n-check.ts')) main();
