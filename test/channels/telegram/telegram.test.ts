import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPonte, type Ponte } from '../../../src/app.js';
import { createTelegramChannel } from '../../../src/channels/telegram/index.js';
import { render } from '../../../src/channels/telegram/render.js';
import { commandNames } from '../../../src/core/commands.js';
import { loadConfig } from '../../../src/config.js';
import type { OutboundMessage } from '../../../src/core/events.js';
import { createLogger } from '../../../src/log.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { root, runEntry } from '../../helpers/spawn.js';
import { waitFor } from '../../helpers/wait.js';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-api.js';

const fixture = (name: string) => JSON.parse(readFileSync(join(root, 'test/fixtures/telegram', `${name}.json`), 'utf8')) as Record<string, unknown>;
const SECRET = 'webhook_secret-123';

let nextUpdate = 500_000;
/** A private text message from chat `chatId`, as Telegram sends it. */
function textUpdate(chatId: number, text: string, languageCode?: string): Record<string, unknown> {
  const command = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
  return {
    update_id: nextUpdate++,
    message: {
      message_id: nextUpdate,
      date: 1_700_000_000,
      from: { id: chatId, is_bot: false, first_name: 'A', ...(languageCode ? { language_code: languageCode } : {}) },
      chat: { id: chatId, type: 'private', first_name: 'A' },
      text,
      ...(command ? { entities: command } : {}),
    },
  };
}

function pressUpdate(chatId: number, data: string, messageId: number): Record<string, unknown> {
  return {
    update_id: nextUpdate++,
    callback_query: { id: `cb${nextUpdate}`, chat_instance: '1', from: { id: chatId, is_bot: false, first_name: 'A' }, message: { message_id: messageId, date: 1, chat: { id: chatId, type: 'private' } }, data },
  };
}

describe('the Telegram channel (webhook)', () => {
  let database: TestDatabase;
  let double: TelegramDouble;
  let ponte: Ponte;

  async function start(extra: Record<string, string> = {}) {
    const config = loadConfig({
      DATABASE_URL: database.url,
      PUBLIC_URL: 'https://ponte.example',
      TELEGRAM_BOT_TOKEN: double.token,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: double.url,
      ...extra,
    });
    ponte = await createPonte({ config, log: createLogger('silent'), channels: [createTelegramChannel], pollMs: 50 });
    await ponte.start();
  }

  const post = (update: unknown, secret: string | null = SECRET) =>
    ponte.http.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
      payload: typeof update === 'string' ? update : JSON.stringify(update),
    });

  async function settle() {
    await ponte.processor.idle();
    await ponte.outbox.drained();
  }

  const toChat = (chatId: number) => double.sent.filter((s) => s.chatId === String(chatId));
  const storedEvents = () => ponte.db.prisma.inboundEvent.count();

  beforeEach(async () => {
    database = sqliteDatabase();
    double = await startTelegramDouble();
  });
  afterEach(async () => {
    await ponte?.stop();
    await double.close();
    await database.drop();
  });

  it('registers the webhook with its secret and allowed updates, and a command menu per language', async () => {
    await start();
    const setWebhook = double.calls.find((c) => c.method === 'setWebhook')!;
    expect(setWebhook.body).toMatchObject({ url: 'https://ponte.example/webhooks/telegram', secret_token: SECRET });
    expect(setWebhook.body.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member']);
    const menus = double.calls.filter((c) => c.method === 'setMyCommands');
    expect(menus.map((c) => c.body.language_code)).toEqual([undefined, ...ponte.translator.locales.filter((l) => !l.includes('-'))]);
    const ar = menus.find((c) => c.body.language_code === 'ar')!.body.commands as { command: string; description: string }[];
    expect(ar.map((c) => c.command)).toEqual([...commandNames]);
    expect(ar[1]!.description).toMatch(/[\u0600-\u06FF]/);
    // The inbox's deep links and QR codes use the bot's username, from getMe.
    expect(await ponte.db.prisma.setting.findUnique({ where: { key: 'telegram:bot-username' } })).toMatchObject({ value: 'ponte_test_bot' });
  });

  it('refuses a wrong or missing secret with 401 and stores nothing', async () => {
    await start();
    expect((await post(textUpdate(1, 'hi'), 'wrong')).statusCode).toBe(401);
    expect((await post(textUpdate(1, 'hi'), null)).statusCode).toBe(401);
    expect(await storedEvents()).toBe(0);
  });

  it('answers malformed JSON and a body that is not an Update with 400, storing nothing', async () => {
    await start();
    expect((await post('{"update_id": 1, "message": {')).statusCode).toBe(400);
    expect((await post({ hello: 'world' })).statusCode).toBe(400);
    expect((await post({ update_id: 'one' })).statusCode).toBe(400);
    expect(await storedEvents()).toBe(0);
  });

  it('answers a redelivered update once', async () => {
    await start();
    const update = fixture('start-with-payload');
    expect((await post(update)).statusCode).toBe(200);
    expect((await post(update)).statusCode).toBe(200);
    await settle();
    expect(toChat(111)).toHaveLength(1);
    expect(await storedEvents()).toBe(1);
  });

  it('walks the first conversation with button presses, guessing pt-BR from pt-br, keeping the deep-link source', async () => {
    await start();
    await post(fixture('start-with-payload'));
    await settle();
    const pressLast = async (option: string) => {
      const last = toChat(111).at(-1)!;
      const button = last.keyboard!.flat().find((b) => b.callback_data.endsWith(`.${option}`))!;
      await post(pressUpdate(111, button.callback_data, last.messageId));
      await settle();
    };
    const welcome = toChat(111)[0]!;
    expect(welcome.text).toContain('Português');
    expect(welcome.keyboard!.flat().every((b) => Buffer.byteLength(b.callback_data) <= 64)).toBe(true);
    await pressLast('yes');
    await pressLast('agree');
    await pressLast('mentor');
    await pressLast('later');
    const person = await ponte.db.prisma.person.findFirstOrThrow();
    expect(person).toMatchObject({ channel: 'telegram', address: '111', locale: 'pt-BR', consent: 'granted', role: 'mentor', source: 'abc123' });
    expect(toChat(111).at(-1)!.text).toBe(ponte.translator.t('pt-BR', 'menu:main'));
    // Each press was answered and its keyboard cleared.
    await waitFor('callback answers', () => double.calls.filter((c) => c.method === 'answerCallbackQuery').length === 4);
    await waitFor('keyboards cleared', () => double.calls.filter((c) => c.method === 'editMessageReplyMarkup').length === 4);
  });

  it('handles a press on an old keyboard kindly, and answers it too', async () => {
    await start();
    await post(textUpdate(7, '/start', 'en'));
    await settle();
    const first = toChat(7).at(-1)!;
    await post(textUpdate(7, '1'));
    await settle();
    const stale = first.keyboard!.flat()[0]!.callback_data;
    await post(pressUpdate(7, stale, first.messageId));
    await settle();
    const reply = toChat(7).at(-1)!;
    expect(reply.text!.split('\n\n')[0]).toBe(ponte.translator.t('en', 'common:stale_choice'));
    expect(reply.keyboard).toBeDefined();
    await waitFor('the stale press answered', () => double.calls.filter((c) => c.method === 'answerCallbackQuery').length === 1);
  });

  it('normalises voice, photo, sticker, document and location, and answers each kindly', async () => {
    await start({ TELEGRAM_CHAT_RATE_LIMIT: '0' });
    await post(textUpdate(111, '/start', 'en'));
    await settle();
    for (const name of ['voice', 'photo', 'sticker', 'document', 'location']) expect((await post(fixture(name))).statusCode).toBe(200);
    await settle();
    const events = await ponte.db.prisma.inboundEvent.findMany({ orderBy: { id: 'asc' } });
    expect(events).toHaveLength(6);
    const cannotRead = ponte.translator.t('en', 'common:cannot_read');
    expect(toChat(111).filter((s) => s.text?.startsWith(`${cannotRead}\n\n`)).length).toBeGreaterThanOrEqual(2);
  });

  it('ignores an edited message without storing it, and marks a person who blocked the bot unreachable', async () => {
    await start();
    await post(textUpdate(111, '/start', 'en'));
    await settle();
    expect((await post(fixture('edited-message'))).statusCode).toBe(200);
    expect((await post(fixture('blocked'))).statusCode).toBe(200);
    await waitFor('unreachable', async () => (await ponte.db.prisma.person.findFirstOrThrow()).unreachableAt !== null);
    expect(await storedEvents()).toBe(1);
    expect(await ponte.db.prisma.inboxItem.findFirstOrThrow()).toMatchObject({ kind: 'unreachable', status: 'open' });
  });

  it('waits Telegram’s retry_after on 429 and delivers once', async () => {
    await start();
    double.throttleNext(1, 1);
    const started = Date.now();
    await post(textUpdate(5, '/start', 'en'));
    await ponte.processor.idle();
    await waitFor('the retried welcome', () => toChat(5).length === 1, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await new Promise((r) => setTimeout(r, 200));
    expect(toChat(5)).toHaveLength(1);
    expect(double.calls.filter((c) => c.method === 'sendMessage' && c.status === 429)).toHaveLength(1);
  });

  it('keeps a burst to one chat within its per-chat limit', async () => {
    await start();
    await post(textUpdate(9, '/start', 'en'));
    await settle();
    // Four answers at once produce about eight messages to one chat.
    for (const line of ['1', '1', '1', '2']) await post(textUpdate(9, line));
    await ponte.processor.idle();
    await waitFor('all replies', async () => (await ponte.db.prisma.outboxMessage.count({ where: { status: 'sent' } })) === (await ponte.db.prisma.outboxMessage.count()), 15_000);
    expect(double.calls.filter((c) => c.status === 429)).toHaveLength(0);
  });
});

describe('the Telegram channel (long polling)', () => {
  it('polls for updates when there is no public URL, storing each before confirming it', async () => {
    const database = sqliteDatabase();
    const double = await startTelegramDouble();
    const config = loadConfig({ DATABASE_URL: database.url, TELEGRAM_BOT_TOKEN: double.token, TELEGRAM_API_ROOT: double.url });
    expect(config.telegram?.mode).toBe('polling');
    const ponte = await createPonte({ config, log: createLogger('silent'), channels: [createTelegramChannel], pollMs: 50 });
    await ponte.start();
    try {
      double.queueUpdate(textUpdate(42, '/start', 'ar'));
      await waitFor('the welcome', () => double.sent.some((m) => m.chatId === '42'));
      expect(double.sent.find((m) => m.chatId === '42')!.text).toMatch(/[\u0600-\u06FF]/);
      expect(double.calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
      expect(await ponte.db.prisma.inboundEvent.count()).toBe(1);
    } finally {
      await ponte.stop();
      await double.close();
      await database.drop();
    }
  });
});

describe('npm start with the Telegram variables', () => {
  it('answers the first message that arrives at the webhook', async () => {
    const database = sqliteDatabase();
    const double = await startTelegramDouble();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child, done } = runEntry('src/main.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      PUBLIC_URL: 'https://ponte.example',
      TELEGRAM_BOT_TOKEN: double.token,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: double.url,
    });
    try {
      await waitFor('the webhook registration', () => double.calls.some((c) => c.method === 'setWebhook'), 30_000);
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(textUpdate(77, '/start', 'pt-PT')),
      });
      expect(res.status).toBe(200);
      await waitFor('the welcome', () => double.sent.some((m) => m.chatId === '77'), 10_000);
      expect(double.sent.find((m) => m.chatId === '77')!.text).toContain('Português');
    } finally {
      child.kill('SIGTERM');
      await done;
      await double.close();
      await database.drop();
    }
  });
});

describe('the Telegram renderer', () => {
  const choices = (n: number, label: (i: number) => string): OutboundMessage => ({
    kind: 'choices',
    locale: 'en',
    text: 'Pick one',
    choices: Array.from({ length: n }, (_, i) => ({ id: `12.option_${i}`, label: label(i) })),
  });

  it.each([2, 3, 4, 10, 11])('puts %i choices on an inline keyboard, one a row', (n) => {
    const [call] = render(choices(n, (i) => `Option number ${i}`));
    expect(call!.method).toBe('sendMessage');
    const keyboard = (call!.params as { reply_markup: { inline_keyboard: unknown[][] } }).reply_markup.inline_keyboard;
    expect(keyboard).toHaveLength(n);
  });

  it('numbers the options in the text when an id would not fit in 64 bytes of callback data', () => {
    const long: OutboundMessage = { kind: 'choices', locale: 'pt', text: 'Escolha', choices: [{ id: `1.${'é'.repeat(40)}`, label: 'Uma opção' }] };
    const [call] = render(long);
    expect(call!.params).toEqual({ text: 'Escolha\n\n1. Uma opção' });
  });

  it('splits a text over 4096 characters at a line, keeping every character', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Line ${i}: ${'x'.repeat(60)}`).join('\n');
    const calls = render({ kind: 'text', locale: 'en', text });
    expect(calls.length).toBe(2);
    for (const c of calls) expect([...(c.params as { text: string }).text].length).toBeLessThanOrEqual(4096);
    expect(calls.map((c) => (c.params as { text: string }).text).join('\n')).toBe(text);
  });
});
