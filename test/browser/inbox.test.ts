import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startBrowserWorld, waitFor, type BrowserWorld } from './harness.js';

/**
 * The inbox in real Chromium (Debian's package, driven by playwright-core), with a person on
 * Telegram through a local double of the Bot API.
 */
describe('the coordinator inbox in a browser', () => {
  let database: TestDatabase;
  let world: BrowserWorld;
  beforeEach(async () => {
    database = sqliteDatabase();
    world = await startBrowserWorld(database);
  });
  afterEach(async () => {
    await world.stop();
    await database.drop();
  });

  /** Amal starts from the organisation's link, agrees to the privacy notice and asks for a person. */
  async function askForAPerson(chatId: number) {
    await world.say(chatId, '/start lisboa', 'en');
    await world.press(chatId, 'yes');
    await world.press(chatId, 'agree');
    await world.press(chatId, 'visitor');
    await world.press(chatId, 'person');
    await world.press(chatId, 'yes');
  }

  it('signs in, sees a handover raised from a chat appear live, replies, and the reply reaches the person on Telegram', async () => {
    const page = await world.signIn(world.staff.coordinator);
    expect(await page.locator('h1').textContent()).toBe('Queue');
    await world.shot(page, '01-queue-empty');

    // The queue page is open; the request arrives without a reload.
    await askForAPerson(7001);
    await world.say(7001, 'My landlord wants me out by Friday. What can I do?');
    await page.getByRole('link', { name: /Wants to talk to a person/ }).waitFor({ timeout: 10_000 });
    await world.shot(page, '02-queue-handover');

    await page.getByRole('link', { name: /Wants to talk to a person/ }).click();
    await page.getByText('My landlord wants me out by Friday. What can I do?').waitFor();
    await world.shot(page, '03-conversation');
    await page.getByLabel(/Your reply/).fill('Hello Amal, I am Marta from Lisboa Acolhe. Can I call you tomorrow at 10?');
    await page.getByRole('button', { name: 'Send the reply' }).click();
    await page.getByRole('status').waitFor();
    await waitFor('the reply on Telegram', () => world.sentTo(7001).includes('Hello Amal, I am Marta from Lisboa Acolhe. Can I call you tomorrow at 10?'));

    await page.getByRole('button', { name: 'Hand back to the bot' }).click();
    await page.getByRole('status').waitFor();
    await waitFor('the hand-back message', () => world.sentTo(7001).some((t) => t === world.ponte.translator.t('en', 'common:handover_closed')));
    await world.shot(page, '04-handed-back');
  });
});
