import { randomUUID } from 'node:crypto';
import { Prisma as P } from './generated/sqlite/client.js';
import type { Tx } from './client.js';
import { SessionState, sessionStateJson, type Profile } from '../core/session.js';

export interface StoredConversation {
  personId: string;
  profile: Profile;
  session: SessionState | null;
}

const roles = new Set(['mentee', 'mentor', 'visitor']);

/** A person's profile and session, or undefined for someone who never wrote before. */
export async function loadConversation(tx: Tx, channel: string, address: string): Promise<StoredConversation | undefined> {
  const person = await tx.person.findUnique({ where: { channel_address: { channel, address } }, include: { conversation: true } });
  if (!person) return undefined;
  const c = person.conversation;
  const parsed = c ? SessionState.safeParse({ ...(c.state as object), flowId: c.flowId, flowVersion: c.flowVersion, stepId: c.stepId, mode: c.mode }) : undefined;
  return {
    personId: person.id,
    profile: {
      locale: person.locale ?? 'en',
      localeConfirmed: person.localeConfirmed,
      consent: person.consent === 'granted' || person.consent === 'declined' ? person.consent : null,
      consentAt: person.consentAt?.toISOString() ?? null,
      role: person.role && roles.has(person.role) ? (person.role as Profile['role']) : null,
      source: person.source,
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
  const personal = profile.consent === 'granted' ? { role: profile.role, source: profile.source } : { role: null, source: null };
  const personData = {
    locale: profile.locale,
    localeConfirmed: profile.localeConfirmed,
    consent: profile.consent,
    consentAt: profile.consentAt ? new Date(profile.consentAt) : null,
    ...personal,
    lastInboundAt: now,
  };
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

/** Erases a person and everything hanging off them; the events they sent lose their content. */
export async function erasePerson(tx: Tx, personId: string, channel: string, address: string): Promise<void> {
  await tx.inboundEvent.updateMany({ where: { channel, address }, data: { payload: P.DbNull } });
  await tx.person.delete({ where: { id: personId } });
}

/** Opens a handover item for the coordinator inbox, unless one is already open. */
export async function openHandover(tx: Tx, personId: string): Promise<void> {
  const open = await tx.inboxItem.findFirst({ where: { personId, kind: 'handover', status: 'open' }, select: { id: true } });
  if (!open) await tx.inboxItem.create({ data: { id: randomUUID(), personId, kind: 'handover' } });
}

/** Closes the person's open handover items (they went back to the bot, or stopped). */
export async function closeHandover(tx: Tx, personId: string, now: Date): Promise<void> {
  await tx.inboxItem.updateMany({ where: { personId, kind: 'handover', status: 'open' }, data: { status: 'closed', closedAt: now } });
}
