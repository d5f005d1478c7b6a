import { normalise } from './commands.js';
import { ageRanges, type MenteeRegistration, type MentorRegistration } from './registration.js';
import type { z } from 'zod';

type Mentee = z.infer<typeof MenteeRegistration>;
type Mentor = z.infer<typeof MentorRegistration>;

/** A mentor as the matching engine sees them: their registration and how many mentees they have now. */
export interface MentorCandidate {
  personId: string;
  registration: Mentor;
  activeMentees: number;
}

/** Why a mentor cannot be proposed at all: the guide's hard rules. */
export type Exclusion = 'no_capacity' | 'gender_preference' | 'language_preference' | 'minor_unsupervised';

/** The criteria of the M4M guide, each with the points it can give. */
export const criteria = {
  languages: 30,
  needs: 25,
  availability: 15,
  area: 15,
  age: 5,
  background: 5,
  capacity: 5,
} as const;
export type Criterion = keyof typeof criteria;

export interface RankedMentor {
  personId: string;
  /** 0–100. */
  score: number;
  /** Points per criterion, so a coordinator sees why. */
  breakdown: Record<Criterion, number>;
}

export interface Ranking {
  ranked: RankedMentor[];
  excluded: { personId: string; reasons: Exclusion[] }[];
}

const share = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x));

/** The hard rules: a mentor over capacity, or against a stated preference, is never proposed. */
function exclusions(mentee: Mentee, mentor: MentorCandidate): Exclusion[] {
  const reasons: Exclusion[] = [];
  if (mentor.activeMentees >= mentor.registration.capacity) reasons.push('no_capacity');
  if (mentee.prefGender !== 'any' && mentor.registration.gender !== mentee.prefGender) reasons.push('gender_preference');
  if (mentee.prefSameLanguage && share(mentee.languages, mentor.registration.languages).filter((l) => l !== 'other').length === 0) {
    reasons.push('language_preference');
  }
  return reasons;
}

/** Points for one mentor against the mentee, per criterion. */
function score(mentee: Mentee, needs: readonly string[], mentor: MentorCandidate): Record<Criterion, number> {
  const m = mentor.registration;
  const languages = share(mentee.languages, m.languages).filter((l) => l !== 'other').length;
  const neededAreas = needs.length;
  const covered = share(needs, m.expertise).length;
  const times = share(mentee.contactTimes, m.contactTimes).length;
  const sameArea = normalise(mentee.area) === normalise(m.area) || normalise(mentee.area).includes(normalise(m.area)) || normalise(m.area).includes(normalise(mentee.area));
  const ageGap = Math.abs(ageRanges.indexOf(mentee.ageRange) - ageRanges.indexOf(m.ageRange));
  const remaining = m.capacity - mentor.activeMentees;
  return {
    languages: languages === 0 ? 0 : languages === 1 ? criteria.languages * 0.8 : criteria.languages,
    needs: neededAreas === 0 ? criteria.needs / 2 : (criteria.needs * covered) / neededAreas,
    availability: Math.min(criteria.availability, (criteria.availability * times) / Math.max(1, Math.min(mentee.contactTimes.length, 2))),
    area: sameArea ? criteria.area : 0,
    // The guide: some difference in age can help, none is required.
    age: ageGap === 1 || ageGap === 2 ? criteria.age : ageGap === 0 ? criteria.age / 2 : 0,
    // A mentor who migrated once knows the road (only known with their consent).
    background: m.migrationBackground === 'yes' ? criteria.background : 0,
    capacity: remaining >= 2 ? criteria.capacity : remaining === 1 ? criteria.capacity / 2 : 0,
  };
}

/**
 * Ranks mentors for a mentee, best first, with each score's breakdown; mentors the hard rules
 * exclude are listed apart with the reasons. A minor outside a supervised programme gets no
 * candidates at all. The engine proposes; a coordinator decides.
 */
export function rankMentors(mentee: Mentee, needs: readonly string[], mentors: readonly MentorCandidate[]): Ranking {
  if (mentee.ageRange === 'under_18' && !mentee.supervisedProgramme) {
    return { ranked: [], excluded: mentors.map((m) => ({ personId: m.personId, reasons: ['minor_unsupervised'] })) };
  }
  const ranked: RankedMentor[] = [];
  const excluded: Ranking['excluded'] = [];
  for (const mentor of mentors) {
    const reasons = exclusions(mentee, mentor);
    if (reasons.length > 0) {
      excluded.push({ personId: mentor.personId, reasons });
      continue;
    }
    const breakdown = score(mentee, needs, mentor);
    const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
    ranked.push({ personId: mentor.personId, score: Math.round(total * 10) / 10, breakdown });
  }
  ranked.sort((a, b) => b.score - a.score || a.personId.localeCompare(b.personId));
  return { ranked, excluded };
}
