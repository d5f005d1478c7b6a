import type { Tx } from './client.js';

/**
 * Everything stored about a person, as a plain object for their data export: their profile
 * and answers, self-assessments, info-day places, inbox items and the reports they made.
 * Platform ids other than their own chat id are left out.
 */
export async function personData(tx: Tx, personId: string): Promise<Record<string, unknown>> {
  const person = await tx.person.findUniqueOrThrow({
    where: { id: personId },
    include: {
      assessments: { select: { kind: true, role: true, answers: true, createdAt: true } },
      infoDaySignups: { select: { createdAt: true, cancelledAt: true, infoDay: { select: { title: true, place: true, startsAt: true } } } },
      inboxItems: { select: { kind: true, status: true, createdAt: true } },
    },
  });
  const reports = await tx.case.findMany({ where: { reporterId: personId }, select: { reference: true, kind: true, status: true, createdAt: true } });
  const { assessments, infoDaySignups, inboxItems, organisationId: _org, conversation: _c, ...profile } = person as typeof person & { conversation?: unknown };
  return { exportedAt: new Date().toISOString(), profile, assessments, infoDaySignups, inboxItems, reports };
}
