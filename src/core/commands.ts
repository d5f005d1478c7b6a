import type { InboundContent } from './events.js';
import type { Translator } from './i18n.js';

/** The global commands: they work at any step of any flow. */
export const commandNames = ['start', 'menu', 'language', 'help', 'stop'] as const;
export type CommandName = (typeof commandNames)[number];

export interface Command {
  name: CommandName;
  payload?: string;
}

/** Lower case, without accents, a leading slash or surrounding punctuation: how people type commands. */
export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^[\s/!.]+|[\s!.?؟]+$/gu, '')
    .trim();
}

/**
 * Recognises a global command: a platform command (`/menu`), or a command word typed on its own
 * in the person's language or in English (`locales/<lang>/common.json` → `commands.<name>`, a
 * comma-separated list of words).
 */
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
      const words = t.t(lng, `common:commands.${name}`).split(',').map(normalise);
      if (words.includes(typed)) return { name };
    }
  }
  return undefined;
}
