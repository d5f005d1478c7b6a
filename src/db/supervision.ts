import { randomUUID } from 'node:crypto';
import { audit } from './audit.js';
import type { Tx } from './client.js';
import { inScope, NotFound, refuseUnless, type Scope } from './scope.js';

/** The supervision times of the scope from `since`, soonest first, with who booked them. */
export function supervisionSlots(tx: Tx, scope: Scope, since: Date) {
  return tx.supervisionSlot.findMany({
    where: { ...inScope(scope), startsAt: { gt: since } },
    orderBy: { startsAt: 'asc' },
    take: 200,
    include: { mentor: { select: { id: true, registration: true, channel: true } } },
  });
}

/** A time the coordinator offers for mentors' monthly check-ins, in their organisation (an admin names one). */
export async function offerSupervisionSlot(
  tx: Tx,
  scope: Scope,
  slot: { organisationId: string | null; startsAt: Date; minutes: number; place: string },
  now: Date,
): Promise<string> {
  const organisationId = scope.role === 'admin' ? slot.organisationId : scope.organisationId;
  refuseUnless(organisationId, 'ORGANISATION', 'choose the organisation whose mentors the time is for');
  refuseUnless(slot.startsAt.getTime() > now.getTime(), 'PAST', 'the time must be in the future');
  const id = randomUUID();
  await tx.supervisionSlot.create({ data: { id, organisationId, staffId: scope.staffId, startsAt: slot.startsAt, minutes: slot.minutes, place: slot.place } });
  await audit(tx, scope, { kind: 'change', action: 'supervision.offer', subject: `supervision:${id}` });
  return id;
}

/** Withdraws a time nobody has booked. */
export async function withdrawSupervisionSlot(tx: Tx, scope: Scope, slotId: string): Promise<void> {
  const slot = await tx.supervisionSlot.findFirst({ where: { id: slotId, ...inScope(scope) } });
  if (!slot) throw new NotFound('supervision time');
  refuseUnless(slot.mentorId === null, 'BOOKED', 'a mentor has booked this time: tell them before anything else');
  await tx.supervisionSlot.delete({ where: { id: slotId } });
  await audit(tx, scope, { kind: 'change', action: 'supervision.withdraw', subject: `supervision:${slotId}` });
}
