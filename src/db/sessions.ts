import type { Tx } from './client.js';

const personFields = { id: true, channel: true, address: true, locale: true, registration: true, organisation: { select: { timezone: true } } } as const;

/** Confirmed sessions (and informal meetings) starting after `now` and within `withinMs`, with both people (to remind them). */
export function upcomingConfirmedSessions(tx: Tx, now: Date, withinMs: number) {
  return tx.mentoringSession.findMany({
    where: { status: 'confirmed', startsAt: { gt: now, lte: new Date(now.getTime() + withinMs) }, pair: { status: { in: ['active', 'agreed'] } } },
    include: { pair: { include: { mentee: { select: personFields }, mentor: { select: personFields } } } },
    orderBy: { startsAt: 'asc' },
  });
}
