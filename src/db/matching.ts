import { rankMentors, type Ranking } from '../core/matching.js';
import { MenteeRegistration, MentorRegistration, Needs } from '../core/registration.js';
import type { Prisma } from './client.js';
import { openPairStatuses } from './pairs.js';

/**
 * Ranks the registered mentors of the mentee's organisation (or of the whole programme when the
 * mentee has none) for the mentee. Undefined when the person is not a registered mentee.
 */
export async function rankMentorsFor(prisma: Prisma, menteeId: string): Promise<Ranking | undefined> {
  const person = await prisma.person.findUnique({ where: { id: menteeId }, select: { registration: true, needs: true, organisationId: true } });
  const mentee = MenteeRegistration.safeParse(person?.registration);
  if (!person || !mentee.success) return undefined;
  const mentors = await prisma.person.findMany({
    where: { role: 'mentor', consent: 'granted', unreachableAt: null, ...(person.organisationId ? { organisationId: person.organisationId } : {}) },
    select: { id: true, registration: true, _count: { select: { pairsAsMentor: { where: { status: { in: [...openPairStatuses] } } } } } },
  });
  const candidates = mentors.flatMap((m) => {
    const registration = MentorRegistration.safeParse(m.registration);
    return registration.success ? [{ personId: m.id, registration: registration.data, activeMentees: m._count.pairsAsMentor }] : [];
  });
  return rankMentors(mentee.data, Needs.safeParse(person.needs).data?.areas ?? [], candidates);
}
