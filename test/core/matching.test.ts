import { describe, expect, it } from 'vitest';
import { rankMentors, type MentorCandidate } from '../../src/core/matching.js';
import type { MenteeRegistration, MentorRegistration } from '../../src/core/registration.js';
import type { z } from 'zod';

const mentee = (over: Partial<z.infer<typeof MenteeRegistration>> = {}): z.infer<typeof MenteeRegistration> => ({
  role: 'mentee',
  name: 'Amira',
  ageRange: '26_35',
  languages: ['ar', 'pt'],
  area: 'Arroios, Lisboa',
  gender: 'woman',
  contactTimes: ['evenings', 'weekends'],
  completedAt: '2026-11-01T10:00:00Z',
  prefGender: 'any',
  prefSameLanguage: false,
  heardFrom: 'friend',
  ...over,
});

const mentor = (personId: string, over: Partial<z.infer<typeof MentorRegistration>> = {}, activeMentees = 0): MentorCandidate => ({
  personId,
  activeMentees,
  registration: {
    role: 'mentor',
    name: personId,
    ageRange: '36_50',
    languages: ['pt', 'en'],
    area: 'Lisboa',
    gender: 'man',
    contactTimes: ['evenings'],
    completedAt: '2026-11-01T10:00:00Z',
    expertise: ['work'],
    capacity: 2,
    training: 'done',
    ethicsAcknowledgedAt: '2026-11-01T10:00:00Z',
    ...over,
  },
});

describe('ranking mentors for a mentee', () => {
  it('puts the mentor who shares languages, needs, times and area first, and says why', () => {
    const { ranked } = rankMentors(mentee(), ['housing', 'work'], [
      mentor('far', { area: 'Porto', languages: ['en'], expertise: ['digital'], contactTimes: ['mornings'] }),
      mentor('close', { languages: ['ar', 'pt'], expertise: ['housing', 'work'], contactTimes: ['evenings', 'weekends'], migrationBackground: 'yes' }),
      mentor('middle'),
    ]);
    expect(ranked.map((r) => r.personId)).toEqual(['close', 'middle', 'far']);
    expect(ranked[0]!.breakdown).toEqual({ languages: 30, needs: 25, availability: 15, area: 15, age: 5, background: 5, capacity: 5 });
    expect(ranked[0]!.score).toBe(100);
    expect(ranked[2]!.breakdown.languages).toBe(0);
    expect(ranked[2]!.breakdown.area).toBe(0);
  });

  it('never proposes a mentor at capacity or against a stated preference', () => {
    const { ranked, excluded } = rankMentors(mentee({ prefGender: 'woman', prefSameLanguage: true }), ['work'], [
      mentor('full', { gender: 'woman', languages: ['ar'] }, 2),
      mentor('man', { languages: ['ar'] }),
      mentor('no-shared-language', { gender: 'woman', languages: ['en'] }),
      mentor('fits', { gender: 'woman', languages: ['ar'] }),
    ]);
    expect(ranked.map((r) => r.personId)).toEqual(['fits']);
    expect(excluded).toEqual([
      { personId: 'full', reasons: ['no_capacity'] },
      { personId: 'man', reasons: ['gender_preference'] },
      { personId: 'no-shared-language', reasons: ['language_preference'] },
    ]);
  });

  it('proposes no one for a minor outside a supervised programme, and the usual ranking inside one', () => {
    const alone = rankMentors(mentee({ ageRange: 'under_18', guardianConsent: true, supervisedProgramme: false }), [], [mentor('a')]);
    expect(alone.ranked).toEqual([]);
    expect(alone.excluded).toEqual([{ personId: 'a', reasons: ['minor_unsupervised'] }]);
    const school = rankMentors(mentee({ ageRange: 'under_18', guardianConsent: true, supervisedProgramme: true }), [], [mentor('a')]);
    expect(school.ranked.map((r) => r.personId)).toEqual(['a']);
  });
});
