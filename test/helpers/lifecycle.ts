import { randomUUID } from 'node:crypto';
import menuFlow from '../../flows/menu.js';
import type { Prisma } from '../../src/db/client.js';

const base = { languages: ['pt', 'en'], area: 'Lisboa', gender: 'woman', contactTimes: ['evenings'], completedAt: '2026-09-01T10:00:00Z' };

/** A registered person on the local channel, straight into the database. */
export async function registeredPerson(
  prisma: Prisma,
  p: { address: string; role: 'mentee' | 'mentor'; locale: string; organisationId?: string | null; name?: string; timeZone?: string; channel?: string },
): Promise<string> {
  const id = randomUUID();
  const registration =
    p.role === 'mentee'
      ? { role: 'mentee', name: p.name ?? 'Amina', ageRange: '26_35', ...base, prefGender: 'any', prefSameLanguage: false, heardFrom: 'friend' }
      : { role: 'mentor', name: p.name ?? 'Rita', ageRange: '36_50', ...base, expertise: ['work', 'housing'], capacity: 2, training: 'done', ethicsAcknowledgedAt: base.completedAt };
  await prisma.person.create({
    data: {
      id,
      channel: p.channel ?? 'local',
      address: p.address,
      locale: p.locale,
      localeConfirmed: true,
      consent: 'granted',
      consentAt: new Date('2026-09-01T10:00:00Z'),
      role: p.role,
      organisationId: p.organisationId ?? null,
      registration: p.timeZone ? { ...registration, timeZone: p.timeZone } : registration,
      // Resting in the menu, as after registration.
      conversation: { create: { flowId: 'menu', flowVersion: menuFlow.version, stepId: null, mode: 'bot', state: { misses: 0, promptSeq: 1, data: {} } } },
    },
  });
  return id;
}

/** An active pair of a new mentee and mentor. */
export async function activePair(prisma: Prisma, options: { organisationId?: string | null; menteeLocale?: string; mentorLocale?: string; prefix?: string } = {}) {
  const prefix = options.prefix ?? 'p';
  const menteeId = await registeredPerson(prisma, { address: `${prefix}-mentee`, role: 'mentee', locale: options.menteeLocale ?? 'en', organisationId: options.organisationId ?? null });
  const mentorId = await registeredPerson(prisma, { address: `${prefix}-mentor`, role: 'mentor', locale: options.mentorLocale ?? 'pt', organisationId: options.organisationId ?? null });
  const pairId = randomUUID();
  await prisma.pair.create({
    data: { id: pairId, organisationId: options.organisationId ?? null, menteeId, mentorId, status: 'active', consultation: {}, confirmedAt: new Date('2026-10-01T10:00:00Z') },
  });
  return { pairId, menteeId, mentorId, mentee: `${prefix}-mentee`, mentor: `${prefix}-mentor` };
}
