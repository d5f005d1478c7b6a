import { randomUUID } from 'node:crypto';
import type { Prisma } from './client.js';

/** The platform's later word on a message we sent. */
export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed';

const rank: Record<DeliveryState, number> = { sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Records a status callback for one of our messages. Platforms send them out of order
 * (`read` may come before `delivered`): a state never moves backwards, and `failed` wins.
 * Returns false when the message is not ours (or not known any more).
 */
export async function recordDeliveryState(
  prisma: Prisma,
  channel: string,
  platformMessageId: string,
  state: DeliveryState,
  error?: string,
): Promise<boolean> {
  const row = await prisma.outboxMessage.findFirst({ where: { channel, platformMessageId }, select: { id: true, deliveryState: true } });
  if (!row) return false;
  const current = row.deliveryState as DeliveryState | null;
  if (current && rank[current] >= rank[state]) return true;
  await prisma.outboxMessage.update({
    where: { id: row.id },
    data: { deliveryState: state, ...(state === 'failed' ? { lastError: error?.slice(0, 300) ?? 'failed', status: 'failed' } : {}) },
  });
  return true;
}

/**
 * Marks a person as unreachable on their channel (blocked the bot, number not on WhatsApp) and
 * tells the coordinator inbox, once.
 */
export async function markUnreachable(prisma: Prisma, channel: string, address: string): Promise<void> {
  const person = await prisma.person.findUnique({ where: { channel_address: { channel, address } }, select: { id: true, unreachableAt: true } });
  if (!person || person.unreachableAt) return;
  await prisma.$transaction([
    prisma.person.update({ where: { id: person.id }, data: { unreachableAt: new Date() } }),
    prisma.inboxItem.create({ data: { id: randomUUID(), personId: person.id, kind: 'unreachable' } }),
  ]);
}
