import { expect } from 'vitest';
import { createPonte, type Ponte } from '../../src/app.js';
import { createLocalSender } from '../../src/channels/local/client.js';
import { toInboundEvent } from '../../src/channels/local/inbound.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/time.js';
import { createLogger } from '../../src/log.js';
import type { TestDatabase } from './databases.js';
import type { Delivered } from './ponte.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';

const SECRET = 'test-webhook-secret';

/**
 * A listening Ponte with two channels: Telegram (through a local double of the Bot API, by
 * webhook) and the local channel. People write on either; every reply can be read back.
 */
export interface TwoChannelWorld {
  ponte: Ponte;
  telegram: TelegramDouble;
  base: string;
  /** Messages delivered on the local channel. */
  local: Delivered[];
  /** A person writes to the bot on Telegram, and what follows is handled and sent. */
  say(chatId: number, text: string, languageCode?: string): Promise<void>;
  /** The person presses the option with this id on the bot's last keyboard to them. */
  press(chatId: number, optionId: string): Promise<void>;
  /** Texts the bot sent to the Telegram chat, in order. */
  sentTo(chatId: number): string[];
  /** A person writes on the local channel. */
  sayLocal(who: string, text: string, lang?: string): Promise<Delivered[]>;
  /** The person on the local channel picks the option with this id of the bot's last question. */
  pressLocal(who: string, optionId: string, lang?: string): Promise<Delivered[]>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

let nextUpdate = 9_000_000;

/**
 * `unthrottled`: no per-chat pacing (Telegram's one message a second to a chat), for tests that
 * walk long conversations and are not about the limits.
 */
export async function startTwoChannelWorld(database: TestDatabase, options: { clock?: Clock; unthrottled?: boolean } = {}): Promise<TwoChannelWorld> {
  const telegram = await startTelegramDouble(options.unthrottled ? { perChatPerSecond: 1000 } : {});
  const local: Delivered[] = [];
  const config = loadConfig({
    DATABASE_URL: database.url,
    PUBLIC_URL: 'https://ponte.example',
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    ...(options.unthrottled ? { TELEGRAM_CHAT_RATE_LIMIT: '0' } : {}),
  });
  const ponte = await createPonte({
    config,
    log: createLogger('silent'),
    channels: [createTelegramChannel],
    senders: [createLocalSender((address, text, message) => local.push({ address, text, message }))],
    pollMs: 20,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await ponte.http.listen({ port: 0, host: '127.0.0.1' });
  await ponte.start();
  const { port } = ponte.http.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const settle = async () => {
    // A turn may push a flow into someone else's queue: settle until nothing is left to do.
    for (let i = 0; i < 10; i += 1) {
      await ponte.processor.idle();
      await ponte.outbox.drained();
      if ((await ponte.db.prisma.inboundEvent.count({ where: { status: 'pending' } })) === 0) return;
    }
  };
  const post = async (update: Record<string, unknown>) => {
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    await settle();
  };
  const from = (chatId: number, languageCode?: string) => ({ id: chatId, is_bot: false, first_name: 'A', ...(languageCode ? { language_code: languageCode } : {}) });
  const lastLocal = new Map<string, Delivered[]>();
  const sayLocal = async (who: string, text: string, lang?: string) => {
    const before = local.length;
    await ponte.ingest([toInboundEvent(who, text, lang)]);
    await settle();
    const out = local.slice(before).filter((d) => d.address === who);
    lastLocal.set(who, out);
    return out;
  };
  return {
    ponte,
    telegram,
    base,
    local,
    settle,
    async say(chatId, text, languageCode) {
      const command = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
      nextUpdate += 1;
      await post({
        update_id: nextUpdate,
        message: { message_id: nextUpdate, date: Math.floor(Date.now() / 1000), from: from(chatId, languageCode), chat: { id: chatId, type: 'private', first_name: 'A' }, text, ...(command ? { entities: command } : {}) },
      });
    },
    async press(chatId, optionId) {
      const last = [...telegram.sent].reverse().find((s) => s.chatId === String(chatId) && s.keyboard);
      const button = last?.keyboard?.flat().find((b) => b.callback_data.endsWith(`.${optionId}`));
      expect(button, `option ${optionId} in ${JSON.stringify(last?.keyboard)}`).toBeDefined();
      nextUpdate += 1;
      await post({
        update_id: nextUpdate,
        callback_query: { id: `cb${nextUpdate}`, chat_instance: '1', from: from(chatId), message: { message_id: last!.messageId, date: 1, chat: { id: chatId, type: 'private' } }, data: button!.callback_data },
      });
    },
    sentTo: (chatId) => telegram.sent.filter((s) => s.chatId === String(chatId) && s.text !== undefined).map((s) => s.text!),
    sayLocal,
    async pressLocal(who, optionId, lang) {
      const mine = local.filter((d) => d.address === who);
      const question = [...mine].reverse().find((d) => d.message.kind === 'choices');
      const choices = question?.message.kind === 'choices' ? question.message.choices : [];
      const index = choices.findIndex((c) => c.id.endsWith(`.${optionId}`));
      expect(index, `option ${optionId} in ${JSON.stringify(choices.map((c) => c.id))}`).toBeGreaterThanOrEqual(0);
      return sayLocal(who, String(index + 1), lang);
    },
    async stop() {
      await ponte.stop();
      await telegram.close();
    },
  };
}
