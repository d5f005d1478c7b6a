import type { Translator } from '../core/i18n.js';
import { audit } from './audit.js';
import type { Tx } from './client.js';
import { enqueueMessages } from './outbox.js';
import { inScope, NotFound, type Scope } from './scope.js';

export type PairStatus = 'consulting' | 'agreed' | 'active' | 'paused' | 'ended' | 'declined';

/** A pair in scope, with both people (to tell them); NotFound when missing or another organisation's. */
export async function pairInScope(tx: Tx, scope: Scope, pairId: string) {
  const pair = await tx.pair.findFirst({ where: { id: pairId, ...inScope(scope) }, include: { mentee: true, mentor: true } });
  if (!pair) throw new NotFound('pair');
  return pair;
}

/**
 * Pauses, resumes or ends a pair (from the pairs page or a case action) and tells both people in
 * their own language with the `pairs:status_<status>` text. The reason stays with the pair for
 * coordinators; people are not given it.
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
  await tx.pair.update({ where: { id: pairId }, data: { status, reason, ...(status === 'ended' ? { endedAt: new Date(now) } : {}) } });
  for (const person of [pair.mentee, pair.mentor]) {
    const locale = person.locale ?? translator.defaultLocale;
    await enqueueMessages(tx, { channel: person.channel, address: person.address, personId: person.id }, [
      { kind: 'text', locale, text: translator.t(locale, `pairs:status_${status}`) },
    ], now);
  }
  await audit(tx, scope, { kind: 'change', action: `pair.${status}`, subject: `pair:${pairId}` });
}
