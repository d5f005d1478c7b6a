/**
 * botbuilder with its Azure clients takes about 50 MB of memory, a quarter of a small
 * service's. Most programmes run on WhatsApp and Telegram only, so it is loaded when Bot
 * Framework is configured (at start, so a wrong setting still stops the start) or, on a
 * machine without credentials, at the first local Emulator activity.
 */
export type BotBuilder = typeof import('botbuilder');

export const loadBotBuilder = (): Promise<BotBuilder> => import('botbuilder');
