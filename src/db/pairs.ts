import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConsultRequest, describeForMatch, type ConsultAnswer, type PairSide } from '../core/consultation.js';
import type { Translator } from '../core/i18n.js';
import { Needs, Registration } from '../core/registration.js';
import type { Prisma as P } from './generated/sqlite/client.js';
import { audit } from './audit.js';
import type { Tx } from './client.js';
import { openItem } from './inbox.js';
import { tell } from './outbox.js';
import { inScope, NotFound, personInScope, type Scope, refuseUnless } from './scope.js';

export type PairStatus = 'consulting' | 'agreed' | 'active' | 'paused' | 'ended' | 'declined';
export const pairStatuses = ['consulting', 'agreed', 'active', 'paused', 'ended', 'declined'] as const satisfies readonly PairStatus[];

/**
 * The statuses in which a pair holds a place: a mentee has at most one such pair, and each
 * counts towards the mentor's capacity (a proposal being asked about too, so two consultations
 * cannot overfill a mentor).
 */
export const openPairStatuses = ['consulting', 'agreed', 'active', 'paused'] as const satisfies readonly PairStatus[];

/** The inbox items the consultation opens; they close when the pair moves on. */
const consultationItems = ['consultation_question', 'consultation_agreed', 'consultation_declined'] as const;

/** Which statuses a pair may come from to reach each status by a coordinator's change. */
const changeableFrom: Record<'active' | 'paused' | 'ended', readonly PairStatus[]> = {
  active: ['paused'],
  paused: ['active'],
  ended: ['consulting', 'agreed', 'active', 'paused'],
};

/** One side's answer to the consultation, in the person's own words where they gave some. */
const SideAnswer = z.object({
  answer: z.enum(['yes', 'no', 'question']),
  /** Their latest question for the coordinator (kept after they answer). */
  question: z.string().optional(),
  /** Why not, when they said so. */
  reason: z.string().optional(),
  at: z.string(),
});
export type SideAnswer = z.infer<typeof SideAnswer>;

/**
 * `Pair.consultation`: each side's answer under `mentee` / `mentor`; when each was asked; and who
 * could not be asked because they were with a coordinator or had asked the bot to stop.
 */
export const Consultation = z.object({
  mentee: SideAnswer.optional(),
  mentor: SideAnswer.optional(),
  asked: z.object({ mentee: z.string().optional(), mentor: z.string().optional() }).optional(),
  notAsked: z
    .object({
      mentee: z.object({ mode: z.enum(['handover', 'stopped']), at: z.string() }).optional(),
      mentor: z.object({ mode: z.enum(['handover', 'stopped']), at: z.string() }).optional(),
    })
    .optional(),
  /** After the informal meeting: whether each side would like to go on. */
  informal: z.object({ mentee: z.object({ answer: z.enum(['yes', 'no']), at: z.string() }).optional(), mentor: z.object({ answer: z.enum(['yes', 'no']), at: z.string() }).optional() }).optional(),
  /** When each side agreed, in chat, to the ground rules and the code of ethics. */
  rules: z.object({ mentee: z.string().optional(), mentor: z.string().optional() }).optional(),
});
export type Consultation = z.infer<typeof Consultation>;

/** A pair's consultation as stored; a shape it cannot read counts as nobody asked yet. */
export function readConsultation(json: unknown): Consultation {
  return Consultation.safeParse(json).data ?? {};
}

/** Whether a side has decided (yes or no); a question is not a decision. */
export function hasDecided(consultation: Consultation, side: PairSide): boolean {
  const answer = consultation[side]?.answer;
  return answer === 'yes' || answer === 'no';
}

/** A pair in scope, with both people (to tell them); NotFound when missing or another organisation's. */
export async function pairInScope(tx: Tx, scope: Scope, pairId: string) {
  const pair = await tx.pair.findFirst({ where: { id: pairId, ...inScope(scope) }, include: { mentee: true, mentor: true } });
  if (!pair) throw new NotFound('pair');
  return pair;
}

type PairWithPeople = Awaited<ReturnType<typeof pairInScope>>;

/** Closes the open consultation items of both people of a pair. */
async function closeConsultationItems(tx: Tx, pair: { menteeId: string; mentorId: string }, kinds: readonly string[], now: number): Promise<number> {
  const { count } = await tx.inboxItem.updateMany({
    where: { personId: { in: [pair.menteeId, pair.mentorId] }, status: 'open', kind: { in: [...kinds] } },
    data: { status: 'closed', closedAt: new Date(now) },
  });
  return count;
}

/**
 * Pauses, resumes or ends a pair (from the pairs page or a case action) and tells both people in
 * their own language with the `pairs:status_<status>` text. The reason stays with the pair for
 * coordinators; people are not given it. Ending a pair that never started (still being asked
 * about, or agreed but not confirmed) withdraws the proposal: only those who were asked are told.
 */
export async function changePairStatus(
  tx: Tx,
  scope: Scope,
  translator: Translator,
  pairId: string,
  status: 'active' | 'paused' | 'ended',
  reason: string,
  now: number,
): Promise<void> {
  const pair = await pairInScope(tx, scope, pairId);
  if (pair.status === status) return;
  const from = pair.status as PairStatus;
  refuseUnless(changeableFrom[status].includes(from), 'PAIR_STATE', `a ${from} pair cannot be made ${status}`);
  await tx.pair.update({ where: { id: pairId }, data: { status, reason, ...(status === 'ended' ? { endedAt: new Date(now) } : {}) } });
  const started = from === 'active' || from === 'paused';
  const consultation = readConsultation(pair.consultation);
  const told = started ? [pair.mentee, pair.mentor] : [pair.mentee, pair.mentor].filter((_, i) => consultation.asked?.[i === 0 ? 'mentee' : 'mentor']);
  for (const person of told) await tell(tx, translator, person, started ? `pairs:status_${status}` : 'pairs:withdrawn', {}, now);
  const closed = status === 'ended' ? await closeConsultationItems(tx, pair, consultationItems, now) : 0;
  await audit(tx, scope, { kind: 'change', action: `pair.${status}`, subject: `pair:${pairId}`, detail: { from, reason, itemsClosed: closed } });
}

/** The mentee and mentor a coordinator picked from the ranking, with the engine's score. */
export interface Proposal {
  menteeId: string;
  mentorId: string;
  score: number;
}

/** A consultation to start in a person's chat: the `consult` event's address and data. */
export interface ConsultTarget {
  channel: string;
  address: string;
  request: ConsultRequest;
}

/** What each side is told about the other: built from the registrations, never the name or contacts. */
function consultTargets(pair: PairWithPeople, sides: readonly PairSide[]): ConsultTarget[] {
  return sides.map((side) => {
    const person = side === 'mentee' ? pair.mentee : pair.mentor;
    const other = side === 'mentee' ? pair.mentor : pair.mentee;
    const registration = Registration.parse(other.registration);
    const needs = Needs.safeParse(other.needs).data ?? null;
    return { channel: person.channel, address: person.address, request: { pairId: pair.id, side, other: describeForMatch(registration, needs) } };
  });
}

/**
 * Proposes a pair (M4M step 5): the coordinator's choice among the ranked candidates. The pair
 * waits in `consulting` while both sides are asked in chat; the caller queues the returned
 * consultations in each person's own order. A mentee has one open pair at a time, and a person
 * is asked about one match at a time.
 */
export async function proposePair(tx: Tx, scope: Scope, proposal: Proposal, now: number): Promise<{ pairId: string; consult: ConsultTarget[] }> {
  const mentee = await personInScope(tx, scope, proposal.menteeId);
  const mentor = await personInScope(tx, scope, proposal.mentorId);
  refuseUnless(Registration.safeParse(mentee.registration).data?.role === 'mentee', 'NOT_A_MENTEE', 'this person is not a registered mentee');
  refuseUnless(Registration.safeParse(mentor.registration).data?.role === 'mentor', 'NOT_A_MENTOR', 'the chosen person is not a registered mentor');
  // A mentee without an organisation is matched across the programme (as the ranking does).
  refuseUnless(!mentee.organisationId || mentee.organisationId === mentor.organisationId, 'OTHER_ORGANISATION', 'the mentor belongs to another organisation');
  const open = await tx.pair.findFirst({ where: { menteeId: mentee.id, status: { in: [...openPairStatuses] } }, select: { status: true } });
  refuseUnless(!open, 'MENTEE_PAIRED', `this mentee already has a pair (${open?.status}); end it before proposing another`);
  const busy = await tx.pair.findFirst({ where: { mentorId: mentor.id, status: 'consulting' }, select: { id: true } });
  refuseUnless(!busy, 'MENTOR_BEING_ASKED', 'this mentor is being asked about another match; wait for that answer');
  const id = randomUUID();
  await tx.pair.create({
    data: {
      id,
      organisationId: mentee.organisationId,
      menteeId: mentee.id,
      mentorId: mentor.id,
      status: 'consulting',
      consultation: {},
      score: proposal.score,
      proposedBy: scope.staffId,
    },
  });
  // The mentee is back in matching with this proposal: an earlier decline is dealt with.
  await tx.inboxItem.updateMany({ where: { personId: mentee.id, status: 'open', kind: 'consultation_declined' }, data: { status: 'closed', closedAt: new Date(now) } });
  await audit(tx, scope, { kind: 'change', action: 'pair.propose', subject: `pair:${id}`, detail: { mentee: mentee.id, mentor: mentor.id, score: proposal.score } });
  return { pairId: id, consult: consultTargets(await pairInScope(tx, scope, id), ['mentee', 'mentor']) };
}

/**
 * Asks one side again (after the coordinator answered their question, or once they are back
 * with the bot): only while the pair is being asked about and that side has not decided.
 */
export async function askAgain(tx: Tx, scope: Scope, pairId: string, side: PairSide, now: number): Promise<ConsultTarget> {
  const pair = await pairInScope(tx, scope, pairId);
  refuseUnless(pair.status === 'consulting', 'PAIR_STATE', `a ${pair.status} pair is not being asked about`);
  refuseUnless(!hasDecided(readConsultation(pair.consultation), side), 'ALREADY_ANSWERED', `the ${side} has already answered`);
  const personId = side === 'mentee' ? pair.menteeId : pair.mentorId;
  await tx.inboxItem.updateMany({ where: { personId, status: 'open', kind: 'consultation_question' }, data: { status: 'closed', closedAt: new Date(now) } });
  await audit(tx, scope, { kind: 'change', action: 'pair.ask', subject: `pair:${pairId}`, detail: { side } });
  return consultTargets(pair, [side])[0]!;
}

/**
 * Confirms a pair both sides agreed to (M4M step 6): it becomes active, and each person is told
 * who their mentor or mentee is, that a coordinator will arrange the first meeting, and the
 * ground rules.
 */
export async function confirmPair(tx: Tx, scope: Scope, translator: Translator, pairId: string, now: number): Promise<void> {
  const pair = await pairInScope(tx, scope, pairId);
  refuseUnless(pair.status === 'agreed', 'PAIR_STATE', `only a pair both sides agreed to can be confirmed (this one is ${pair.status})`);
  await tx.pair.update({ where: { id: pairId }, data: { status: 'active', confirmedAt: new Date(now) } });
  const sides = [
    { person: pair.mentee, other: pair.mentor, key: 'consultation:confirmed_mentee' },
    { person: pair.mentor, other: pair.mentee, key: 'consultation:confirmed_mentor' },
  ];
  // The ground rules follow as a question of their own (flows/ground-rules.ts), to be agreed to.
  for (const { person, other, key } of sides) await tell(tx, translator, person, key, { name: Registration.safeParse(other.registration).data?.name ?? '' }, now);
  const closed = await closeConsultationItems(tx, pair, consultationItems, now);
  await audit(tx, scope, { kind: 'change', action: 'pair.confirm', subject: `pair:${pairId}`, detail: { itemsClosed: closed } });
}

/** A step of the consultation, from the person's chat (the `consultation` action). */
export interface ConsultationStep {
  pairId: string;
  side: PairSide;
  answer: ConsultAnswer;
  text?: string;
  mode?: 'handover' | 'stopped';
}

/**
 * Records a step of the consultation on the pair, in the person's own transaction: that they
 * were asked (or could not be), or their answer. Both yes: the pair is agreed and waits for a
 * coordinator to confirm it. A no: the pair is declined and the mentee goes back to matching. A
 * question: it waits in the inbox. Steps about a pair that moved on meanwhile change nothing.
 */
export async function recordConsultation(tx: Tx, personId: string, step: ConsultationStep, now: Date): Promise<void> {
  const pair = await tx.pair.findUnique({ where: { id: step.pairId } });
  // The event named a pair the person is not on that side of: never trust it.
  if (!pair || (step.side === 'mentee' ? pair.menteeId : pair.mentorId) !== personId) return;
  const consultation = readConsultation(pair.consultation);
  const at = now.toISOString();
  const save = (data: Partial<{ status: PairStatus; reason: string | null }>) =>
    tx.pair.update({ where: { id: pair.id }, data: { ...data, consultation: consultation as P.InputJsonValue } });
  const before = consultation[step.side];
  // Pair.reason is for coordinators: which side said no, and why when they said.
  const declinedBy = (text: string | undefined) => `declined by the ${step.side}${text ? `: ${text}` : ''}`;

  // Why not, after the no was recorded (the pair is declined by then).
  if (step.answer === 'no' && step.text && pair.status === 'declined' && before?.answer === 'no') {
    consultation[step.side] = { ...before, reason: step.text };
    await save({ reason: declinedBy(step.text) });
    return;
  }
  if (pair.status !== 'consulting') return;

  switch (step.answer) {
    case 'asked':
      consultation.asked = { ...consultation.asked, [step.side]: at };
      if (consultation.notAsked) delete consultation.notAsked[step.side];
      await save({});
      return;
    case 'not_asked':
      consultation.notAsked = { ...consultation.notAsked, [step.side]: { mode: step.mode ?? 'handover', at } };
      await save({});
      return;
    case 'question':
      consultation[step.side] = { answer: 'question', question: step.text ?? '', at };
      await save({});
      await openItem(tx, personId, 'consultation_question');
      return;
    case 'yes':
    case 'no': {
      consultation[step.side] = { answer: step.answer, ...(before?.question ? { question: before.question } : {}), ...(step.text ? { reason: step.text } : {}), at };
      await tx.inboxItem.updateMany({ where: { personId, status: 'open', kind: 'consultation_question' }, data: { status: 'closed', closedAt: now } });
      if (step.answer === 'no') {
        await save({ status: 'declined', reason: declinedBy(step.text) });
        await openItem(tx, pair.menteeId, 'consultation_declined');
        return;
      }
      const other = step.side === 'mentee' ? 'mentor' : 'mentee';
      if (consultation[other]?.answer === 'yes') {
        await save({ status: 'agreed' });
        await openItem(tx, pair.menteeId, 'consultation_agreed');
      } else {
        await save({});
      }
      return;
    }
  }
}

/** A person's pairs in scope, newest first, with both people's names and channels. */
export function pairsOf(tx: Tx, scope: Scope, personId: string) {
  return tx.pair.findMany({
    where: { ...inScope(scope), OR: [{ menteeId: personId }, { mentorId: personId }] },
    include: { mentee: { select: { id: true, registration: true, channel: true } }, mentor: { select: { id: true, registration: true, channel: true } } },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
}

export interface PairFilter {
  status?: PairStatus;
  /** part of either person's name, any case */
  q?: string;
}

/** Pairs in scope for the list: open ones first, newest first; at most 500. */
export async function listPairs(tx: Tx, scope: Scope, filter: PairFilter) {
  const pairs = await tx.pair.findMany({
    where: { ...inScope(scope), ...(filter.status ? { status: filter.status } : {}) },
    include: {
      mentee: { select: { id: true, registration: true, channel: true } },
      mentor: { select: { id: true, registration: true, channel: true } },
    },
    orderBy: { createdAt: 'desc' },
    take: 2000,
  });
  const q = filter.q?.trim().toLocaleLowerCase();
  const nameOf = (p: { registration: unknown }) => Registration.safeParse(p.registration).data?.name ?? '';
  const rank = (s: string) => pairStatuses.indexOf(s as PairStatus);
  return pairs
    .filter((p) => !q || [p.mentee, p.mentor].some((person) => nameOf(person).toLocaleLowerCase().includes(q)))
    .sort((a, b) => rank(a.status) - rank(b.status) || b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, 500);
}

/** The mentors among these who are being asked about a match right now. */
export async function mentorsBeingAsked(tx: Tx, mentorIds: readonly string[]): Promise<Set<string>> {
  const rows = await tx.pair.findMany({ where: { mentorId: { in: [...mentorIds] }, status: 'consulting' }, select: { mentorId: true } });
  return new Set(rows.map((r) => r.mentorId));
}
