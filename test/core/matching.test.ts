import { describe, expect, it } from 'vitest';
import { criteria, rankMentors, type MentorCandidate } from '../../src/core/matching.js';
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

describe('ranking on a seeded population of 200 mentors and 500 mentees', () => {
  // A small deterministic generator, so a failure can be replayed.
  let seed = 20261123;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const some = <T,>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(xs)))];
  const languages = ['pt', 'en', 'ar', 'uk', 'fa', 'fr', 'es', 'ti', 'so', 'bn'];
  const areas = ['Lisboa', 'Porto', 'Amadora', 'Sintra', 'Braga', 'Faro'];
  const needs = ['housing', 'work', 'education', 'health', 'documents', 'language', 'children', 'social', 'business', 'citizenship', 'digital'] as const;
  const times = ['mornings', 'afternoons', 'evenings', 'weekends'] as const;
  const ages = ['18_25', '26_35', '36_50', '51_65', 'over_65'] as const;

  const mentors = Array.from({ length: 200 }, (_, i) =>
    mentor(`m${i}`, { languages: some(languages, 3), area: pick(areas), gender: pick(['woman', 'man', 'other'] as const), contactTimes: some(times, 2), expertise: some(needs, 3), capacity: 1 + Math.floor(random() * 3), ageRange: pick(ages) }, Math.floor(random() * 3)),
  );
  const mentees = Array.from({ length: 500 }, () => ({
    registration: mentee({
      languages: some(languages, 2),
      area: pick(areas),
      contactTimes: some(times, 2),
      ageRange: pick(['under_18', ...ages] as const),
      supervisedProgramme: random() < 0.5,
      prefGender: pick(['any', 'any', 'woman', 'man'] as const),
      prefSameLanguage: random() < 0.3,
    }),
    needs: some(needs, 3),
  }));

  it('ranks every mentor not excluded, best first, with a breakdown that adds up, and keeps every hard rule', () => {
    let ranked = 0;
    for (const m of mentees) {
      const result = rankMentors(m.registration, m.needs, mentors);
      const minorOutside = m.registration.ageRange === 'under_18' && !m.registration.supervisedProgramme;
      if (minorOutside) {
        expect(result.ranked).toEqual([]);
        continue;
      }
      expect(result.ranked.length + result.excluded.length).toBe(mentors.length);
      for (let i = 1; i < result.ranked.length; i += 1) expect(result.ranked[i - 1]!.score).toBeGreaterThanOrEqual(result.ranked[i]!.score);
      for (const r of result.ranked) {
        const candidate = mentors.find((x) => x.personId === r.personId)!;
        const b = r.breakdown;
        // The score is the breakdown's sum, rounded to one decimal.
        expect(Math.abs(Object.values(b).reduce((a, x) => a + x, 0) - r.score)).toBeLessThanOrEqual(0.05);
        for (const [criterion, max] of Object.entries(criteria)) expect(b[criterion as keyof typeof criteria]).toBeLessThanOrEqual(max);
        expect(candidate.activeMentees).toBeLessThan(candidate.registration.capacity);
        if (m.registration.prefGender !== 'any') expect(candidate.registration.gender).toBe(m.registration.prefGender);
        if (m.registration.prefSameLanguage) expect(candidate.registration.languages.some((l) => m.registration.languages.includes(l))).toBe(true);
      }
      for (const e of result.excluded) expect(e.reasons.length).toBeGreaterThan(0);
      ranked += result.ranked.length;
    }
    // The population is varied enough that most mentees have candidates.
    expect(ranked / mentees.length).toBeGreaterThan(20);
  });
});
