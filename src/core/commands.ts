import type { InboundContent } from './events.js';
import type { Translator } from './i18n.js';

/** The global commands: they work at any step of any flow. */
export const commandNames = ['start', 'menu', 'back', 'report', 'language', 'help', 'stop'] as const;
export type CommandName = (typeof commandNames)[number];

export interface Command {
  name: CommandName;
  payload?: string;
}

/** The zeros of the digit sets people type on their phones: Arabic-Indic, Persian, Devanagari, Bengali. */
const digitZeros = [0x0660, 0x06f0, 0x0966, 0x09e6];

/**
 * Lower case, without accents, a leading slash or surrounding punctuation: how people type
 * commands. Digits of other scripts become 0–9 (a Persian keyboard types ۲ for 2), and the
 * Arabic keyboard's ي and ك become the Persian ی and ک, which look the same.
 */
export function normalise(text: string): string {
  return text
    .replace(/[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef]/g, (d) => {
      const cp = d.codePointAt(0)!;
      return String(cp - digitZeros.find((zero) => cp >= zero && cp <= zero + 9)!);
    })
    .replace(/ي/g, 'ی')
    .replace(/ك/g, 'ک')
    // Accents of Latin, Greek and Cyrillic letters, and Arabic short vowels, are left out; the
    // vowel signs of Indic scripts are letters in all but name, so they stay.
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u0652]/g, '')
    .normalize('NFC')
    .toLowerCase()
    // Sentence ends of other scripts too: Arabic ؟, Ethiopic ። ፧, Devanagari ।, Chinese 。？！
    .replace(/^[\s/!.]+|[\s!.?؟።፧።।。？！]+$/gu, '')
    .trim();
}

/**
 * Recognises a global command: a platform command (`/menu`), or a command word typed on its own
 * in the person's language or in English (`locales/<lang>/common.json` → `commands.<name>`, a
 * comma-separated list of words).
 */
/**
 * A comma-separated list of words from the locale files, each prepared for matching. Kept per
 * language and key: texts do not change while running, and every message looks them up.
 */
const wordLists = new WeakMap<Translator, Map<string, readonly string[]>>();
function wordList(t: Translator, lng: string, key: string, prepare: (word: string) => string): readonly string[] {
  const lists = wordLists.get(t) ?? new Map<string, readonly string[]>();
  wordLists.set(t, lists);
  const id = `${lng}\u0000${key}`;
  let words = lists.get(id);
  if (!words) {
    words = t.t(lng, key).split(',').map(prepare).filter(Boolean);
    lists.set(id, words);
  }
  return words;
}

export function recogniseCommand(content: InboundContent, locale: string, t: Translator): Command | undefined {
  if (content.kind === 'command') {
    const name = commandNames.find((c) => c === content.name.toLowerCase());
    return name ? (content.payload ? { name, payload: content.payload } : { name }) : undefined;
  }
  if (content.kind !== 'text' || content.text.length > 40) return undefined;
  const typed = normalise(content.text);
  if (!typed) return undefined;
  for (const name of commandNames) {
    for (const lng of new Set([locale, 'en'])) {
      if (wordList(t, lng, `common:commands.${name}`, normalise).includes(typed)) return { name };
    }
  }
  return undefined;
}

/**
 * True when a text holds one of the crisis phrases of the person's language or English
 * (`common:crisis_words`): danger, violence, nowhere to sleep tonight, a medical emergency.
 * Matched as whole words inside the text, after normalising accents and case.
 */
export function mentionsCrisis(content: InboundContent, locale: string, t: Translator): boolean {
  if (content.kind !== 'text') return false;
  const text = ` ${normalise(content.text).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  for (const lng of new Set([locale, 'en'])) {
    const phrases = wordList(t, lng, 'common:crisis_words', (w) => normalise(w).replace(/[^\p{L}\p{N}]+/gu, ' ').trim());
    // Chinese is written without spaces: there a phrase counts anywhere in the text.
    if (phrases.some((p) => text.includes(` ${p} `) || (/\p{Script=Han}/u.test(p) && text.includes(p)))) return true;
  }
  return false;
}
