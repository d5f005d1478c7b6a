import { programmeStep, type ProgrammeStep } from '../core/programme-step.js';
import type { Tx } from './client.js';
import { nameOf } from './inbox.js';
import { inScope, type Scope } from './scope.js';

export interface PersonRow {
  id: string;
  name: string | null;
  role: string | null;
  channel: string;
  locale: string | null;
  step: ProgrammeStep;
  mode: string;
  organisationId: string | null;
  createdAt: Date;
}

export interface PeopleFilter {
  role?: string;
  step?: number;
  /** part of a name, any case */
  q?: string;
}

function trainingOf(registration: unknown): string | null {
  return registration && typeof registration === 'object' && 'training' in registration && typeof registration.training === 'string' ? registration.training : null;
}

/** People in scope with their step of the process, filtered; at most 500, newest first. */
export async function listPeople(tx: Tx, scope: Scope, filter: PeopleFilter): Promise<PersonRow[]> {
  const people = await tx.person.findMany({
    where: { ...inScope(scope), ...(filter.role ? { role: filter.role } : {}), consent: 'granted' },
    include: {
      conversation: { select: { mode: true } },
      pairsAsMentee: { select: { status: true }, orderBy: { createdAt: 'desc' } },
      pairsAsMentor: { select: { status: true }, orderBy: { createdAt: 'desc' } },
    },
    orderBy: { createdAt: 'desc' },
    take: 2000,
  });
  const q = filter.q?.trim().toLocaleLowerCase();
  const rows = people.map((p) => ({
    id: p.id,
    name: nameOf(p.registration),
    role: p.role,
    channel: p.channel,
    locale: p.locale,
    mode: p.conversation?.mode ?? 'bot',
    organisationId: p.organisationId,
    createdAt: p.createdAt,
    step: programmeStep({
      role: p.role,
      registered: p.registration !== null,
      hasNeeds: p.needs !== null,
      training: trainingOf(p.registration),
      pairs: [...p.pairsAsMentee, ...p.pairsAsMentor].map((x) => x.status),
    }),
  }));
  return rows
    .filter((r) => (filter.step ? r.step === filter.step : true))
    .filter((r) => (q ? (r.name ?? '').toLocaleLowerCase().includes(q) : true))
    .slice(0, 500);
}
