import { randomUUID } from 'node:crypto';
import type { PairView, SessionView } from '../core/context.js';
import type { Action } from '../core/effects/index.js';
import { systemEvent } from '../core/events.js';
import type { Translator } from '../core/i18n.js';
import { otherSide, sessionSummary, type Side } from '../core/lifecycle.js';
import { localToInstant } from '../core/time.js';
import { personTimeZone } from '../core/registration.js';
import type { Dialect, Tx } from './client.js';
import { openItem } from './inbox.js';
import { openCaseFromFeedback, type CaseLimits } from './cases.js';
import { readConsultation } from './pairs.js';
import { Refused } from './scope.js';
import { insertInboundEvents, type StoredEventRef } from './inbound-events.js';
import { localeOf, tell } from './outbox.js';

type Person = { id: string; channel: string; address: string; locale: string | null };
const personFields = { id: true, channel: true, address: true, locale: true } as const;

/** The person's active (or paused) pair and its upcoming sessions, for the sessions flow. */
export async function loadPairView(tx: Tx, personId: string | undefined, now: Date): Promise<PairView | undefined> {
  if (!personId) return undefined;
  const pair = await tx.pair.findFirst({
    where: { status: 'active', OR: [{ menteeId: personId }, { mentorId: personId }] },
    select: { id: true, menteeId: true, sessions: { where: { status: { in: ['proposed', 'confirmed'] }, startsAt: { gt: now } }, orderBy: { startsAt: 'asc' }, take: 20 } },
  });
  if (!pair) return undefined;
  const sessions: SessionView[] = pair.sessions.map((s) => ({
    id: s.id,
    startsAt: s.startsAt.toISOString(),
    minutes: s.minutes,
    mode: s.mode === 'online' ? 'online' : 'in_person',
    place: s.place,
    status: s.status,
  }));
  return { id: pair.id, side: pair.menteeId === personId ? 'mentee' : 'mentor', sessions };
}

/**
 * Starts a flow in another person's conversation: a `push` event in their own queue, stored in
 * this transaction (so it is never lost, nor sent twice: `key` is its unique id) and handled in
 * their order. Returns the stored event, for the processor to queue once committed.
 */
export async function pushFlow(tx: Tx, dialect: Dialect, person: Pick<Person, 'channel' | 'address'>, key: string, data: Record<string, unknown>, now: number): Promise<StoredEventRef[]> {
  return insertInboundEvents(tx, dialect, [systemEvent(person, { name: 'push', data }, { externalId: `push:${key}`, receivedAt: now })]);
}

async function pairWithPeople(tx: Tx, pairId: string) {
  return tx.pair.findUnique({ where: { id: pairId }, include: { mentee: { select: personFields }, mentor: { select: personFields } } });
}

export interface LifecycleDeps {
  dialect: Dialect;
  translator: Translator;
  /** The case protocol's time limits (a concern told in feedback opens a case). */
  caseLimitHours: CaseLimits;
  /** For people who gave no time zone and whose organisation has none. */
  programmeTimezone: string;
}

/** The time zone a person's times are in: their own, else their organisation's, else the programme's. */
async function timeZoneOf(tx: Tx, personId: string, programmeTimezone: string): Promise<string> {
  const person = await tx.person.findUnique({ where: { id: personId }, select: { registration: true, organisation: { select: { timezone: true } } } });
  return person ? personTimeZone(person, programmeTimezone) : programmeTimezone;
}

const lifecycleActions = ['proposeSession', 'answerSession', 'cancelSession', 'sessionFeedback', 'surveyAnswers', 'closureChoice', 'afterMeeting', 'acknowledgeRules', 'bookSupervision', 'feedbackConcern'] as const;
type LifecycleAction = Extract<Action, { type: (typeof lifecycleActions)[number] }>;

export function isLifecycleAction(a: Action): a is LifecycleAction {
  return (lifecycleActions as readonly string[]).includes(a.type);
}

/**
 * What a turn of the mentoring lifecycle changes: sessions proposed, answered, cancelled, their
 * feedback, survey answers and the closure choice. Everything is checked against the pair the
 * person is in: a stale button or a forged id changes nothing. Returns events pushed to others.
 */
export async function applyLifecycleAction(tx: Tx, deps: LifecycleDeps, personId: string, action: LifecycleAction, now: Date): Promise<StoredEventRef[]> {
  const at = now.getTime();
  const t = deps.translator;
  switch (action.type) {
    case 'proposeSession': {
      const pair = await pairWithPeople(tx, action.pairId);
      if (!pair || pair.status !== 'active' || pair[`${action.side}Id`] !== personId) return [];
      const timeZone = await timeZoneOf(tx, personId, deps.programmeTimezone);
      let startsAt: Date;
      try {
        startsAt = localToInstant(action.day, action.time, timeZone);
      } catch {
        return [];
      }
      if (startsAt.getTime() <= at) return [];
      if (action.replaces) {
        await tx.mentoringSession.updateMany({ where: { id: action.replaces, pairId: pair.id, status: { in: ['proposed', 'confirmed'] } }, data: { status: 'cancelled' } });
      }
      const id = randomUUID();
      await tx.mentoringSession.create({ data: { id, pairId: pair.id, proposedBy: action.side, startsAt, minutes: action.minutes, mode: action.mode, place: action.place, status: 'proposed' } });
      const other = pair[otherSide(action.side)];
      return pushFlow(tx, deps.dialect, other, `session-offer:${id}`, {
        flowId: 'session_offer',
        sessionId: id,
        startsAt: startsAt.toISOString(),
        minutes: action.minutes,
        mode: action.mode,
        place: action.place,
        from: action.side,
      }, at);
    }
    case 'answerSession': {
      const session = await tx.mentoringSession.findUnique({ where: { id: action.sessionId }, include: { pair: { include: { mentee: { select: personFields }, mentor: { select: personFields } } } } });
      if (!session || session.status !== 'proposed' || session.pair[`${action.side}Id`] !== personId) return [];
      await tx.mentoringSession.update({ where: { id: session.id }, data: { status: action.answer === 'accept' ? 'confirmed' : 'declined' } });
      const proposer = session.pair[otherSide(action.side)];
      const key = { accept: 'sessions:told_accepted', decline: 'sessions:told_declined', other_time: 'sessions:told_other_time' }[action.answer];
      const locale = localeOf(proposer, t);
      const summary = sessionSummary({ ...session, startsAt: session.startsAt.toISOString(), mode: session.mode === 'online' ? 'online' : 'in_person' }, locale, await timeZoneOf(tx, proposer.id, deps.programmeTimezone), t);
      await tell(tx, t, proposer, key, { other: t.t(locale, `sessions:other_${action.side}`), session: summary });
      return [];
    }
    case 'cancelSession': {
      const pair = await pairWithPeople(tx, action.pairId);
      if (!pair || pair[`${action.side}Id`] !== personId) return [];
      const session = await tx.mentoringSession.findFirst({ where: { id: action.sessionId, pairId: pair.id, status: { in: ['proposed', 'confirmed'] } } });
      if (!session) return [];
      await tx.mentoringSession.update({ where: { id: session.id }, data: { status: 'cancelled' } });
      const other = pair[otherSide(action.side)];
      const locale = localeOf(other, t);
      const summary = sessionSummary({ ...session, startsAt: session.startsAt.toISOString(), mode: session.mode === 'online' ? 'online' : 'in_person' }, locale, await timeZoneOf(tx, other.id, deps.programmeTimezone), t);
      await tell(tx, t, other, 'sessions:told_cancelled', { other: t.t(locale, `sessions:other_${action.side}`), session: summary });
      return [];
    }
    case 'sessionFeedback': {
      const session = await tx.mentoringSession.findUnique({ where: { id: action.sessionId }, include: { pair: true } });
      if (!session || session.pair[`${action.side}Id`] !== personId) return [];
      const feedback = { happened: action.happened, rating: action.rating ?? null, comment: action.comment ?? null, progress: action.progress ?? null };
      await tx.sessionFeedback.upsert({
        where: { sessionId_side: { sessionId: session.id, side: action.side } },
        create: { sessionId: session.id, side: action.side, ...feedback },
        update: feedback,
      });
      // Held once either says it happened; missed while the only word is that it did not.
      const answers = await tx.sessionFeedback.findMany({ where: { sessionId: session.id }, select: { happened: true } });
      const status = answers.some((a) => a.happened) ? 'held' : 'missed';
      await tx.mentoringSession.update({ where: { id: session.id }, data: { status } });
      if (status === 'missed') await flagMissedSessions(tx, session.pair.id, session.pair.menteeId);
      return [];
    }
    case 'surveyAnswers': {
      const survey = await tx.surveyResponse.findUnique({ where: { id: action.surveyId } });
      if (!survey || survey.personId !== personId || survey.answeredAt) return [];
      await tx.surveyResponse.update({ where: { id: survey.id }, data: { answers: action.answers, answeredAt: now, needsCoordinator: action.needsCoordinator } });
      if (action.needsCoordinator) await openItem(tx, personId, 'survey_help');
      return [];
    }
    case 'afterMeeting': {
      const pair = await tx.pair.findUnique({ where: { id: action.pairId } });
      if (!pair || pair.status !== 'agreed' || pair[`${action.side}Id`] !== personId) return [];
      const consultation = readConsultation(pair.consultation);
      const informal = { ...consultation.informal, [action.side]: { answer: action.answer, at: now.toISOString() } };
      const declined = action.answer === 'no';
      await tx.pair.update({
        where: { id: pair.id },
        data: { consultation: { ...consultation, informal }, ...(declined ? { status: 'declined', reason: `after the informal meeting, the ${action.side} would rather not go on` } : {}) },
      });
      if (declined) await openItem(tx, pair.menteeId, 'consultation_declined');
      else if (informal.mentee?.answer === 'yes' && informal.mentor?.answer === 'yes') await openItem(tx, pair.menteeId, 'consultation_agreed');
      return [];
    }
    case 'acknowledgeRules': {
      const pair = await tx.pair.findUnique({ where: { id: action.pairId } });
      if (!pair || pair[`${action.side}Id`] !== personId) return [];
      const consultation = readConsultation(pair.consultation);
      await tx.pair.update({ where: { id: pair.id }, data: { consultation: { ...consultation, rules: { ...consultation.rules, [action.side]: now.toISOString() } } } });
      return [];
    }
    case 'feedbackConcern': {
      const session = await tx.mentoringSession.findUnique({ where: { id: action.sessionId }, include: { pair: true } });
      if (!session || session.pair[`${action.side}Id`] !== personId) return [];
      await openCaseFromFeedback(
        tx,
        { reporterId: personId, kind: 'other', description: action.text, contactOk: true, subjectId: session.pair[`${otherSide(action.side)}Id`], pairId: session.pair.id },
        deps.caseLimitHours,
        at,
      );
      return [];
    }
    case 'bookSupervision': {
      const mentor = await tx.person.findUnique({ where: { id: personId }, select: { ...personFields, organisationId: true } });
      if (!mentor) return [];
      // Free, still ahead, and offered by the mentor's own organisation; whoever books first has it.
      const { count } = await tx.supervisionSlot.updateMany({
        where: { id: action.slotId, mentorId: null, organisationId: mentor.organisationId, startsAt: { gt: now } },
        data: { mentorId: personId, bookedAt: now },
      });
      if (count > 0) {
        await tell(tx, t, mentor, 'supervision:booked', {});
        return [];
      }
      // Someone was quicker: the times still free are offered again.
      await tell(tx, t, mentor, 'supervision:taken', {});
      return pushFlow(tx, deps.dialect, mentor, `supervision-again:${action.slotId}:${personId}`, { flowId: 'supervision' }, at);
    }
    case 'closureChoice': {
      const pair = await tx.pair.findUnique({ where: { id: action.pairId } });
      if (!pair || (pair.menteeId !== personId && pair.mentorId !== personId)) return [];
      const side: Side = pair.menteeId === personId ? 'mentee' : 'mentor';
      await tx.surveyResponse.upsert({
        where: { personId_survey_period: { personId, survey: 'final', period: pair.id } },
        create: { id: randomUUID(), personId, survey: 'final', period: pair.id, role: side, sentAt: now, answeredAt: now, answers: { choice: action.choice } },
        update: { answeredAt: now, answers: { choice: action.choice } },
      });
      await openItem(tx, pair.menteeId, 'closure');
      return [];
    }
  }
}

/** Two sessions missed in a row: the coordinator should look at the pair. */
async function flagMissedSessions(tx: Tx, pairId: string, menteeId: string): Promise<void> {
  const lastTwo = await tx.mentoringSession.findMany({ where: { pairId, status: { in: ['held', 'missed'] } }, orderBy: { startsAt: 'desc' }, take: 2, select: { status: true } });
  if (lastTwo.length === 2 && lastTwo.every((s) => s.status === 'missed')) await openItem(tx, menteeId, 'missed_sessions');
}

export interface MeetingRequest {
  date: string;
  time: string;
  minutes: number;
  place: string;
}

/**
 * A meeting a coordinator arranges for a pair and attends: the informal one while the pair is
 * agreed (afterwards each is asked whether to go on), or the first formal one once confirmed.
 * The time is the mentee's local time. Both are told, each in their language and time zone.
 */
export async function arrangeMeeting(tx: Tx, t: Translator, programmeTimezone: string, pairId: string, meeting: MeetingRequest, now: Date): Promise<string> {
  const pair = await pairWithPeople(tx, pairId);
  if (!pair || (pair.status !== 'agreed' && pair.status !== 'active')) throw new Refused('PAIR_STATE', 'a meeting can be arranged for a pair both agreed to, or a confirmed one');
  let startsAt: Date;
  try {
    startsAt = localToInstant(meeting.date, meeting.time, await timeZoneOf(tx, pair.menteeId, programmeTimezone));
  } catch {
    throw new Refused('BAD_TIME', 'give the date as YYYY-MM-DD and the time as HH:MM');
  }
  if (startsAt.getTime() <= now.getTime()) throw new Refused('PAST', 'the meeting must be in the future');
  const formal = pair.status === 'active';
  const id = randomUUID();
  await tx.mentoringSession.create({ data: { id, pairId, proposedBy: 'coordinator', startsAt, minutes: meeting.minutes, mode: 'in_person', place: meeting.place, status: 'confirmed', formal } });
  for (const side of ['mentee', 'mentor'] as const) {
    const person = pair[side];
    const locale = localeOf(person, t);
    const summary = sessionSummary({ startsAt: startsAt.toISOString(), minutes: meeting.minutes, mode: 'in_person', place: meeting.place }, locale, await timeZoneOf(tx, person.id, programmeTimezone), t);
    await tell(tx, t, person, formal ? 'sessions:told_first_meeting' : 'sessions:told_meeting', { other: t.t(locale, `sessions:other_${otherSide(side)}`), session: summary });
  }
  return id;
}

/** The free supervision times ahead of the person's organisation, soonest first (for the flow). */
export async function openSupervisionSlots(tx: Tx, organisationId: string | null, now: Date): Promise<{ id: string; startsAt: string }[]> {
  const slots = await tx.supervisionSlot.findMany({ where: { organisationId, mentorId: null, startsAt: { gt: now } }, orderBy: { startsAt: 'asc' }, take: 9, select: { id: true, startsAt: true } });
  return slots.map((s) => ({ id: s.id, startsAt: s.startsAt.toISOString() }));
}
