import { randomUUID } from 'node:crypto';
import { Prisma as P } from './generated/sqlite/client.js';
import type { Tx } from './client.js';
import { Needs, Registration } from '../core/registration.js';
import { SessionState, sessionStateJson, type Profile } from '../core/session.js';

export interface StoredConversation {
  personId: string;
  organisationId: string | null;
  /** The person's organisation's time zone, if they came through one. */
  timeZone: string | undefined;
  profile: Profile;
  session: SessionState | null;
}

const roles = new Set(['mentee', 'mentor', 'visitor']);

/** A person's profile and session, or undefined for someone who never wrote before. */
export async function loadConversation(tx: Tx, channel: string, address: string): Promise<StoredConversation | undefined> {
  const person = await tx.person.findUnique({
    where: { channel_address: { channel, address } },
    include: { conversation: true, organisation: { select: { timezone: true } } },
  });
  if (!person) return undefined;
  const c = person.conversation;
  const parsed = c ? SessionState.safeParse({ ...(c.state as object), flowId: c.flowId, flowVersion: c.flowVersion, stepId: c.stepId, mode: c.mode }) : undefined;
  return {
    personId: person.id,
    organisationId: person.organisationId,
    timeZone: person.organisation?.timezone,
    profile: {
      locale: person.locale ?? 'en',
      localeConfirmed: person.localeConfirmed,
      consent: person.consent === 'granted' || person.consent === 'declined' ? person.consent : null,
      consentAt: person.consentAt?.toISOString() ?? null,
      role: person.role && roles.has(person.role) ? (person.role as Profile['role']) : null,
      source: person.source,
      registration: Registration.safeParse(person.registration).data ?? null,
      needs: Needs.safeParse(person.needs).data ?? null,
      surveysOff: person.surveysOff,
    },
    // A session that no longer reads as one starts over rather than failing every message.
    session: parsed?.success ? parsed.data : null,
  };
}

/** Saves a person's profile and session after a turn; creates the person on their first message. */
export async function saveConversation(
  tx: Tx,
  who: { channel: string; address: string; personId: string | undefined },
  profile: Profile,
  session: SessionState,
  now: Date,
): Promise<string> {
  // Without consent only what is needed to answer is kept: the language and where we are.
  const personal =
    profile.consent === 'granted'
      ? { role: profile.role, source: profile.source, registration: (profile.registration ?? P.DbNull) as P.InputJsonValue, needs: (profile.needs ?? P.DbNull) as P.InputJsonValue }
      : { role: null, source: null, registration: P.DbNull, needs: P.DbNull };
  const personData = {
    locale: profile.locale,
    localeConfirmed: profile.localeConfirmed,
    consent: profile.consent,
    consentAt: profile.consentAt ? new Date(profile.consentAt) : null,
    surveysOff: profile.surveysOff,
    ...personal,
    lastInboundAt: now,
  };
  // A deep-link source naming an organisation makes the person one of theirs.
  const organisation = personal.source ? await tx.organisation.findUnique({ where: { slug: personal.source }, select: { id: true } }) : null;
  if (organisation) Object.assign(personData, { organisationId: organisation.id });
  const personId = who.personId ?? randomUUID();
  if (who.personId) await tx.person.update({ where: { id: personId }, data: personData });
  else await tx.person.create({ data: { id: personId, channel: who.channel, address: who.address, ...personData } });
  const conversation = {
    flowId: session.flowId,
    flowVersion: session.flowVersion,
    stepId: session.stepId,
    mode: session.mode,
    state: sessionStateJson(session) as P.InputJsonValue,
  };
  await tx.conversation.upsert({ where: { personId }, create: { personId, ...conversation }, update: conversation });
  return personId;
}

/**
 * Erases a person and everything hanging off them; the events they sent lose their content.
 * Their safeguarding reports stay (a case must be kept), no longer linked to them.
 */
export async function erasePerson(tx: Tx, personId: string, channel: string, address: string): Promise<void> {
  await tx.inboundEvent.updateMany({ where: { channel, address }, data: { payload: P.DbNull } });
  await tx.outboxMessage.updateMany({ where: { channel, address, status: { in: ['sent', 'failed'] } }, data: { payload: P.DbNull } });
  await tx.case.updateMany({ where: { reporterId: personId }, data: { reporterId: null } });
  // What a channel keeps per person to reach them (a Bot Framework conversation reference).
  await tx.setting.deleteMany({ where: { key: `${channel}:ref:${address}` } });
  await tx.person.delete({ where: { id: personId } });
}

/** Files a report from the chat as a new case; urgent when someone is in danger or a minor is at risk. */
export async function openCase(
  tx: Tx,
  reporterId: string,
  report: { reference: string; kind: string; happened: string; danger: boolean; description: string; contactOk: boolean },
): Promise<void> {
  await tx.case.create({ data: { id: randomUUID(), reporterId, ...report, urgent: report.danger || report.kind === 'minor' } });
}

/** Keeps a self-assessment. */
export async function saveAssessment(tx: Tx, personId: string, a: { kind: string; role: string; answers: Record<string, number> }): Promise<void> {
  await tx.assessment.create({ data: { id: randomUUID(), personId, kind: a.kind, role: a.role, answers: a.answers } });
}

/** Opens an item of this kind for the coordinator inbox, unless one is already open. */
export async function openInboxItem(tx: Tx, personId: string, kind: 'handover' | 'crisis', urgent = false): Promise<void> {
  const open = await tx.inboxItem.findFirst({ where: { personId, kind, status: 'open' }, select: { id: true } });
  if (!open) await tx.inboxItem.create({ data: { id: randomUUID(), personId, kind, urgent } });
}

/** Closes the person's open handover items (they went back to the bot, or stopped). */
export async function closeHandover(tx: Tx, personId: string, now: Date): Promise<void> {
  await tx.inboxItem.updateMany({ where: { personId, kind: 'handover', status: 'open' }, data: { status: 'closed', closedAt: now } });
}
