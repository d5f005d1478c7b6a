import { randomUUID } from 'node:crypto';
import type { InboundContent } from '../core/events.js';
import { Prisma as P } from './generated/sqlite/client.js';
import { audit } from './audit.js';
import { isOverdue } from './cases.js';
import type { Dialect, Tx } from './client.js';
import { enqueueText } from './outbox.js';
import { inScope, personInScope, type Scope } from './scope.js';
import { execute, jsonValue } from './statements.js';

/** What a queue entry asks of a coordinator. */
export type QueueKind =
  | 'handover'
  | 'crisis'
  | 'unreachable'
  | 'consultation_question'
  | 'consultation_agreed'
  | 'consultation_declined'
  | 'survey_help'
  | 'missed_sessions'
  | 'closure'
  | 'case';

export interface QueueEntry {
  kind: QueueKind;
  urgent: boolean;
  overdue: boolean;
  /** A case whose time limit to acknowledge ends within two hours. */
  dueSoon: boolean;
  at: Date;
  /** The person it is about (for a case: none, its page says who may see whom). */
  person?: { id: string; name: string | null; channel: string; locale: string | null };
  case?: { id: string; reference: string; severity: string | null; status: string; dueAt: number | null };
}

/** A case this close to its time limit rises in the queue, just below the overdue ones. */
const DUE_SOON_MS = 2 * 3600_000;

/** A person's name from their registration, when they gave one. */
export function nameOf(registration: unknown): string | null {
  return registration && typeof registration === 'object' && 'name' in registration && typeof registration.name === 'string' ? registration.name : null;
}

/**
 * What needs a human, for this scope: open items and open cases. Urgent first, then overdue
 * cases, then cases near their time limit, then newest; within each, newest first (a crisis now
 * beats one an hour ago).
 */
export async function queueFor(tx: Tx, scope: Scope, now: number): Promise<QueueEntry[]> {
  const items = await tx.inboxItem.findMany({
    where: { status: 'open', person: inScope(scope) },
    include: { person: { select: { id: true, registration: true, channel: true, locale: true } } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  const cases = await tx.case.findMany({
    where: { status: { not: 'closed' }, ...inScope(scope) },
    select: { id: true, reference: true, severity: true, status: true, urgent: true, dueAt: true, acknowledgedAt: true, createdAt: true },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  const entries: QueueEntry[] = [
    ...items.map((i) => ({
      kind: i.kind as QueueKind,
      urgent: i.urgent,
      overdue: false,
      dueSoon: false,
      at: i.createdAt,
      person: { id: i.person.id, name: nameOf(i.person.registration), channel: i.person.channel, locale: i.person.locale },
    })),
    ...cases.map((c) => {
      const dueAt = c.dueAt === null ? null : Number(c.dueAt);
      return {
        kind: 'case' as const,
        urgent: c.urgent || c.severity === 'urgent',
        overdue: isOverdue(c, now),
        dueSoon: !isOverdue(c, now) && isOverdue(c, now + DUE_SOON_MS),
        at: c.createdAt,
        case: { id: c.id, reference: c.reference, severity: c.severity, status: c.status, dueAt },
      };
    }),
  ];
  const rank = (e: QueueEntry) => (e.urgent ? 0 : e.overdue ? 1 : e.dueSoon ? 2 : 3);
  return entries.sort((a, b) => rank(a) - rank(b) || b.at.getTime() - a.at.getTime());
}

/** A cheap fingerprint of the queue: the live page reloads when it changes. */
export async function queueVersion(tx: Tx, scope: Scope): Promise<string> {
  const [items, lastItem, cases, lastCase] = await Promise.all([
    tx.inboxItem.count({ where: { status: 'open', person: inScope(scope) } }),
    tx.inboxItem.findFirst({ where: { person: inScope(scope) }, orderBy: { createdAt: 'desc' }, select: { id: true } }),
    tx.case.count({ where: { status: { not: 'closed' }, ...inScope(scope) } }),
    tx.caseAction.findFirst({ where: { case: inScope(scope) }, orderBy: { id: 'desc' }, select: { id: true } }),
  ]);
  return `${items}:${lastItem?.id ?? ''}:${cases}:${lastCase?.id ?? ''}`;
}

/**
 * A person's message during a handover, kept for the coordinator (and erased with the person).
 * A hand-written statement, so that such a turn runs in its webhook's own transaction.
 */
export async function keepForCoordinator(tx: Tx, dialect: Dialect, personId: string, content: InboundContent, now: number): Promise<void> {
  await execute(
    tx,
    P.sql`INSERT INTO "HandoverMessage" ("personId", "direction", "content", "createdAt") VALUES (${personId}, 'in', ${jsonValue(dialect, content)}, ${BigInt(now)})`,
  );
}

/** The conversation with a coordinator: the person's messages during handovers and the replies. */
export function handoverMessages(tx: Tx, personId: string) {
  return tx.handoverMessage.findMany({ where: { personId }, orderBy: { id: 'asc' }, take: 500 });
}

/** Fingerprint of one person's page: their newest message, their conversation's last change. */
export async function personVersion(tx: Tx, scope: Scope, personId: string): Promise<string> {
  await personInScope(tx, scope, personId);
  const [last, conversation, items] = await Promise.all([
    tx.handoverMessage.findFirst({ where: { personId }, orderBy: { id: 'desc' }, select: { id: true } }),
    tx.conversation.findUnique({ where: { personId }, select: { updatedAt: true } }),
    tx.inboxItem.count({ where: { personId, status: 'open' } }),
  ]);
  return `${last?.id ?? ''}:${conversation?.updatedAt.getTime() ?? ''}:${items}`;
}

/**
 * A coordinator's reply: kept in the conversation and queued for the person's channel in the
 * same transaction. The channel's renderer decides the form (WhatsApp: the template when the
 * 24-hour window has closed).
 */
export async function replyToPerson(tx: Tx, scope: Scope, personId: string, text: string, now: number, defaultLocale: string): Promise<void> {
  const person = await personInScope(tx, scope, personId);
  await tx.handoverMessage.create({ data: { personId, direction: 'out', content: { kind: 'text', text }, staffId: scope.staffId, createdAt: BigInt(now) } });
  await enqueueText(tx, person, person.locale ?? defaultLocale, text, now);
  await audit(tx, scope, { kind: 'change', action: 'reply.send', subject: `person:${personId}` });
}

/** Closes an item that needed no conversation (an unreachable notice, a crisis followed up). */
export async function closeItemsOf(tx: Tx, scope: Scope, personId: string, kinds: readonly string[], now: Date): Promise<number> {
  await personInScope(tx, scope, personId);
  const { count } = await tx.inboxItem.updateMany({ where: { personId, status: 'open', kind: { in: [...kinds] } }, data: { status: 'closed', closedAt: now } });
  if (count > 0) await audit(tx, scope, { kind: 'change', action: 'item.close', subject: `person:${personId}`, detail: { kinds: kinds.join(',') } });
  return count;
}

/** Opens an item for the queue unless one of the kind is already open for the person. */
export async function openItem(tx: Tx, personId: string, kind: QueueKind, urgent = false): Promise<void> {
  const open = await tx.inboxItem.findFirst({ where: { personId, kind, status: 'open' }, select: { id: true } });
  if (!open) await tx.inboxItem.create({ data: { id: randomUUID(), personId, kind, urgent } });
}
