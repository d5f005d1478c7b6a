import { Prisma as P } from './generated/sqlite/client.js';
import type { Dialect, Prisma, Tx } from './client.js';
import { InboundEvent } from '../core/events.js';
import { execute, jsonValue, rows } from './statements.js';

export interface StoredEventRef {
  id: number;
  channel: string;
  address: string;
}

/**
 * Stores inbound events; an event whose (channel, externalId) is already stored is skipped, so
 * a platform's redelivery is recorded once. Returns the events newly stored, in order.
 */
export async function insertInboundEvents(tx: Tx, dialect: Dialect, events: InboundEvent[]): Promise<StoredEventRef[]> {
  const stored: StoredEventRef[] = [];
  for (const e of events) {
    const payload = { content: e.content, ...(e.localeHint ? { localeHint: e.localeHint } : {}) };
    const [row] = await rows<{ id: number }>(
      tx,
      P.sql`
      INSERT INTO "InboundEvent" ("channel", "externalId", "address", "status", "payload", "receivedAt")
      VALUES (${e.channel}, ${e.externalId}, ${e.address}, 'pending', ${jsonValue(dialect, payload)}, ${BigInt(e.receivedAt)})
      ON CONFLICT ("channel", "externalId") DO NOTHING
      RETURNING "id"`,
    );
    if (row) stored.push({ id: Number(row.id), channel: e.channel, address: e.address });
  }
  return stored;
}

/**
 * The events still waiting to be handled on these channels, oldest first (for recovery after a
 * stop), optionally only those received before `receivedBefore` (epoch ms).
 */
export async function pendingInboundEvents(prisma: Prisma, channels: readonly string[], receivedBefore?: number): Promise<StoredEventRef[]> {
  if (channels.length === 0) return [];
  const before = receivedBefore !== undefined ? P.sql`AND "receivedAt" < ${BigInt(receivedBefore)}` : P.empty;
  const pending = await rows<StoredEventRef>(
    prisma,
    P.sql`SELECT "id", "channel", "address" FROM "InboundEvent" WHERE "status" = 'pending' AND "channel" IN (${P.join([...channels])}) ${before} ORDER BY "id"`,
  );
  return pending.map((e) => ({ id: Number(e.id), channel: e.channel, address: e.address }));
}

const StoredPayload = InboundEvent.pick({ content: true, localeHint: true });

/** Parses a stored payload back into an event's content and language hint. */
export function readPayload(payload: unknown): Pick<InboundEvent, 'content' | 'localeHint'> | undefined {
  const parsed = StoredPayload.safeParse(typeof payload === 'string' ? JSON.parse(payload) : payload);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Marks an event handled and drops its content: once answered, a person's words are not kept
 * longer than needed (what a coordinator must read is kept with the handover, keepForCoordinator).
 */
export async function markInboundHandled(tx: Tx, id: number, status: 'done' | 'failed', now: number): Promise<void> {
  await execute(tx, P.sql`UPDATE "InboundEvent" SET "status" = ${status}, "handledAt" = ${BigInt(now)}, "payload" = NULL WHERE "id" = ${id}`);
}

/** The person's oldest pending event up to `maxId`, with its content (one statement: every message runs it). */
export async function oldestPendingEvent(tx: Tx, channel: string, address: string, maxId: number): Promise<{ id: number; payload: unknown } | undefined> {
  const [row] = await rows<{ id: number; payload: unknown }>(
    tx,
    P.sql`
    SELECT "id", "payload" FROM "InboundEvent"
    WHERE "channel" = ${channel} AND "address" = ${address} AND "status" = 'pending' AND "id" <= ${maxId}
    ORDER BY "id" LIMIT 1`,
  );
  return row ? { id: Number(row.id), payload: row.payload } : undefined;
}
