import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { caseReference } from '../core/effects/index.js';
import type { Translator } from '../core/i18n.js';
import { audit } from './audit.js';
import type { Prisma, Tx } from './client.js';
import { enqueueText, localeOf, tell } from './outbox.js';
import { changePairStatus } from './pairs.js';
import { inScope, NotFound, type Scope, Refused, refuseUnless } from './scope.js';
import { staffToAlert } from './staff.js';

/**
 * The misconduct case protocol: intake, severity triage with time limits, actions with a note
 * each, and a closure with an outcome (two staff members when a minor is involved). Only the
 * coordinators assigned to a case, and admins, read or change what is in it; every coordinator
 * of the organisation sees that it exists.
 */

export const caseSeverities = ['urgent', 'high', 'normal'] as const;
export type CaseSeverity = (typeof caseSeverities)[number];

export const caseStatuses = ['new', 'triaged', 'under_review', 'action_taken', 'closed'] as const;
export type CaseStatus = (typeof caseStatuses)[number];
/** The states a coordinator moves a case to by hand; closing has its own step (outcome, note). */
export const settableStatuses = ['triaged', 'under_review', 'action_taken'] as const;

/** What a closed case came to. */
export const caseOutcomes = ['resolved', 'no_further_action', 'pair_ended', 'removed', 'referred', 'unfounded'] as const;
export type CaseOutcome = (typeof caseOutcomes)[number];

/** The kinds a report can have: the report flow's options (flows/report.ts). */
export const caseKinds = ['disrespect', 'harassment', 'discrimination', 'boundary', 'exploitation', 'minor', 'other'] as const;
export const caseHappened = ['today', 'this_week', 'earlier'] as const;

/** What a coordinator records on a case with a note; messages to the parties have their own form. */
export const recordableActions = ['note', 'contact_reporter', 'contact_other', 'refer', 'pause_pair', 'end_pair', 'rematch', 'remove'] as const;
export type RecordableAction = (typeof recordableActions)[number];

export type CaseLimits = Config['caseLimitHours'];

/** The protocol's time limits when none are configured: 1, 24 and 72 hours. */
export const defaultCaseLimits: CaseLimits = { urgent: 1, high: 24, normal: 72 };

/** What the protocol needs beyond the database: the bot's words and the time limits. */
export interface CaseDeps {
  translator: Translator;
  limits: CaseLimits;
}

/** A coordinator of the organisation who is not assigned to the case: they see that it exists, not what is in it. */
export class CaseNotAssigned extends Error {
  override readonly name = 'CaseNotAssigned';
  readonly statusCode = 403;
  readonly code = 'CASE_NOT_ASSIGNED';
  constructor() {
    super('only the coordinators assigned to this case and admins can see or change it; take it or ask an admin to assign you');
  }
}

/**
 * What a timeline entry holds besides its kind, who and when: the staff member's own words and
 * the facts of the change (kept as JSON in `CaseAction.note`, so the page can say them in the
 * reader's language).
 */
export interface ActionNote {
  text?: string;
  severity?: string;
  from?: string;
  status?: string;
  outcome?: string;
  /** a staff member assigned */
  assignee?: string;
  /** the staff alerted of an urgent case */
  alerted?: string[];
  /** the language of a message sent */
  locale?: string;
  pairId?: string;
  personId?: string;
  /** the role a removed person had */
  role?: string | null;
  subjectId?: string | null;
  involvesMinor?: boolean;
  /** a message the inbox sent on its own (the closure notice) */
  automatic?: boolean;
}

/** A stored note as facts; a plain string (written elsewhere) reads as the staff member's words. */
export function readNote(note: string): ActionNote {
  try {
    const parsed: unknown = JSON.parse(note);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as ActionNote;
  } catch {
    // not JSON: someone's words
  }
  return note ? { text: note } : {};
}

const HOUR_MS = 3_600_000;

/** The severity the protocol suggests for a report: danger or a minor at once, harm to dignity within a day. */
export function suggestedSeverity(kind: string, danger: boolean): CaseSeverity {
  if (danger || kind === 'minor') return 'urgent';
  if (kind === 'harassment' || kind === 'exploitation' || kind === 'discrimination') return 'high';
  return 'normal';
}

/**
 * The time by which a case must be acknowledged. The clock runs from the report, not from the
 * triage: a case triaged late is late, and re-triaging cannot restart it.
 */
export function dueAt(limits: CaseLimits, severity: CaseSeverity, reportedAt: number): bigint {
  return BigInt(reportedAt + limits[severity] * HOUR_MS);
}

export function isOverdue(c: { dueAt: bigint | null; acknowledgedAt: Date | null; status: string }, now: number): boolean {
  return c.status !== 'closed' && c.acknowledgedAt === null && c.dueAt !== null && Number(c.dueAt) < now;
}

/** Whether a staff member may read a case's content: its assignees, and admins. */
export function canSeeContent(scope: Scope, assigneeIds: readonly string[]): boolean {
  return scope.role === 'admin' || assigneeIds.includes(scope.staffId);
}

async function record(tx: Tx, caseId: string, staffId: string | null, action: string, note: ActionNote, now: number): Promise<void> {
  await tx.caseAction.create({ data: { caseId, action, note: JSON.stringify(note), staffId, at: new Date(now) } });
}

/** The case when in scope, with its assignees; NotFound for another organisation's case too. */
async function caseInScope(tx: Tx, scope: Scope, id: string) {
  const found = await tx.case.findFirst({ where: { id, ...inScope(scope) }, include: { assignees: { select: { staffId: true } } } });
  if (!found) throw new NotFound('case');
  return found;
}

type CaseRow = Awaited<ReturnType<typeof caseInScope>>;

/** The case for a change: in scope, the actor allowed in, and still open. */
async function caseToWorkOn(tx: Tx, scope: Scope, id: string): Promise<CaseRow> {
  const found = await caseInScope(tx, scope, id);
  if (!canSeeContent(scope, found.assignees.map((a) => a.staffId))) throw new CaseNotAssigned();
  if (found.status === 'closed') throw new Refused('CASE_CLOSED', 'this case is closed');
  return found;
}

const statusOrder: Record<string, number> = { new: 0, triaged: 1, under_review: 2, action_taken: 3, closed: 4 };

/** Moves the status on as the work goes (a contact puts a case under review); never back. */
async function advance(tx: Tx, c: CaseRow, to: CaseStatus): Promise<void> {
  if ((statusOrder[to] ?? 0) > (statusOrder[c.status] ?? 0)) {
    await tx.case.update({ where: { id: c.id }, data: { status: to } });
    c.status = to;
  }
}

/**
 * The pairs a case is about, with the given statuses: its own pair when it has one; else the pair
 * between reporter and the other party; else the other party's pairs (whoever they may harm); else
 * the reporter's (a report from the chat is most often about their own mentor or mentee).
 */
async function pairsOfCase(tx: Tx, scope: Scope, c: CaseRow, statuses: readonly string[]) {
  if (c.pairId) return tx.pair.findMany({ where: { id: c.pairId, status: { in: [...statuses] }, ...inScope(scope) } });
  const people = [c.reporterId, c.subjectId].filter((p): p is string => p !== null);
  if (people.length === 0) return [];
  const pairs = await tx.pair.findMany({
    where: { ...inScope(scope), status: { in: [...statuses] }, OR: [{ menteeId: { in: people } }, { mentorId: { in: people } }] },
    orderBy: { createdAt: 'asc' },
  });
  if (!c.subjectId) return pairs;
  const between = pairs.filter((p) => people.includes(p.menteeId) && people.includes(p.mentorId));
  return between.length > 0 ? between : pairs.filter((p) => p.menteeId === c.subjectId || p.mentorId === c.subjectId);
}

/** Records who an urgent case alerted (every coordinator of its organisation and every admin), once. */
async function alertStaff(tx: Tx, c: { id: string; organisationId: string | null }, staffId: string | null, now: number): Promise<void> {
  if (await tx.caseAction.findFirst({ where: { caseId: c.id, action: 'alert' }, select: { id: true } })) return;
  // staffToAlert only reads the staff table, which a transaction client reads the same way.
  const staff = await staffToAlert(tx as Prisma, c.organisationId);
  await record(tx, c.id, staffId, 'alert', { alerted: staff.map((s) => s.id) }, now);
}

/** Urgent: the pair is paused at once (both told, neither given a reason) and the staff alerted. */
async function escalate(tx: Tx, scope: Scope, deps: CaseDeps, c: CaseRow, now: number): Promise<void> {
  const pairs = await pairsOfCase(tx, scope, c, ['active', 'paused']);
  for (const pair of pairs.filter((p) => p.status === 'active')) {
    await changePairStatus(tx, scope, deps.translator, pair.id, 'paused', `case ${c.reference}`, now);
    await record(tx, c.id, scope.staffId, 'pause_pair', { pairId: pair.id }, now);
  }
  if (!c.pairId && pairs.length === 1) {
    await tx.case.update({ where: { id: c.id }, data: { pairId: pairs[0]!.id } });
    c.pairId = pairs[0]!.id;
  }
  await alertStaff(tx, c, scope.staffId, now);
}

export interface CaseListFilter {
  /** one status, `open` (everything not closed, the default) or `all` */
  status?: CaseStatus | 'open' | 'all';
  severity?: CaseSeverity;
}

export interface CaseListRow {
  id: string;
  reference: string;
  severity: string | null;
  status: string;
  urgent: boolean;
  overdue: boolean;
  dueAt: number | null;
  createdAt: Date;
  /** whether the viewer is assigned, someone else is, or nobody yet */
  assignment: 'me' | 'other' | 'none';
}

/**
 * Cases in scope: that they exist, never what is in them (any coordinator of the organisation may
 * see this much, to take an unassigned one). Urgent first, then overdue, then newest.
 */
export async function listCases(tx: Tx, scope: Scope, filter: CaseListFilter, now: number): Promise<CaseListRow[]> {
  const status = filter.status ?? 'open';
  const rows = await tx.case.findMany({
    where: {
      ...inScope(scope),
      ...(status === 'open' ? { status: { not: 'closed' } } : status === 'all' ? {} : { status }),
      ...(filter.severity ? { severity: filter.severity } : {}),
    },
    select: { id: true, reference: true, severity: true, status: true, urgent: true, dueAt: true, acknowledgedAt: true, createdAt: true, assignees: { select: { staffId: true } } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  const list = rows.map((c) => ({
    id: c.id,
    reference: c.reference,
    severity: c.severity,
    status: c.status,
    urgent: c.status !== 'closed' && (c.urgent || c.severity === 'urgent'),
    overdue: isOverdue(c, now),
    dueAt: c.dueAt === null ? null : Number(c.dueAt),
    createdAt: c.createdAt,
    assignment: c.assignees.some((a) => a.staffId === scope.staffId) ? ('me' as const) : c.assignees.length > 0 ? ('other' as const) : ('none' as const),
  }));
  const rank = (r: CaseListRow) => (r.urgent ? 0 : r.overdue ? 1 : 2);
  return list.sort((a, b) => rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime());
}

/** What anyone of the organisation may know of a case: reference, severity, state, due, assignees. */
export async function caseSummary(tx: Tx, scope: Scope, id: string) {
  const c = await caseInScope(tx, scope, id);
  return {
    id: c.id,
    reference: c.reference,
    severity: c.severity,
    status: c.status,
    urgent: c.status !== 'closed' && (c.urgent || c.severity === 'urgent'),
    dueAt: c.dueAt === null ? null : Number(c.dueAt),
    acknowledgedAt: c.acknowledgedAt,
    createdAt: c.createdAt,
    overdue: isOverdue(c, Date.now()),
    assigneeIds: c.assignees.map((a) => a.staffId),
    canSeeContent: canSeeContent(scope, c.assignees.map((a) => a.staffId)),
  };
}

/**
 * Everything in a case, for its assignees and admins; the view is audited (`case.view`) in the
 * same transaction that reads it.
 */
export async function caseFile(tx: Tx, scope: Scope, id: string) {
  const summary = await caseSummary(tx, scope, id);
  if (!summary.canSeeContent) throw new CaseNotAssigned();
  const c = await tx.case.findUniqueOrThrow({
    where: { id },
    include: { assignees: { include: { staff: { select: { id: true, email: true } } } }, actions: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
  });
  const person = (personId: string | null) => (personId ? tx.person.findUnique({ where: { id: personId } }) : Promise.resolve(null));
  const [reporter, subject, pair] = await Promise.all([
    person(c.reporterId),
    person(c.subjectId),
    c.pairId ? tx.pair.findUnique({ where: { id: c.pairId }, include: { mentee: true, mentor: true } }) : Promise.resolve(null),
  ]);
  const notes = c.actions.map((a) => ({ ...a, facts: readNote(a.note) }));
  const staffIds = new Set<string>();
  for (const a of notes) {
    if (a.staffId) staffIds.add(a.staffId);
    if (a.facts.assignee) staffIds.add(a.facts.assignee);
    for (const s of a.facts.alerted ?? []) staffIds.add(s);
  }
  if (c.closeApprovedBy) staffIds.add(c.closeApprovedBy);
  const staff = await tx.staff.findMany({ where: { id: { in: [...staffIds] } }, select: { id: true, email: true } });
  await audit(tx, scope, { kind: 'view', action: 'case.view', subject: `case:${id}` });
  return { case: c, actions: notes, reporter, subject, pair, staffEmails: new Map(staff.map((s) => [s.id, s.email])), overdue: summary.overdue };
}

/** "Assign me": any coordinator of the organisation may take a case nobody has yet. */
export async function takeCase(tx: Tx, scope: Scope, id: string, now: number): Promise<void> {
  const c = await caseInScope(tx, scope, id);
  refuseUnless(c.status !== 'closed', 'CASE_CLOSED', 'this case is closed');
  refuseUnless(c.assignees.length === 0, 'CASE_TAKEN', 'this case already has a coordinator; an admin can add you to it');
  await tx.caseAssignee.create({ data: { caseId: id, staffId: scope.staffId } });
  await record(tx, id, scope.staffId, 'assign', { assignee: scope.staffId }, now);
  await audit(tx, scope, { kind: 'change', action: 'case.take', subject: `case:${id}` });
}

/** Staff an admin may assign to a case: the active coordinators of its organisation not on it yet. */
export async function assignableStaff(tx: Tx, scope: Scope, id: string) {
  if (scope.role !== 'admin') return [];
  const c = await caseInScope(tx, scope, id);
  if (!c.organisationId) return [];
  return tx.staff.findMany({
    where: { organisationId: c.organisationId, role: 'coordinator', disabledAt: null, id: { notIn: c.assignees.map((a) => a.staffId) } },
    select: { id: true, email: true },
    orderBy: { email: 'asc' },
  });
}

/** An admin assigns a staff member of the case's organisation. */
export async function assignCase(tx: Tx, scope: Scope, id: string, staffId: string, now: number): Promise<void> {
  const c = await caseInScope(tx, scope, id);
  refuseUnless(scope.role === 'admin', 'ADMIN_ONLY', 'only an admin assigns a case to someone else; take an unassigned case with "assign me"');
  refuseUnless(c.status !== 'closed', 'CASE_CLOSED', 'this case is closed');
  const candidates = await assignableStaff(tx, scope, id);
  refuseUnless(candidates.some((s) => s.id === staffId), 'NOT_ASSIGNABLE', "choose an active coordinator of the case's organisation who is not assigned yet");
  await tx.caseAssignee.create({ data: { caseId: id, staffId } });
  await record(tx, id, scope.staffId, 'assign', { assignee: staffId }, now);
  await audit(tx, scope, { kind: 'change', action: 'case.assign', subject: `case:${id}`, detail: { staffId } });
}

/**
 * Sets the severity and with it the time limit. Urgent pauses the pair at once and alerts every
 * coordinator of the organisation and every admin.
 */
export async function triageCase(tx: Tx, scope: Scope, deps: CaseDeps, id: string, severity: CaseSeverity, text: string, now: number): Promise<void> {
  const c = await caseToWorkOn(tx, scope, id);
  const due = dueAt(deps.limits, severity, c.createdAt.getTime());
  await tx.case.update({ where: { id }, data: { severity, urgent: severity === 'urgent', dueAt: due } });
  await advance(tx, c, 'triaged');
  await record(tx, id, scope.staffId, 'triage', { severity, ...(c.severity ? { from: c.severity } : {}), ...(text ? { text } : {}) }, now);
  if (severity === 'urgent') await escalate(tx, scope, deps, c, now);
  await audit(tx, scope, { kind: 'change', action: 'case.triage', subject: `case:${id}`, detail: { severity, from: c.severity } });
}

/** Acknowledges the case: its time limit is met. Acknowledging again changes nothing. */
export async function acknowledgeCase(tx: Tx, scope: Scope, id: string, text: string, now: number): Promise<boolean> {
  const c = await caseToWorkOn(tx, scope, id);
  if (c.acknowledgedAt) return false;
  await tx.case.update({ where: { id }, data: { acknowledgedAt: new Date(now) } });
  await record(tx, id, scope.staffId, 'acknowledge', text ? { text } : {}, now);
  await audit(tx, scope, { kind: 'change', action: 'case.acknowledge', subject: `case:${id}`, detail: { late: isOverdue(c, now) } });
  return true;
}

export async function setCaseStatus(tx: Tx, scope: Scope, id: string, status: (typeof settableStatuses)[number], text: string, now: number): Promise<void> {
  const c = await caseToWorkOn(tx, scope, id);
  refuseUnless(c.severity !== null || status !== 'triaged', 'NOT_TRIAGED', 'set a severity to triage the case');
  if (c.status === status) return;
  await tx.case.update({ where: { id }, data: { status } });
  await record(tx, id, scope.staffId, 'status', { status, from: c.status, ...(text ? { text } : {}) }, now);
  await audit(tx, scope, { kind: 'change', action: 'case.status', subject: `case:${id}`, detail: { status, from: c.status } });
}

/** Whether someone said they are under 18 when they registered. */
function isMinor(person: { registration: unknown } | null): boolean {
  const reg = person?.registration;
  return !!reg && typeof reg === 'object' && 'ageRange' in reg && reg.ageRange === 'under_18';
}

async function personOfScope(tx: Tx, scope: Scope, personId: string) {
  const person = await tx.person.findFirst({ where: { id: personId, ...inScope(scope) } });
  refuseUnless(person, 'UNKNOWN_PERSON', 'choose a person of your organisation');
  return person;
}

/**
 * Says who the case is about (the other party) and which pair, once the coordinator knows. A
 * minor involved can be added, never taken away: it is what makes the closure need two people.
 */
export async function setCaseParties(
  tx: Tx,
  scope: Scope,
  id: string,
  parties: { subjectId: string | null; pairId: string | null; involvesMinor: boolean },
  now: number,
): Promise<void> {
  const c = await caseToWorkOn(tx, scope, id);
  refuseUnless(!parties.subjectId || parties.subjectId !== c.reporterId, 'SAME_PERSON', 'the other party cannot be the reporter');
  const subject = parties.subjectId ? await personOfScope(tx, scope, parties.subjectId) : null;
  if (parties.pairId) {
    const pair = await tx.pair.findFirst({ where: { id: parties.pairId, ...inScope(scope) }, select: { id: true } });
    refuseUnless(pair, 'UNKNOWN_PAIR', 'choose a pair of your organisation');
  }
  const involvesMinor = c.involvesMinor || parties.involvesMinor || isMinor(subject);
  await tx.case.update({ where: { id }, data: { subjectId: parties.subjectId, pairId: parties.pairId, involvesMinor } });
  await record(tx, id, scope.staffId, 'parties', { subjectId: parties.subjectId, ...(parties.pairId ? { pairId: parties.pairId } : {}), involvesMinor }, now);
  await audit(tx, scope, { kind: 'change', action: 'case.parties', subject: `case:${id}`, detail: { subject: parties.subjectId !== null, pair: parties.pairId !== null, involvesMinor } });
}

/**
 * Records an action with the coordinator's note and carries it out where Ponte can:
 * - pause_pair / end_pair: the case's pair (both told in their language, neither given a reason);
 * - rematch: ends the pair if still on, so the mentee is back in matching (their page ranks mentors);
 * - remove: takes the other party out of the programme: their pairs end, they are no longer a
 *   mentor or mentee (role `visitor`: never proposed in matching) and get no surveys or reminders.
 *   They can still use the chat (the FAQ, reporting a problem, a coordinator): leaving the
 *   programme must not take away a way to ask for help;
 * - note, refer, contact by phone or in person: recorded as they are.
 */
export async function recordCaseAction(tx: Tx, scope: Scope, deps: CaseDeps, id: string, action: RecordableAction, text: string, now: number): Promise<void> {
  const c = await caseToWorkOn(tx, scope, id);
  const facts: ActionNote = { text };
  const reason = `case ${c.reference}`;
  switch (action) {
    case 'pause_pair': {
      // A pause is a precaution, easily undone: every pair the case may be about.
      const pairs = await pairsOfCase(tx, scope, c, ['active']);
      refuseUnless(pairs.length > 0, 'NO_ACTIVE_PAIR', 'this case has no active pair to pause; say which pair it is about first');
      for (const pair of pairs) await changePairStatus(tx, scope, deps.translator, pair.id, 'paused', reason, now);
      facts.pairId = pairs.map((p) => p.id).join(',');
      break;
    }
    case 'end_pair':
    case 'rematch': {
      // Ending is not undone: only a pair the case is plainly about.
      const pairs = await pairsOfCase(tx, scope, c, action === 'rematch' ? ['active', 'paused', 'ended'] : ['active', 'paused']);
      refuseUnless(pairs.length > 0, 'NO_PAIR', 'this case has no pair to end; say which pair it is about first');
      refuseUnless(pairs.length === 1, 'WHICH_PAIR', 'the people of this case are in more than one pair; say which pair it is about first');
      const pair = pairs[0]!;
      if (pair.status !== 'ended') await changePairStatus(tx, scope, deps.translator, pair.id, 'ended', reason, now);
      facts.pairId = pair.id;
      if (action === 'rematch') facts.personId = pair.menteeId;
      break;
    }
    case 'remove': {
      refuseUnless(c.subjectId, 'NO_OTHER_PARTY', 'say who the case is about (the other party) before removing them from the programme');
      const person = await personOfScope(tx, scope, c.subjectId);
      const pairs = await tx.pair.findMany({
        where: { ...inScope(scope), status: { in: ['consulting', 'agreed', 'active', 'paused'] }, OR: [{ menteeId: person.id }, { mentorId: person.id }] },
        select: { id: true },
      });
      for (const pair of pairs) await changePairStatus(tx, scope, deps.translator, pair.id, 'ended', reason, now);
      await tx.person.update({ where: { id: person.id }, data: { role: 'visitor', surveysOff: true } });
      Object.assign(facts, { personId: person.id, role: person.role });
      await audit(tx, scope, { kind: 'change', action: 'person.remove', subject: `person:${person.id}`, detail: { case: id, pairsEnded: pairs.length } });
      break;
    }
    default:
      break;
  }
  await record(tx, id, scope.staffId, action, facts, now);
  if (action !== 'note') await advance(tx, c, action.startsWith('contact_') ? 'under_review' : 'action_taken');
  await audit(tx, scope, { kind: 'change', action: 'case.action', subject: `case:${id}`, detail: { action } });
}

/** Who a message from the case goes to, in which language, and the text prepared for them. */
export async function messageRecipient(tx: Tx, scope: Scope, translator: Translator, c: { reporterId: string | null; subjectId: string | null; reference: string }, to: 'reporter' | 'other') {
  const personId = to === 'reporter' ? c.reporterId : c.subjectId;
  if (!personId) return null;
  const person = await tx.person.findFirst({ where: { id: personId, ...inScope(scope) } });
  if (!person) return null;
  const locale = localeOf(person, translator);
  // The other party's text names neither the reporter nor the case's reference.
  const prepared = to === 'reporter' ? translator.t(locale, 'casework:reporter_contact', { reference: c.reference }) : translator.t(locale, 'casework:other_contact');
  return { person, locale, prepared };
}

/**
 * Sends a message from the case to the reporter or the other party, on their channel, in their
 * language (the coordinator edits the prepared text). The timeline keeps the text sent: who was
 * told what is part of the case. A reporter who asked not to be contacted is not written to.
 */
export async function sendCaseMessage(tx: Tx, scope: Scope, translator: Translator, id: string, to: 'reporter' | 'other', text: string, now: number): Promise<void> {
  const c = await caseToWorkOn(tx, scope, id);
  if (to === 'reporter') refuseUnless(c.contactOk, 'NO_CONTACT', 'the reporter asked not to be contacted about this report');
  const recipient = await messageRecipient(tx, scope, translator, c, to);
  refuseUnless(recipient, 'NO_RECIPIENT', to === 'reporter' ? 'this case has no reporter to write to (erased, or not a participant)' : 'say who the case is about (the other party) first');
  const { person, locale } = recipient;
  refuseUnless(!person.unreachableAt, 'UNREACHABLE', 'messages no longer reach this person on their channel');
  await enqueueText(tx, person, locale, text, now);
  const action = to === 'reporter' ? 'contact_reporter' : 'contact_other';
  await record(tx, id, scope.staffId, action, { text, locale }, now);
  await advance(tx, c, 'under_review');
  await audit(tx, scope, { kind: 'change', action: 'case.message', subject: `case:${id}`, detail: { to, locale } });
}

/**
 * Closes a case with an outcome and a note. A case involving a minor needs two staff members: the
 * first close is an approval, and only someone else can then close it. The reporter, if still
 * here and reachable, is told the case is closed, with nothing about the other side.
 */
export async function closeCase(tx: Tx, scope: Scope, translator: Translator, id: string, outcome: CaseOutcome, text: string, now: number): Promise<'approved' | 'closed'> {
  const c = await caseToWorkOn(tx, scope, id);
  if (c.involvesMinor) {
    if (!c.closeApprovedBy) {
      await tx.case.update({ where: { id }, data: { closeApprovedBy: scope.staffId, outcome } });
      await record(tx, id, scope.staffId, 'close_approve', { outcome, text }, now);
      await audit(tx, scope, { kind: 'change', action: 'case.close_approve', subject: `case:${id}`, detail: { outcome } });
      return 'approved';
    }
    refuseUnless(c.closeApprovedBy !== scope.staffId, 'SECOND_STAFF_NEEDED', 'a case involving a minor is closed by two staff members: someone other than the first must close it');
  }
  await tx.case.update({ where: { id }, data: { status: 'closed', outcome, closedAt: new Date(now) } });
  await record(tx, id, scope.staffId, 'close', { outcome, text }, now);
  const reporter = c.reporterId ? await tx.person.findUnique({ where: { id: c.reporterId } }) : null;
  const told = !!reporter && !reporter.unreachableAt;
  if (reporter && told) {
    const notice = await tell(tx, translator, reporter, 'casework:closed_reporter', { reference: c.reference }, now);
    await record(tx, id, scope.staffId, 'contact_reporter', { text: notice, locale: localeOf(reporter, translator), automatic: true }, now);
  }
  await audit(tx, scope, { kind: 'change', action: 'case.close', subject: `case:${id}`, detail: { outcome, reporterTold: told } });
  return 'closed';
}

export interface CoordinatorReport {
  kind: (typeof caseKinds)[number];
  happened: (typeof caseHappened)[number];
  severity: CaseSeverity;
  description: string;
  reporterId: string | null;
  subjectId: string | null;
  pairId: string | null;
  danger: boolean;
  involvesMinor: boolean;
  /** the reporter agrees to be contacted about it */
  contactOk: boolean;
}

/**
 * A case a coordinator opens (a report by phone, in person, by a school): about people of their
 * organisation, triaged as it is opened, and assigned to whoever opened it.
 */
export async function openCaseByCoordinator(tx: Tx, scope: Scope, deps: CaseDeps, report: CoordinatorReport, now: number): Promise<{ id: string; reference: string }> {
  refuseUnless(report.reporterId || report.subjectId, 'NO_PERSON', 'name who reported it or who it is about: a case is about a person of your organisation');
  refuseUnless(report.reporterId !== report.subjectId, 'SAME_PERSON', 'the other party cannot be the reporter');
  const reporter = report.reporterId ? await personOfScope(tx, scope, report.reporterId) : null;
  const subject = report.subjectId ? await personOfScope(tx, scope, report.subjectId) : null;
  const orgs = new Set([reporter?.organisationId, subject?.organisationId].filter((o): o is string => !!o));
  refuseUnless(orgs.size <= 1, 'TWO_ORGANISATIONS', 'the reporter and the other party belong to different organisations');
  const organisationId = scope.organisationId ?? [...orgs][0] ?? null;
  if (report.pairId) {
    const pair = await tx.pair.findFirst({ where: { id: report.pairId, ...inScope(scope) }, select: { id: true } });
    refuseUnless(pair, 'UNKNOWN_PAIR', 'choose a pair of your organisation');
  }
  const { id, reference } = await createCase(tx, {
    source: 'coordinator',
    organisationId,
    reporterId: report.reporterId,
    subjectId: report.subjectId,
    pairId: report.pairId,
    kind: report.kind,
    happened: report.happened,
    danger: report.danger,
    description: report.description,
    contactOk: reporter !== null && report.contactOk,
    severity: report.severity,
    involvesMinor: report.involvesMinor || report.kind === 'minor' || isMinor(reporter) || isMinor(subject),
    status: 'triaged',
    dueAt: dueAt(deps.limits, report.severity, now),
    assignee: scope.staffId,
  }, now);
  await record(tx, id, scope.staffId, 'assign', { assignee: scope.staffId }, now);
  await record(tx, id, scope.staffId, 'triage', { severity: report.severity }, now);
  if (report.severity === 'urgent') await escalate(tx, scope, deps, await caseInScope(tx, scope, id), now);
  await audit(tx, scope, { kind: 'change', action: 'case.open', subject: `case:${id}`, detail: { source: 'coordinator', severity: report.severity } });
  return { id, reference };
}

/** A new case as each way of opening one describes it; `createCase` adds what every case has. */
export interface NewCase {
  source: 'chat' | 'coordinator' | 'feedback';
  organisationId: string | null;
  reporterId: string | null;
  subjectId?: string | null;
  pairId?: string | null;
  kind: string;
  happened: string;
  danger: boolean;
  description: string;
  contactOk: boolean;
  /** null until triage, unless the report itself says how serious it is */
  severity: CaseSeverity | null;
  involvesMinor: boolean;
  status?: 'new' | 'triaged';
  /** epoch ms by which it must be acknowledged */
  dueAt: bigint;
  /** the reference the reporter was already given (a chat report); a new one otherwise */
  reference?: string;
  /** the staff member who opened it, assigned at once */
  assignee?: string;
}

/** Stores a new case: one place for what every case gets (a reference, urgency from the severity). */
export async function createCase(tx: Tx, c: NewCase, now: number): Promise<{ id: string; reference: string }> {
  const id = randomUUID();
  const reference = c.reference ?? caseReference();
  const { assignee, ...fields } = c;
  await tx.case.create({
    data: {
      ...fields,
      id,
      reference,
      urgent: c.severity === 'urgent',
      createdAt: new Date(now),
      ...(assignee ? { assignees: { create: { staffId: assignee } } } : {}),
    },
  });
  return { id, reference };
}

export interface FeedbackReport {
  /** the person whose feedback answer raised it */
  reporterId: string;
  kind: (typeof caseKinds)[number];
  description: string;
  /** the person answered that a coordinator may contact them */
  contactOk: boolean;
  subjectId?: string | null;
  pairId?: string | null;
  happened?: (typeof caseHappened)[number];
  danger?: boolean;
  /** when the answer says how serious it is; otherwise the protocol's suggestion for the kind */
  severity?: CaseSeverity;
}

/**
 * Opens a case from a feedback or survey answer, for the reporter's organisation. The severity is
 * provisional until a coordinator triages it (status `new`), but its clock runs from now. An
 * urgent one alerts the staff at once; its pair is paused when a coordinator confirms the
 * triage, since a pause is a staff member's act on the pair and is audited as theirs.
 */
export async function openCaseFromFeedback(tx: Tx, report: FeedbackReport, limits: CaseLimits, now: number): Promise<{ id: string; reference: string }> {
  const reporter = await tx.person.findUniqueOrThrow({ where: { id: report.reporterId }, select: { organisationId: true, registration: true } });
  const danger = report.danger ?? false;
  const severity = report.severity ?? suggestedSeverity(report.kind, danger);
  const { id, reference } = await createCase(tx, {
    source: 'feedback',
    organisationId: reporter.organisationId,
    reporterId: report.reporterId,
    subjectId: report.subjectId ?? null,
    pairId: report.pairId ?? null,
    kind: report.kind,
    happened: report.happened ?? 'this_week',
    danger,
    description: report.description,
    contactOk: report.contactOk,
    severity,
    involvesMinor: report.kind === 'minor' || isMinor(reporter),
    dueAt: dueAt(limits, severity, now),
  }, now);
  if (severity === 'urgent') await alertStaff(tx, { id, organisationId: reporter.organisationId }, null, now);
  return { id, reference };
}
