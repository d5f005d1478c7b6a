import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { rankMentorsFor } from '../../src/db/matching.js';
import { openTestDb, sqliteDatabase } from '../helpers/databases.js';

const base = { languages: ['pt'], area: 'Lisboa', contactTimes: ['evenings'], completedAt: '2026-11-01T10:00:00Z', ageRange: '36_50' };

describe('ranking the stored mentors for a stored mentee', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDb(sqliteDatabase());
  });
  afterEach(() => db.close());

  const person = (id: string, role: string, registration: object, extra: object = {}) =>
    db.prisma.person.create({ data: { id, channel: 'local', address: id, locale: 'pt', consent: 'granted', role, registration, ...extra } });

  it('reads registrations and needs, and leaves out mentors who are unreachable or did not consent', async () => {
    await person('m', 'mentee', { role: 'mentee', name: 'A', gender: 'woman', prefGender: 'any', prefSameLanguage: true, heardFrom: 'friend', ...base }, { needs: { areas: ['work'], urgency: 'no_rush', goal: 'a job', at: '2026-11-01T10:00:00Z' } });
    const mentor = { role: 'mentor', gender: 'man', capacity: 1, training: 'done', ethicsAcknowledgedAt: '2026-11-01T10:00:00Z', ...base };
    await person('good', 'mentor', { ...mentor, name: 'G', expertise: ['work'] });
    await person('other', 'mentor', { ...mentor, name: 'O', expertise: ['digital'] });
    await person('gone', 'mentor', { ...mentor, name: 'X', expertise: ['work'] }, { unreachableAt: new Date() });
    await person('nope', 'mentor', { ...mentor, name: 'N', expertise: ['work'] }, { consent: 'declined' });
    const ranking = await rankMentorsFor(db.prisma, 'm');
    expect(ranking?.ranked.map((r) => r.personId)).toEqual(['good', 'other']);
    expect(ranking!.ranked[0]!.breakdown.needs).toBe(25);
    expect(await rankMentorsFor(db.prisma, 'good')).toBeUndefined();
  });
});
