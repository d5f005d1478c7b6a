import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createPonte, type Ponte } from '../../src/app.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import { createStaff } from '../../src/db/staff.js';
import { createLogger } from '../../src/log.js';
import type { TestDatabase } from '../helpers/databases.js';
import { PASSWORD } from '../helpers/inbox.js';
import { root } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';

export const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'browser-test-secret';
/** Screenshots of the pages the tests walk through, for people to look at. */
export const screenshots = join(root, 'test-results', 'inbox');

/** Ponte with the Telegram channel on a local double of the Bot API, an organisation and its staff, and Chromium. */
export interface BrowserWorld {
  ponte: Ponte;
  telegram: TelegramDouble;
  base: string;
  browser: Browser;
  orgId: string;
  staff: { coordinator: string; second: string; admin: string };
  /** A person writes to the bot on Telegram. */
  say(chatId: number, text: string, languageCode?: string): Promise<void>;
  /** The person presses the option with this id on the bot's last keyboard to them. */
  press(chatId: number, optionId: string): Promise<void>;
  /** Texts the bot sent to the chat, in order. */
  sentTo(chatId: number): string[];
  /** A new browser page signed in as this staff member. */
  signIn(email: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

let nextUpdate = 9_000_000;

export async function startBrowserWorld(database: TestDatabase): Promise<BrowserWorld> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian's chromium package; .ci/run installs it)`).toBe(true);
  mkdirSync(screenshots, { recursive: true });
  const telegram = await startTelegramDouble();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PUBLIC_URL: 'https://ponte.example',
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: telegram.url,
  });
  const ponte = await createPonte({ config, log: createLogger('silent'), channels: [createTelegramChannel], pollMs: 50 });
  await ponte.http.listen({ port: 0, host: '127.0.0.1' });
  await ponte.start();
  const { port } = ponte.http.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const prisma = ponte.db.prisma;
  const orgId = 'org-lisboa';
  await prisma.organisation.create({ data: { id: orgId, slug: 'lisboa', name: 'Lisboa Acolhe', timezone: 'Europe/Lisbon' } });
  const staff = { coordinator: 'marta@lisboa.example', second: 'joao@lisboa.example', admin: 'admin@ponte.example' };
  await createStaff(prisma, { email: staff.coordinator, role: 'coordinator', organisationId: orgId, password: PASSWORD, mustChangePassword: false });
  await createStaff(prisma, { email: staff.second, role: 'coordinator', organisationId: orgId, password: PASSWORD, mustChangePassword: false });
  await createStaff(prisma, { email: staff.admin, role: 'admin', organisationId: null, password: PASSWORD, mustChangePassword: false });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  const post = async (update: Record<string, unknown>) => {
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
  };
  const settle = async () => {
    await ponte.processor.idle();
    await ponte.outbox.drained();
  };
  const from = (chatId: number, languageCode?: string) => ({ id: chatId, is_bot: false, first_name: 'Amal', ...(languageCode ? { language_code: languageCode } : {}) });

  return {
    ponte,
    telegram,
    base,
    browser,
    orgId,
    staff,
    async say(chatId, text, languageCode) {
      const command = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
      nextUpdate += 1;
      await post({
        update_id: nextUpdate,
        message: { message_id: nextUpdate, date: Math.floor(Date.now() / 1000), from: from(chatId, languageCode), chat: { id: chatId, type: 'private', first_name: 'Amal' }, text, ...(command ? { entities: command } : {}) },
      });
      await settle();
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
      await settle();
    },
    sentTo: (chatId) => telegram.sent.filter((s) => s.chatId === String(chatId) && s.text !== undefined).map((s) => s.text!),
    async signIn(email) {
      const page = await browser.newPage();
      await page.goto(`${base}/inbox`);
      // Sent to the sign-in page first: no page without a session.
      await page.waitForURL(/\/inbox\/login/);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/inbox`);
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      await ponte.stop();
      await telegram.close();
    },
  };
}

export { waitFor };
