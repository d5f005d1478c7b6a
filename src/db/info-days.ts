import { randomUUID } from 'node:crypto';
import type { InfoDayView } from '../core/context.js';
import type { Prisma, Tx } from './client.js';

/** Info days shown in chat: the next ones, at most nine (a WhatsApp list holds ten rows with "back"). */
const SHOWN = 9;

/**
 * The upcoming info days a person can see (their organisation's and the programme-wide ones),
 * with whether they are signed up and whether each is full.
 */
export async function upcomingInfoDays(tx: Tx, personId: string | undefined, organisationId: string | null, now: Date): Promise<InfoDayView[]> {
  const days = await tx.infoDay.findMany({
    where: { startsAt: { gt: now }, OR: [{ organisationId: null }, ...(organisationId ? [{ organisationId }] : [])] },
    orderBy: { startsAt: 'asc' },
    take: SHOWN,
    include: { signups: { where: { cancelledAt: null }, select: { personId: true } } },
  });
  return days.map((d) => ({
    id: d.id,
    title: d.title,
    place: d.place,
    startsAt: d.startsAt.toISOString(),
    signedUp: personId !== undefined && d.signups.some((s) => s.personId === personId),
    full: d.capacity !== null && d.signups.length >= d.capacity,
  }));
}

/** Signs a person up (again, if they had cancelled). */
export async function signUpForInfoDay(tx: Tx, infoDayId: string, personId: string): Promise<void> {
  await tx.infoDaySignup.upsert({
    where: { infoDayId_personId: { infoDayId, personId } },
    create: { infoDayId, personId },
    update: { cancelledAt: null, remindedAt: null },
  });
}

export async function cancelInfoDaySignup(tx: Tx, infoDayId: string, personId: string, now: Date): Promise<void> {
  await tx.infoDaySignup.updateMany({ where: { infoDayId, personId, cancelledAt: null }, data: { cancelledAt: now } });
}

/** Creates an info day (for the operator's command line until coordinators have the inbox). */
export async function createInfoDay(
  prisma: Prisma,
  day: { organisationId: string | null; title: string; place: string; startsAt: Date; capacity: number | null },
): Promise<string> {
  const id = randomUUID();
  await prisma.infoDay.create({ data: { id, ...day } });
  return id;
}

/** Signups whose info day starts within `withinMs` and who have not been reminded. */
export function dueInfoDayReminders(tx: Tx, now: Date, withinMs: number) {
  return tx.infoDaySignup.findMany({
    where: { cancelledAt: null, remindedAt: null, infoDay: { startsAt: { gt: now, lte: new Date(now.getTime() + withinMs) } } },
    include: { infoDay: { include: { organisation: { select: { timezone: true } } } }, person: true },
  });
}
