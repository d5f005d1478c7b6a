import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { registeredPerson } from '../helpers/lifecycle.js';
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

  it('takes a misconduct report from the chat through triage, a message to the reporter, an action and closure', async () => {
    // Amal reports harassment in Portuguese; nobody is in danger now; a coordinator may get in touch.
    await world.say(7002, '/start lisboa', 'pt');
    await world.press(7002, 'yes');
    await world.press(7002, 'agree');
    await world.press(7002, 'visitor');
    await world.say(7002, '/report');
    await world.press(7002, 'harassment');
    await world.press(7002, 'this_week');
    await world.press(7002, 'no');
    await world.say(7002, 'O meu mentor manda-me mensagens à noite e não para.');
    await world.press(7002, 'yes');
    const reported = await world.ponte.db.prisma.case.findFirstOrThrow();

    const page = await world.signIn(world.staff.coordinator);
    await page.getByRole('link', { name: new RegExp(reported.reference) }).click();
    // Not assigned yet: the content stays hidden until the coordinator takes the case.
    expect(await page.getByText('O meu mentor manda-me mensagens').count()).toBe(0);
    await page.getByRole('button', { name: 'Assign me' }).click();
    await page.getByText('O meu mentor manda-me mensagens à noite e não para.').waitFor();

    await page.getByLabel('Severity', { exact: true }).selectOption('high');
    await page.getByRole('button', { name: 'Set the severity' }).click();
    await page.getByRole('status').waitFor();

    const toReporter = page.getByLabel(/To the reporter/);
    expect(await toReporter.inputValue()).toBe(world.ponte.translator.t('pt', 'casework:reporter_contact', { reference: reported.reference }));
    await toReporter.fill(`${await toReporter.inputValue()} Ligo-lhe amanhã de manhã.`);
    await page.getByRole('button', { name: 'Send the message' }).first().click();
    await waitFor('the message to the reporter', () => world.sentTo(7002).some((t) => t.endsWith('Ligo-lhe amanhã de manhã.')));

    await page.getByLabel('Action', { exact: true }).selectOption('refer');
    await page.getByLabel('Note', { exact: true }).first().fill('Talked with Amal by phone; referred to the victim support line (APAV).');
    await page.getByRole('button', { name: 'Record the action' }).click();
    await page.getByText('referred to the victim support line').waitFor();
    await world.shot(page, '05-case');

    await page.getByLabel('Outcome').selectOption('referred');
    await page.locator('#x-note').fill('Support arranged; the mentor was spoken to and the pair ended.');
    await page.getByRole('button', { name: 'Close the case' }).click();
    await page.getByRole('status').waitFor();
    expect((await world.ponte.db.prisma.case.findUniqueOrThrow({ where: { id: reported.id } })).status).toBe('closed');
    await waitFor('the closure notice', () => world.sentTo(7002).includes(world.ponte.translator.t('pt', 'casework:closed_reporter', { reference: reported.reference })));
    await world.shot(page, '06-case-closed');
  });

  it('proposes a ranked mentor, both say yes in their chats, and the coordinator confirms the match', async () => {
    const prisma = world.ponte.db.prisma;
    const mentee = await registeredPerson(prisma, { address: '7101', channel: 'telegram', role: 'mentee', locale: 'en', organisationId: world.orgId, name: 'Amina' });
    await registeredPerson(prisma, { address: '7102', channel: 'telegram', role: 'mentor', locale: 'pt', organisationId: world.orgId, name: 'Rita' });
    await prisma.person.update({ where: { id: mentee }, data: { needs: { areas: ['work'], urgency: 'this_month', goal: 'Find work as a nurse', at: '2026-09-02T10:00:00Z' } } });
    // Both have talked to the bot before: each is somewhere in the menu.
    await world.say(7101, 'menu', 'en');
    await world.say(7102, 'menu', 'pt');

    const page = await world.signIn(world.staff.coordinator);
    await page.getByRole('link', { name: 'People', exact: true }).click();
    await page.getByRole('link', { name: 'Amina' }).click();
    await world.shot(page, '07-candidates');
    await page.getByRole('button', { name: /Propose Rita/ }).click();
    await page.getByRole('status').waitFor();

    // Each is asked in their own language, without the other's name.
    await waitFor('both asked', () => world.telegram.sent.filter((s) => ['7101', '7102'].includes(s.chatId) && s.keyboard?.flat().some((b) => b.callback_data.endsWith('.yes'))).length >= 2);
    const asked = world.telegram.sent.filter((s) => s.chatId === '7101').at(-1)!.text!;
    expect(asked).not.toContain('Rita');
    await world.press(7101, 'yes');
    await world.press(7102, 'yes');

    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    await page.getByRole('link', { name: /Both agreed/ }).click();
    await page.getByRole('link', { name: 'Open the pair' }).click();
    await page.getByRole('button', { name: 'Confirm the pair' }).click();
    await page.getByRole('status').waitFor();
    await world.shot(page, '08-pair-confirmed');
    expect((await prisma.pair.findFirstOrThrow()).status).toBe('active');
    const t = world.ponte.translator;
    await waitFor('both told', () =>
      world.sentTo(7101).includes(t.t('en', 'consultation:confirmed_mentee', { name: 'Rita' })) &&
      world.sentTo(7102).includes(t.t('pt', 'consultation:confirmed_mentor', { name: 'Amina' })),
    );
  });
});
