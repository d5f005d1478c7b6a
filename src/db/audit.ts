import type { Tx } from './client.js';
import type { Scope } from './staff.js';

export interface AuditEvent {
  kind: 'view' | 'change';
  /** e.g. case.view, person.view_special, reply.send, pair.confirm */
  action: string;
  /** e.g. case:<id>, person:<id> */
  subject: string;
  /** what changed, never a message text or contact detail */
  detail?: Record<string, string | number | boolean | null>;
}

/** Records who saw or changed what; written in the same transaction as the change it describes. */
export async function audit(tx: Tx, scope: Scope, event: AuditEvent): Promise<void> {
  await tx.auditEntry.create({
    data: { staffId: scope.staffId, kind: event.kind, action: event.action, subject: event.subject, ...(event.detail ? { detail: event.detail } : {}) },
  });
}

/** The latest audit entries with who made them (admins only: the pages check the role). */
export function auditLog(tx: Tx, options: { subject?: string; take?: number } = {}) {
  return tx.auditEntry.findMany({
    where: options.subject ? { subject: options.subject } : {},
    orderBy: { id: 'desc' },
    take: options.take ?? 200,
  });
}
