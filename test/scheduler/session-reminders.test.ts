import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommitter } from '../../src/db/group-commit.js';
import { localToInstant } from '../../src/core/time.js';
import { sendSessionReminders } from '../../src/scheduler/session-reminders.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { activePair } from '../helpers/lifecycle.js';
import { startTestPonte, type TestPonte } from '../helpers/ponte.js';

const quietHours = { from: 21, until: 8 };

describe.each(databases)('session reminders on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let app: TestPonte;
  beforeEach(async () => {
    if (skip) return;
    database = await create();
    app = await startTestPonte(database.url);
  });
  afterEach(async () => {
    if (skip) return;
    await app.stop();
    await database.drop();
  });

  const deps = () => ({ committer: app.ponte.committer, translator: app.ponte.translator, programmeTimezone: 'Europe/Lisbon', quietHours });
  async function session(pairId: string, startsAt: Date, extra: { status?: string; place?: string } = {}) {
    const id = randomUUID();
    await app.ponte.db.prisma.mentoringSession.create({
      data: { id, pairId, proposedBy: 'mentee', startsAt, minutes: 60, mode: 'in_person', place: extra.place ?? 'Biblioteca de Arroios', status: extra.status ?? 'confirmed' },
    });
    return id;
  }
  const at = (iso: string) => new Date(iso);
  async function tick(now: Date) {
    const n = await sendSessionReminders(deps(), now);
    await app.settle();
    return n;
  }

  it.skipIf(skip)('reminds both people a day and two hours before, in their own language and time, once each', async () => {
    const pair = await activePair(app.ponte.db.prisma, { menteeLocale: 'en', mentorLocale: 'pt' });
    await session(pair.pairId, localToInstant('2026-12-10', '18:00', 'Europe/Lisbon'));
    expect(await tick(at('2026-12-09T12:00:00Z'))).toBe(0);
    expect(await tick(at('2026-12-09T18:00:00Z'))).toBe(2);
    // The same tick again, and a later one: nothing twice.
    expect(await tick(at('2026-12-09T18:00:00Z'))).toBe(0);
    expect(await tick(at('2026-12-09T18:30:00Z'))).toBe(0);
    expect(await tick(at('2026-12-10T16:00:00Z'))).toBe(2);
    expect(await tick(at('2026-12-10T17:00:00Z'))).toBe(0);
    const texts = app.delivered.map((d) => [d.address, d.text]);
    expect(texts).toHaveLength(4);
    // English says 6:00 pm, Portuguese 18:00: each in their own way, in Lisbon's time.
    expect(texts.find(([a]) => a === pair.mentee)![1]).toMatch(/0?6:00\s?pm/i);
    expect(texts.find(([a]) => a === pair.mentor)![1]).toContain('18:00');
    expect(texts.find(([a]) => a === pair.mentor)![1]).toContain('Biblioteca de Arroios');
    const t = app.ponte.translator;
    expect(app.delivered.find((d) => d.address === pair.mentee)!.message.locale).toBe('en');
    expect(app.delivered.find((d) => d.address === pair.mentor)!.message.locale).toBe('pt');
    expect(texts.filter(([a]) => a === pair.mentee).map(([, text]) => text!.split(':')[0])).toEqual([
      t.t('en', 'sessions:reminder_24h', { with: '', when: '', minutes: 60, where: '' }).split(':')[0],
      t.t('en', 'sessions:reminder_2h', { with: 'your mentor', when: '', minutes: 60, where: '' }).split(':')[0],
    ]);
  });

  it.skipIf(skip)('waits out quiet hours, drops a reminder whose moment has passed, and ignores sessions not confirmed', async () => {
    const pair = await activePair(app.ponte.db.prisma);
    // 09:00 on the 10th: the day-before reminder falls at 09:00 on the 9th (fine); the 2-hour one at 07:00 (quiet).
    await session(pair.pairId, localToInstant('2026-12-10', '09:00', 'Europe/Lisbon'));
    await session(pair.pairId, localToInstant('2026-12-10', '12:00', 'Europe/Lisbon'), { status: 'proposed' });
    // Down all day on the 9th: at 07:30 on the 10th the day-before reminder is stale, the 2-hour one is in quiet hours.
    expect(await tick(at('2026-12-10T07:30:00Z'))).toBe(0);
    expect(await app.ponte.db.prisma.job.count({ where: { status: 'stale' } })).toBe(2);
    expect(await tick(at('2026-12-10T08:00:00Z'))).toBe(2);
    expect(app.delivered.every((d) => /\b0?9:00/.test(d.text))).toBe(true);
  });

  it.skipIf(skip)('keeps 10:00 local across the change to summer time, and reminds again after a session moves', async () => {
    const pair = await activePair(app.ponte.db.prisma);
    // Portugal moves its clocks forward on 28 March 2027 at 01:00.
    const startsAt = localToInstant('2027-03-28', '10:00', 'Europe/Lisbon');
    expect(startsAt.toISOString()).toBe('2027-03-28T09:00:00.000Z');
    const id = await session(pair.pairId, startsAt);
    expect(await tick(at('2027-03-27T09:00:00Z'))).toBe(2);
    expect(app.delivered.every((d) => /\b10:00/.test(d.text))).toBe(true);
    await app.ponte.db.prisma.mentoringSession.update({ where: { id }, data: { startsAt: localToInstant('2027-03-28', '11:00', 'Europe/Lisbon') } });
    expect(await tick(at('2027-03-27T10:30:00Z'))).toBe(2);
    expect(app.delivered.slice(2).every((d) => /\b11:00/.test(d.text))).toBe(true);
  });

  it.skipIf(skip)('sends each reminder once when two schedulers tick together, and after a restart in the due window', async () => {
    const pair = await activePair(app.ponte.db.prisma);
    await session(pair.pairId, localToInstant('2026-12-10', '18:00', 'Europe/Lisbon'));
    const other = createGroupCommitter(app.ponte.db.prisma);
    const now = at('2026-12-09T18:00:00Z');
    const [a, b] = await Promise.all([
      sendSessionReminders(deps(), now),
      sendSessionReminders({ ...deps(), committer: other }, now),
    ]);
    expect(a + b).toBe(2);
    await app.stop();
    app = await startTestPonte(database.url);
    expect(await tick(at('2026-12-09T18:01:00Z'))).toBe(0);
    expect(await app.ponte.db.prisma.outboxMessage.count()).toBe(2);
  });
});
