import type { Scope } from './staff.js';
import type { Tx } from './client.js';

export type { Scope } from './staff.js';

/**
 * The organisation filter for whatever belongs to an organisation (people, pairs, cases, info
 * days). Every inbox query goes through it: a coordinator reaches only their organisation's
 * rows, so a page that forgot to check still cannot show another organisation's data.
 */
export function inScope(scope: Scope): { organisationId?: string } {
  if (scope.role === 'admin') return {};
  // A coordinator always has an organisation; one without would otherwise see everything.
  return { organisationId: scope.organisationId ?? '\u0000none' };
}

/** Thrown when a row is missing or outside the actor's scope: the pages answer 404 for both. */
export class NotFound extends Error {
  readonly statusCode = 404;
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** A change a row cannot take as asked (confirming a pair nobody agreed to, closing a closed case): 400 with the reason. */
export class Refused extends Error {
  override readonly name = 'Refused';
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Throws Refused unless `condition` holds. */
export function refuseUnless(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new Refused(code, message);
}

/** The person, when in scope; NotFound otherwise (for another organisation's person too). */
export async function personInScope(tx: Tx, scope: Scope, personId: string) {
  const person = await tx.person.findFirst({ where: { id: personId, ...inScope(scope) } });
  if (!person) throw new NotFound('person');
  return person;
}
