import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInfoDay } from '../../src/db/info-days.js';
import { sendInfoDayReminders } from '../../src/scheduler/info-day-reminders.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte, type TestPonte } from '../helpers/ponte.js';
import { runEntry } from '../helpers/spawn.js';

describe.each(['en', 'ar'])('info days in %s', (lang) => {
  let database: TestDatabase;
  let app: TestPonte;
  beforeEach(async () => {
    database = sqliteDatabase();
    app = await startTestPonte(database.url);
  });
  afterEach(async () => {
    await app.stop();
    await database.drop();
  });

  it('lists the upcoming ones, signs up, reminds the day before outside quiet hours, and cancels', async () => {
    // 18:00 UTC three days from now: 18:00 or 19:00 in Lisbon, whatever the season.
    const inThreeDays = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const startsAt = new Date(Date.UTC(inThreeDays.getUTCFullYear(), inThreeDays.getUTCMonth(), inThreeDays.getUTCDate(), 18));
    const id = await createInfoDay(app.ponte.db.prisma, { organisationId: null, title: 'Welcome evening', place: 'Biblioteca de Arroios', startsAt, capacity: 20 });
    for (const line of ['/start', '1', '1', '3']) await app.say('ana', line, lang);
    const menu = app.delivered.at(-1)!.message;
    const index = menu.kind === 'choices' ? menu.choices.findIndex((c) => c.id.endsWith('.infodays')) : -1;
    const list = await app.say('ana', String(index + 1), lang);
    expect(list.at(-1)!.text).toContain('Welcome evening');
    const detail = await app.say('ana', '1', lang);
    expect(detail.at(-1)!.text).toContain('Biblioteca de Arroios');
    const signed = await app.say('ana', '1', lang);
    expect(signed[0]!.text).toBe(app.ponte.translator.t(lang, 'infodays:signed_up'));
    expect(await app.ponte.db.prisma.infoDaySignup.findFirstOrThrow()).toMatchObject({ infoDayId: id, cancelledAt: null });

    // Two days before: nothing yet. The day before at 03:00 Lisbon: quiet hours. At 10:00: the reminder.
    const deps = { committer: app.ponte.committer, translator: app.ponte.translator, programmeTimezone: 'Europe/Lisbon' };
    expect(await sendInfoDayReminders(deps, new Date(startsAt.getTime() - 48 * 3600 * 1000))).toBe(0);
    expect(await sendInfoDayReminders(deps, new Date(startsAt.getTime() - 15 * 3600 * 1000))).toBe(0);
    const morning = new Date(startsAt.getTime() - 8 * 3600 * 1000);
    expect(await sendInfoDayReminders(deps, morning)).toBe(1);
    expect(await sendInfoDayReminders(deps, morning)).toBe(0);
    app.ponte.outbox.wake();
    await app.settle();
    expect(app.delivered.at(-1)!.text).toContain('Welcome evening');

    // Cancel: menu → info days → the day → cancel my place.
    await app.say('ana', 'menu', lang);
    await app.say('ana', String(index + 1), lang);
    await app.say('ana', '1', lang);
    const cancelled = await app.say('ana', '1', lang);
    expect(cancelled[0]!.text).toBe(app.ponte.translator.t(lang, 'infodays:cancelled'));
    expect((await app.ponte.db.prisma.infoDaySignup.findFirstOrThrow()).cancelledAt).not.toBeNull();
  });
});

describe('npm run org', () => {
  it('adds an organisation, refuses a bad slug with one line, lists deep links and adds an info day', async () => {
    const database = sqliteDatabase();
    const run = (...args: string[]) => runEntry('src/cli/org.ts', args, { DATABASE_URL: database.url }).done;
    try {
      expect((await run('add', '--slug', 'lisboa', '--name', 'Câmara de Lisboa')).code).toBe(0);
      const bad = await run('add', '--slug', 'Not A Slug', '--name', 'x');
      expect(bad.code).toBe(2);
      expect(bad.stderr.split('\n')[0]).toContain('--slug');
      expect((await run('add', '--slug', 'lisboa', '--name', 'again')).code).toBe(2);
      const list = await run('list');
      expect(list.stdout).toContain('start=lisboa');
      const day = await run('infoday', '--title', 'Boas-vindas', '--place', 'Arroios', '--at', new Date(Date.now() + 86_400_000).toISOString(), '--org', 'lisboa');
      expect(day.code).toBe(0);
      expect((await run('infoday', '--title', 'x', '--place', 'y', '--at', '2001-01-01T10:00')).code).toBe(2);
    } finally {
      await database.drop();
    }
  });
});
