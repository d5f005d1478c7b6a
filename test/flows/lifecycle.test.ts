import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/time.js';
import { askForFeedback, inviteToSupervision, nudgePairs, sendMonthlySurveys, startClosures } from '../../src/scheduler/lifecycle-jobs.js';
import { offerSupervisionSlot } from '../../src/db/supervision.js';
import { sendSessionReminders } from '../../src/scheduler/session-reminders.js';
import { arrangeMeeting } from '../../src/db/lifecycle.js';
import { confirmPair, readConsultation } from '../../src/db/pairs.js';
import type { InboxDeps } from '../../src/http/inbox/index.js';
import { pushGroundRules } from '../../src/http/inbox/pair-meetings.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { registeredPerson } from '../helpers/lifecycle.js';
import { InboxClient, PASSWORD } from '../helpers/inbox.js';
import { createStaff } from '../../src/db/staff.js';
import { startTwoChannelWorld, type TwoChannelWorld } from '../helpers/telegram-world.js';

/**
 * Months of a mentoring pair with a controlled clock: Amina (mentee) writes in English on the
 * local channel, Rita (mentor) in Portuguese on Telegram. Sessions, reminders, feedback, the
 * monthly survey, nudges, two missed sessions and the closure, as the scheduler would run them.
 */
describe.each(databases)('the mentoring lifecycle on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let world: TwoChannelWorld;
  let now = new Date('2027-01-04T10:00:00Z');
  const clock: Clock = { now: () => now };

  beforeEach(async () => {
    if (skip) return;
    now = new Date('2027-01-04T10:00:00Z');
    database = await create();
    world = await startTwoChannelWorld(database, { clock, unthrottled: true });
  });
  afterEach(async () => {
    if (skip) return;
    await world.stop();
    await database.drop();
  });

  const jobs = () => ({
    committer: world.ponte.committer,
    translator: world.ponte.translator,
    programmeTimezone: 'Europe/Lisbon',
    quietHours: { from: 21, until: 8 },
    dialect: world.ponte.db.dialect,
    cadence: { firstMonthDays: 7, days: 14 },
    onPushed: (events: readonly { id: number; channel: string; address: string }[]) => world.ponte.processor.enqueue(events),
  });
  /** Moves the clock and runs every lifecycle job at that moment, as the scheduler's ticks would. */
  async function at(iso: string) {
    now = new Date(iso);
    await sendSessionReminders(jobs(), now);
    await askForFeedback(jobs(), now);
    await nudgePairs(jobs(), now);
    await sendMonthlySurveys(jobs(), now);
    await startClosures(jobs(), now);
    await inviteToSupervision(jobs(), now);
    await world.settle();
  }
  const t = (lang: string, key: string, vars?: Record<string, string | number>) => world.ponte.translator.t(lang, key, vars);
  const amina = () => world.local.filter((d) => d.address === 'amina').map((d) => d.text);
  const rita = () => world.sentTo(7301);

  it.skipIf(skip)('runs a pair from registration to closure, on two channels in two languages', async () => {
    const prisma = world.ponte.db.prisma;
    await prisma.organisation.create({ data: { id: 'org', slug: 'lisboa', name: 'Lisboa Acolhe', timezone: 'Europe/Lisbon', programmeMonths: 3 } });
    await createStaff(prisma, { email: 'marta@lisboa.example', role: 'coordinator', organisationId: 'org', password: PASSWORD, mustChangePassword: false });

    // Amina signs up as a mentee in English on the local channel, from the organisation's link.
    await world.sayLocal('amina', '/start lisboa', 'en');
    for (const step of ['#yes', '#agree', '#mentee', '#now', '#26_35', 'Amina', '#ar', '#pt', '#done', 'Arroios, Lisboa', '#woman', '#evenings', '#done', '#yes', '#any', '#no', '#friend', '#housing', '#work', '#done', '#this_month', 'Find a room and work as a nurse', '#no', '#3', '#2', '#4', '#1']) {
      if (step.startsWith('#')) await world.pressLocal('amina', step.slice(1));
      else await world.sayLocal('amina', step);
    }
    // Rita signs up as a mentor in Portuguese on Telegram.
    await world.say(7301, '/start lisboa', 'pt');
    for (const step of ['#yes', '#agree', '#mentor', '#now', '#36_50', 'Rita', '#pt', '#done', 'Lisboa', '#woman', '#evenings', '#done', '#yes', '#housing', '#work', '#done', '#2', 'Junta de Arroios', '#no', '#done', '#accept', '#2', '#2', '#1', '#1']) {
      if (step.startsWith('#')) await world.press(7301, step.slice(1));
      else await world.say(7301, step);
    }
    const mentee = await prisma.person.findFirstOrThrow({ where: { address: 'amina' } });
    const mentor = await prisma.person.findFirstOrThrow({ where: { address: '7301' } });
    expect([mentee.role, mentee.organisationId, mentor.role, mentor.organisationId]).toEqual(['mentee', 'org', 'mentor', 'org']);
    const menteeId = mentee.id;

    // The coordinator proposes Rita from Amina's candidates; both agree in their chats; confirmed.
    const inbox = new InboxClient(world.base);
    expect((await inbox.signIn('marta@lisboa.example')).status).toBe(303);
    expect((await inbox.get(`/inbox/people/${menteeId}`)).text).toContain('Propose Rita');
    expect((await inbox.post(`/inbox/people/${menteeId}/propose`, { mentorId: mentor.id })).status).toBe(303);
    await world.settle();
    await world.pressLocal('amina', 'yes');
    await world.press(7301, 'yes');
    const pairId = (await prisma.pair.findFirstOrThrow()).id;
    await inbox.get(`/inbox/pairs/${pairId}`);
    expect((await inbox.post(`/inbox/pairs/${pairId}/confirm`)).status).toBe(303);
    await world.settle();
    await world.pressLocal('amina', 'agree');
    await world.press(7301, 'agree');
    expect(await prisma.pair.findFirstOrThrow()).toMatchObject({ status: 'active' });
    expect(readConsultation((await prisma.pair.findFirstOrThrow()).consultation).rules).toMatchObject({ mentee: expect.any(String), mentor: expect.any(String) });

    // Amina proposes a session for tomorrow at 18:30 in a library, from "My sessions".
    const menu = await world.sayLocal('amina', 'menu', 'en');
    const last = menu.at(-1)!.message;
    expect(last.kind === 'choices' && last.choices[0]!.label).toBe(t('en', 'menu:choices.sessions'));
    await world.pressLocal('amina', 'sessions');
    await world.pressLocal('amina', 'propose');
    await world.pressLocal('amina', '2027-01-05');
    expect((await world.sayLocal('amina', 'half past six')).map((d) => d.text.split('\n\n')[0])).toEqual([t('en', 'sessions:time_invalid')]);
    await world.sayLocal('amina', '18h30');
    await world.pressLocal('amina', '60');
    await world.pressLocal('amina', 'in_person');
    const check = await world.sayLocal('amina', 'Biblioteca de Arroios');
    expect(check.at(-1)!.text).toContain('Biblioteca de Arroios');
    expect(check.at(-1)!.text).toMatch(/6:30\s?pm/i);
    await world.pressLocal('amina', 'send');

    // Rita is asked in Portuguese on Telegram, in her time (18:30 Lisbon), and confirms.
    expect(rita().at(-1)).toContain('18:30');
    expect(rita().at(-1)).toContain(t('pt', 'sessions:other_mentee'));
    await world.press(7301, 'accept');
    const session = await prisma.mentoringSession.findFirstOrThrow();
    expect(session).toMatchObject({ status: 'confirmed', proposedBy: 'mentee', minutes: 60, place: 'Biblioteca de Arroios' });
    expect(session.startsAt.toISOString()).toBe('2027-01-05T18:30:00.000Z');
    expect(amina().at(-1)).toContain(t('en', 'sessions:told_accepted', { other: 'mentor', session: '' }).split('\n')[0]!);

    // The day before and two hours before: reminders to both, once.
    await at('2027-01-04T18:30:00Z');
    await at('2027-01-04T18:35:00Z');
    await at('2027-01-05T16:30:00Z');
    expect(amina().filter((x) => x.startsWith('Reminder:'))).toHaveLength(1);
    expect(rita().filter((x) => x.includes('Biblioteca de Arroios'))).toHaveLength(3);

    // An hour after the end, each is asked how it went.
    await at('2027-01-05T20:35:00Z');
    await world.pressLocal('amina', 'yes');
    await world.pressLocal('amina', '4');
    await world.sayLocal('amina', 'skip');
    await world.press(7301, 'yes');
    await world.press(7301, '3');
    await world.say(7301, 'Correu bem.');
    await world.say(7301, 'Já tem o currículo pronto.');
    expect(await prisma.sessionFeedback.findMany({ orderBy: { side: 'asc' } })).toMatchObject([
      { side: 'mentee', happened: true, rating: 4, comment: null, progress: null },
      { side: 'mentor', happened: true, rating: 3, comment: 'Correu bem.', progress: 'Já tem o currículo pronto.' },
    ]);
    expect((await prisma.mentoringSession.findFirstOrThrow()).status).toBe('held');

    // Two weeks without a session: both are nudged (once); the monthly survey goes out at 10:00.
    await at('2027-01-20T09:00:00Z');
    await at('2027-01-20T09:30:00Z');
    expect(amina().filter((x) => x === t('en', 'sessions:nudge', { other: 'mentor' }))).toHaveLength(1);
    expect(rita().filter((x) => x === t('pt', 'sessions:nudge', { other: t('pt', 'sessions:other_mentee') }))).toHaveLength(1);
    await at('2027-01-20T10:00:00Z');
    expect(amina().at(-1)).toContain(t('en', 'surveys:intro'));
    await world.pressLocal('amina', 'start');
    for (let i = 0; i < 3; i += 1) await world.pressLocal('amina', '3');
    await world.pressLocal('amina', 'yes');
    expect(await prisma.surveyResponse.findFirstOrThrow({ where: { personId: menteeId } })).toMatchObject({ period: '2027-01', answers: { q1: 3, q2: 3, q3: 3 }, needsCoordinator: true });
    expect(await prisma.inboxItem.count({ where: { personId: menteeId, kind: 'survey_help' } })).toBe(1);
    // Rita did not answer: one reminder three days later, and no more.
    await at('2027-01-23T10:30:00Z');
    await at('2027-01-26T10:30:00Z');
    expect(rita().filter((x) => x === t('pt', 'surveys:reminder'))).toHaveLength(1);

    // Two sessions missed in a row: an item for the coordinator.
    for (const day of ['2027-02-02', '2027-02-09']) {
      await prisma.mentoringSession.create({ data: { id: `s-${day}`, pairId, proposedBy: 'mentor', startsAt: new Date(`${day}T17:00:00Z`), minutes: 60, mode: 'online', status: 'confirmed' } });
      await at(`${day}T19:05:00Z`);
      await world.pressLocal('amina', 'no');
      // February's check-in came in meanwhile and waited for the feedback: not now.
      expect(amina().at(-1)).toContain(t('en', 'surveys:intro'));
      await world.pressLocal('amina', 'later');
    }
    expect(await prisma.inboxItem.count({ where: { personId: menteeId, kind: 'missed_sessions', status: 'open' } })).toBe(1);

    // Three months after the confirmation: the closure, the final self-assessment and what next.
    await at('2027-04-04T10:00:00Z');
    expect(amina().some((x) => x.startsWith(t('en', 'closure:intro', { closurePair: t('en', 'closure:months', { count: 3 }) }).slice(0, 40)))).toBe(true);
    for (let i = 0; i < 4; i += 1) await world.pressLocal('amina', '4');
    await world.pressLocal('amina', 'finish');
    expect(amina()).toContain(t('en', 'closure:finish'));
    expect(await prisma.assessment.findFirstOrThrow({ where: { personId: menteeId, kind: 'final' } })).toMatchObject({ answers: { q1: 4, q2: 4, q3: 4, q4: 4 } });
    expect(await prisma.surveyResponse.findFirstOrThrow({ where: { personId: menteeId, survey: 'final' } })).toMatchObject({ answers: { choice: 'finish' } });
    expect(await prisma.inboxItem.count({ where: { kind: 'closure', status: 'open' } })).toBe(1);
    expect(rita().some((x) => x.includes(t('pt', 'closure:months', { count: 3 })))).toBe(true);
  });

  it.skipIf(skip)('arranges the informal meeting, asks both whether to go on, and has both agree to the ground rules once confirmed', async () => {
    const prisma = world.ponte.db.prisma;
    const menteeId = await registeredPerson(prisma, { address: 'amina', role: 'mentee', locale: 'en', name: 'Amina' });
    const mentorId = await registeredPerson(prisma, { address: '7301', channel: 'telegram', role: 'mentor', locale: 'pt', name: 'Rita' });
    const yes = { answer: 'yes', at: now.toISOString() };
    await prisma.pair.create({ data: { id: 'pair2', menteeId, mentorId, status: 'agreed', consultation: { mentee: yes, mentor: yes } } });
    const admin = { staffId: 'admin', role: 'admin' as const, organisationId: null };

    await world.ponte.committer.run((tx) => arrangeMeeting(tx, world.ponte.translator, 'Europe/Lisbon', 'pair2', { date: '2027-01-06', time: '17:00', minutes: 60, place: 'Café A Brasileira' }, now));
    await world.settle();
    expect(amina().at(-1)).toContain('Café A Brasileira');
    expect(rita().at(-1)).toContain('17:00');
    // Reminded like any session, then asked whether to go on an hour after it ends.
    await at('2027-01-05T17:00:00Z');
    expect(amina().at(-1)).toContain('Café A Brasileira');
    await at('2027-01-06T19:05:00Z');
    await world.pressLocal('amina', 'yes');
    expect(await prisma.inboxItem.count({ where: { kind: 'consultation_agreed', status: 'open' } })).toBe(0);
    await world.press(7301, 'yes');
    expect(readConsultation((await prisma.pair.findUniqueOrThrow({ where: { id: 'pair2' } })).consultation).informal).toMatchObject({ mentee: { answer: 'yes' }, mentor: { answer: 'yes' } });
    expect(await prisma.inboxItem.count({ where: { personId: menteeId, kind: 'consultation_agreed', status: 'open' } })).toBe(1);

    await world.ponte.committer.run((tx) => confirmPair(tx, admin, world.ponte.translator, 'pair2', Date.now()));
    await pushGroundRules({ db: world.ponte.db, ingest: world.ponte.ingest } as unknown as InboxDeps, 'pair2');
    await world.settle();
    expect(amina().some((x) => x === t('en', 'consultation:ground_rules'))).toBe(true);
    await world.pressLocal('amina', 'agree');
    await world.press(7301, 'agree');
    const rules = readConsultation((await prisma.pair.findUniqueOrThrow({ where: { id: 'pair2' } })).consultation).rules;
    expect(rules?.mentee).toBeDefined();
    expect(rules?.mentor).toBeDefined();
    expect(rita()).toContain(t('pt', 'consultation:rules_thanks'));
  });

  it.skipIf(skip)('sends the mentee back to matching when one side would rather not go on after the informal meeting', async () => {
    const prisma = world.ponte.db.prisma;
    const menteeId = await registeredPerson(prisma, { address: 'amina', role: 'mentee', locale: 'en', name: 'Amina' });
    const mentorId = await registeredPerson(prisma, { address: '7301', channel: 'telegram', role: 'mentor', locale: 'pt', name: 'Rita' });
    await prisma.pair.create({ data: { id: 'pair3', menteeId, mentorId, status: 'agreed', consultation: {} } });
    await world.ponte.committer.run((tx) => arrangeMeeting(tx, world.ponte.translator, 'Europe/Lisbon', 'pair3', { date: '2027-01-06', time: '17:00', minutes: 60, place: 'Jardim da Estrela' }, now));
    await at('2027-01-06T19:05:00Z');
    await world.press(7301, 'no');
    expect(await prisma.pair.findUniqueOrThrow({ where: { id: 'pair3' } })).toMatchObject({ status: 'declined' });
    expect(await prisma.inboxItem.count({ where: { personId: menteeId, kind: 'consultation_declined', status: 'open' } })).toBe(1);
  });

  it.skipIf(skip)('offers mentors the coordinator’s free supervision times once a month, books one in chat and reminds them', async () => {
    const prisma = world.ponte.db.prisma;
    await prisma.organisation.create({ data: { id: 'org', slug: 'lisboa', name: 'Lisboa Acolhe', timezone: 'Europe/Lisbon' } });
    const menteeId = await registeredPerson(prisma, { address: 'amina', role: 'mentee', locale: 'en', organisationId: 'org' });
    const mentorId = await registeredPerson(prisma, { address: '7301', channel: 'telegram', role: 'mentor', locale: 'pt', organisationId: 'org' });
    await prisma.pair.create({ data: { id: 'pair4', organisationId: 'org', menteeId, mentorId, status: 'active', consultation: {}, confirmedAt: now } });
    const coordinator = { staffId: 'marta', role: 'coordinator' as const, organisationId: 'org' };
    const offer = (iso: string) => world.ponte.committer.run((tx) => offerSupervisionSlot(tx, coordinator, { organisationId: 'org', startsAt: new Date(iso), minutes: 30, place: 'Sala 2, Rua do Benformoso 10' }, now));
    // Before any time is offered, nothing is sent.
    expect(await inviteToSupervision(jobs(), new Date('2027-01-04T10:30:00Z'))).toBe(0);
    const first = await offer('2027-01-12T17:00:00Z');
    await offer('2027-01-13T17:00:00Z');
    now = new Date('2027-01-04T11:00:00Z');
    expect(await inviteToSupervision(jobs(), now)).toBe(1);
    expect(await inviteToSupervision(jobs(), new Date('2027-01-04T11:15:00Z'))).toBe(0);
    await world.settle();
    expect(rita().at(-1)).toContain(t('pt', 'supervision:invite'));
    await world.press(7301, first);
    expect(await prisma.supervisionSlot.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ mentorId });
    // Booked this month: not offered again; the day before, a reminder once.
    expect(await inviteToSupervision(jobs(), new Date('2027-01-08T11:00:00Z'))).toBe(0);
    expect(await inviteToSupervision(jobs(), new Date('2027-01-11T18:00:00Z'))).toBe(1);
    expect(await inviteToSupervision(jobs(), new Date('2027-01-11T18:15:00Z'))).toBe(0);
    await world.settle();
    expect(rita().at(-1)).toContain('Sala 2, Rua do Benformoso 10');
  });

  it.skipIf(skip)('opens a case for the coordinators when a poorly rated session hides a worry', async () => {
    const prisma = world.ponte.db.prisma;
    await prisma.organisation.create({ data: { id: 'org', slug: 'lisboa', name: 'Lisboa Acolhe', timezone: 'Europe/Lisbon' } });
    const menteeId = await registeredPerson(prisma, { address: 'amina', role: 'mentee', locale: 'en', organisationId: 'org' });
    const mentorId = await registeredPerson(prisma, { address: '7301', channel: 'telegram', role: 'mentor', locale: 'pt', organisationId: 'org' });
    await prisma.pair.create({ data: { id: 'pair5', organisationId: 'org', menteeId, mentorId, status: 'active', consultation: {}, confirmedAt: now } });
    await prisma.mentoringSession.create({ data: { id: 's5', pairId: 'pair5', proposedBy: 'mentor', startsAt: new Date('2027-01-05T17:00:00Z'), minutes: 60, mode: 'in_person', place: 'Café', status: 'confirmed' } });
    await at('2027-01-05T19:05:00Z');
    await world.pressLocal('amina', 'yes');
    const worry = await world.pressLocal('amina', '2');
    expect(worry.at(-1)!.text).toContain(t('en', 'feedback:worry'));
    await world.pressLocal('amina', 'yes');
    await world.sayLocal('amina', 'He asked me to lend him money.');
    const opened = await prisma.case.findFirstOrThrow();
    expect(opened).toMatchObject({ source: 'feedback', reporterId: menteeId, subjectId: mentorId, pairId: 'pair5', description: 'He asked me to lend him money.', organisationId: 'org' });
    // The feedback itself goes on, and is kept.
    await world.sayLocal('amina', 'skip');
    expect(await prisma.sessionFeedback.findFirstOrThrow()).toMatchObject({ side: 'mentee', rating: 2 });
  });
});
