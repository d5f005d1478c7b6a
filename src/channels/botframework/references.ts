import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { Prisma } from '../../db/client.js';
import type { BotActivity } from './inbound.js';

/**
 * What a proactive send needs to reach a conversation (botbuilder's `ConversationReference`),
 * kept to ids: no display names, which a send does not need and the database need not hold.
 */
export const StoredReference = z.object({
  channelId: z.string(),
  serviceUrl: z.string(),
  locale: z.string().optional(),
  conversation: z.object({ id: z.string(), conversationType: z.string().optional(), tenantId: z.string().optional() }),
  bot: z.object({ id: z.string(), name: z.string().optional() }),
  user: z.object({ id: z.string(), aadObjectId: z.string().optional() }),
});
export type StoredReference = z.infer<typeof StoredReference>;

/** The `Setting` key of an address's reference; no model of its own is needed for one JSON value. */
export const referenceKey = (address: string) => `botframework:ref:${address}`;

/** The reference to reply into the conversation an activity came from. */
export function referenceOf(activity: BotActivity): StoredReference {
  // Teams puts the tenant on channelData or on the conversation (payloads.md section 3): read either.
  const tenantId = activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
  return {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    ...(activity.locale ? { locale: activity.locale } : {}),
    conversation: {
      id: activity.conversation.id,
      ...(activity.conversation.conversationType ? { conversationType: activity.conversation.conversationType } : {}),
      ...(tenantId ? { tenantId } : {}),
    },
    bot: { id: activity.recipient.id, ...(activity.recipient.name ? { name: activity.recipient.name } : {}) },
    user: { id: activity.from.id, ...(activity.from.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}) },
  };
}

/**
 * Stores (or refreshes) an address's reference. Written on every inbound activity: the
 * `serviceUrl` of a conversation can change, and the latest one is where replies must go.
 */
export async function saveReference(prisma: Prisma, address: string, reference: StoredReference): Promise<void> {
  const value = JSON.stringify(reference);
  await prisma.setting.upsert({ where: { key: referenceKey(address) }, create: { key: referenceKey(address), value }, update: { value } });
}

/** The stored reference of an address, or undefined when none is stored (or it is unreadable). */
export async function loadReference(prisma: Prisma, address: string): Promise<ConversationReference | undefined> {
  const row = await prisma.setting.findUnique({ where: { key: referenceKey(address) } });
  if (!row) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(row.value);
  } catch {
    return undefined;
  }
  const parsed = StoredReference.safeParse(json);
  return parsed.success ? (parsed.data as ConversationReference) : undefined;
}
