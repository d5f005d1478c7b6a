import { Prisma as P } from './generated/sqlite/client.js';
import type { Dialect, Prisma, Tx } from './client.js';
import type { OutboundMessage } from '../core/events.js';
import type { SendContext } from '../channels/types.js';
import type { Translator } from '../core/i18n.js';
import { execute, rows } from './statements.js';

export interface OutboxRow {
  id: number;
  channel: string;
  address: string;
  personId: string | null;
  message: OutboundMessage;
  attempts: number;
}

type Recipient = { channel: string; address: string; personId: string | null };

/** Inserts a person's messages in order, in one statement; returns their ids, ascending. */
async function insertMessages(tx: Tx, to: Recipient, messages: readonly OutboundMessage[], now: number, claimedUntil?: number): Promise<number[]> {
  const [status, attempts] = claimedUntil === undefined ? ['pending', 0] : ['sending', 1];
  const lease = claimedUntil === undefined ? null : BigInt(claimedUntil);
  // The payload goes as JSON text; PostgreSQL reads it as the column's JSONB.
  const values = messages.map(
    (m) => P.sql`(${to.channel}, ${to.address}, ${to.personId}, ${JSON.stringify(m)}, ${status}, ${attempts}, ${BigInt(now)}, ${BigInt(now)}, ${lease})`,
  );
  const inserted = await rows<{ id: number }>(
    tx,
    P.sql`
    INSERT INTO "OutboxMessage" ("channel", "address", "personId", "payload", "status", "attempts", "dueAt", "createdAt", "claimedUntil")
    VALUES ${P.join(values)}
    RETURNING "id"`,
  );
  return inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Queues messages for one person in the caller's transaction, in the order given (one statement). */
export async function enqueueMessages(tx: Tx, to: Recipient, messages: readonly OutboundMessage[], now: number): Promise<void> {
  if (messages.length > 0) await insertMessages(tx, to, messages, now);
}

/** A claim the outbox worker offers for messages queued now. */
export interface ClaimOffer {
  /** The lease: a worker that stops without sending them gives them back after this. */
  until: number;
  /**
   * Whether an unsent message is the offering worker's own (being sent, or sent and not yet
   * recorded): messages claimed now go out after it, in the worker's line for the person.
   */
  heldHere(id: number): boolean;
}

/**
 * Queues a person's messages already claimed for sending, so that a reply goes out the moment
 * its transaction commits instead of waiting for the worker to find it. Only when every unsent
 * message of theirs is the same worker's (it sends them in order): otherwise they are queued as
 * usual, behind the rest (and always when the worker offers no claim). Returns the claimed
 * messages, to be sent once committed.
 */
export async function enqueueClaimed(tx: Tx, to: Recipient, messages: readonly OutboundMessage[], now: number, offer: ClaimOffer | undefined): Promise<OutboxRow[]> {
  if (messages.length === 0) return [];
  if (!offer) {
    await insertMessages(tx, to, messages, now);
    return [];
  }
  const unsent = await rows<{ id: number }>(
    tx,
    P.sql`SELECT "id" FROM "OutboxMessage" WHERE "channel" = ${to.channel} AND "address" = ${to.address} AND "status" IN ('pending', 'sending') LIMIT 20`,
  );
  if (!unsent.every((row) => offer.heldHere(Number(row.id)))) {
    await insertMessages(tx, to, messages, now);
    return [];
  }
  const ids = await insertMessages(tx, to, messages, now, offer.until);
  return ids.map((id, i) => ({ id, ...to, message: messages[i]!, attempts: 1 }));
}

/** A person as most queries select them: enough to reach them, in their own language. */
export interface Addressee {
  id: string;
  channel: string;
  address: string;
  locale: string | null;
}

/** The person's language, or the bot's default for someone who never chose one. */
export function localeOf(person: Pick<Addressee, 'locale'>, translator: Translator): string {
  return person.locale ?? translator.defaultLocale;
}

/** Queues one text for a person, due at `now` (at once by default). */
export function enqueueText(tx: Tx, person: Omit<Addressee, 'locale'>, locale: string, text: string, now = Date.now()): Promise<void> {
  return enqueueMessages(tx, { channel: person.channel, address: person.address, personId: person.id }, [{ kind: 'text', locale, text }], now);
}

/** Queues the text `key` for a person, in their language; returns the text, for a record of what was said. */
export async function tell(tx: Tx, translator: Translator, person: Addressee, key: string, vars: Record<string, string | number> = {}, now = Date.now()): Promise<string> {
  const locale = localeOf(person, translator);
  const text = translator.t(locale, key, vars);
  await enqueueText(tx, person, locale, text, now);
  return text;
}

type ClaimedRow = { id: number; channel: string; address: string; personId: string | null; payload: unknown; attempts: number };

/** Due messages of people with nothing earlier in flight or waiting for a retry. */
function dueCondition(channels: readonly string[], now: number): P.Sql {
  return P.sql`o."status" = 'pending' AND o."dueAt" <= ${BigInt(now)} AND o."channel" IN (${P.join([...channels])})
    AND NOT EXISTS (
      SELECT 1 FROM "OutboxMessage" e
      WHERE e."channel" = o."channel" AND e."address" = o."address" AND e."id" < o."id"
        AND (e."status" = 'sending' OR (e."status" = 'pending' AND e."dueAt" > ${BigInt(now)})))`;
}

/**
 * Claims due messages for sending: marks them `sending` with a lease and returns them, oldest
 * first. A person's message is skipped while an earlier one of theirs is in flight or waiting
 * for a retry, so each person receives their messages in order.
 *
 * On SQLite one process writes, and one statement does it. On PostgreSQL several instances claim
 * at once: rows are locked with SKIP LOCKED, and a person's rows are taken only from their oldest
 * unsent message on, without a gap, so no two instances ever send one person's messages at once.
 */
export async function claimDueMessages(
  tx: Tx,
  dialect: Dialect,
  channels: readonly string[],
  now: number,
  leaseMs: number,
  limit: number,
): Promise<OutboxRow[]> {
  if (channels.length === 0) return [];
  const lease = BigInt(now + leaseMs);
  const claim = (which: P.Sql) =>
    rows<ClaimedRow>(
      tx,
      P.sql`
      UPDATE "OutboxMessage" SET "status" = 'sending', "claimedUntil" = ${lease}, "attempts" = "attempts" + 1
      WHERE "id" IN (${which})
      RETURNING "id", "channel", "address", "personId", "payload", "attempts"`,
    );
  let claimed: ClaimedRow[] = [];
  if (dialect === 'sqlite') {
    claimed = await claim(P.sql`SELECT o."id" FROM "OutboxMessage" o WHERE ${dueCondition(channels, now)} ORDER BY o."id" LIMIT ${limit}`);
  } else {
    const locked = await rows<{ id: number; channel: string; address: string }>(
      tx,
      P.sql`
      SELECT o."id", o."channel", o."address" FROM "OutboxMessage" o WHERE ${dueCondition(channels, now)}
      ORDER BY o."id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
    );
    const mine = new Set(locked.map((r) => Number(r.id)));
    const people = [...new Map(locked.map((r) => [`${r.channel}\u0000${r.address}`, r])).values()];
    const unsent =
      people.length === 0
        ? []
        : await rows<{ id: number; channel: string; address: string }>(
            tx,
            P.sql`
            SELECT "id", "channel", "address" FROM "OutboxMessage"
            WHERE "status" IN ('pending', 'sending') AND ("channel", "address") IN (${P.join(people.map((p) => P.sql`(${p.channel}, ${p.address})`))})
            ORDER BY "id"`,
          );
    const byPerson = new Map<string, number[]>();
    for (const r of unsent) byPerson.set(`${r.channel}\u0000${r.address}`, [...(byPerson.get(`${r.channel}\u0000${r.address}`) ?? []), Number(r.id)]);
    const chosen: number[] = [];
    for (const ids of byPerson.values()) {
      for (const id of ids) {
        if (!mine.has(id)) break;
        chosen.push(id);
      }
    }
    if (chosen.length > 0) claimed = await claim(P.join(chosen));
  }
  return claimed
    .map((r) => ({
      id: Number(r.id),
      channel: r.channel,
      address: r.address,
      personId: r.personId,
      message: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as OutboundMessage,
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Returns messages whose lease ran out (their sender stopped mid-send) to the queue. */
export async function releaseExpiredClaims(prisma: Prisma, now: number): Promise<number> {
  const result = await prisma.outboxMessage.updateMany({
    where: { status: 'sending', claimedUntil: { lt: BigInt(now) } },
    data: { status: 'pending', claimedUntil: null },
  });
  return result.count;
}

export type SendOutcome =
  | { id: number; result: 'sent'; platformMessageId: string | undefined }
  | { id: number; result: 'retry'; dueAt: number; error: string }
  /** Not attempted: an earlier message of the same person failed first. */
  | { id: number; result: 'deferred'; dueAt: number }
  | { id: number; result: 'failed'; error: string };

/** Records what happened to claimed messages (statements only). A sent message's content is dropped. */
export async function recordOutcomes(tx: Tx, outcomes: readonly SendOutcome[], now: number): Promise<void> {
  // Sent messages (nearly all of them) are recorded a few hundred to a statement: a survey to
  // thousands of people must not cost a round trip per message.
  const sent = outcomes.filter((o): o is Extract<SendOutcome, { result: 'sent' }> => o.result === 'sent');
  for (let i = 0; i < sent.length; i += 300) {
    const chunk = sent.slice(i, i + 300);
    const ids = P.join(chunk.map((o) => o.id));
    const platformIds = P.join(chunk.map((o) => P.sql`WHEN ${o.id} THEN ${o.platformMessageId ?? null}`), ' ');
    await execute(
      tx,
      P.sql`
      UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ${BigInt(now)}, "payload" = NULL, "claimedUntil" = NULL, "lastError" = NULL,
        "platformMessageId" = CASE "id" ${platformIds} END
      WHERE "id" IN (${ids})`,
    );
  }
  for (const o of outcomes) {
    switch (o.result) {
      case 'sent':
        break;
      case 'retry':
        await execute(tx, P.sql`UPDATE "OutboxMessage" SET "status" = 'pending', "dueAt" = ${BigInt(o.dueAt)}, "claimedUntil" = NULL, "lastError" = ${o.error} WHERE "id" = ${o.id}`);
        break;
      case 'deferred':
        await execute(tx, P.sql`UPDATE "OutboxMessage" SET "status" = 'pending', "dueAt" = ${BigInt(o.dueAt)}, "claimedUntil" = NULL, "attempts" = "attempts" - 1 WHERE "id" = ${o.id}`);
        break;
      case 'failed':
        await execute(tx, P.sql`UPDATE "OutboxMessage" SET "status" = 'failed', "claimedUntil" = NULL, "lastError" = ${o.error} WHERE "id" = ${o.id}`);
        break;
    }
  }
}

/** Messages waiting to be sent (the `/metrics` outbox depth). */
export function outboxDepth(prisma: Prisma): Promise<number> {
  return prisma.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } });
}

/** What each claimed person's sends need to know, keyed by channel and address, in one query. */
export async function sendContexts(prisma: Prisma, claimed: readonly OutboxRow[]): Promise<Map<string, SendContext>> {
  const ids = [...new Set(claimed.map((r) => r.personId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const people = await rows<{ channel: string; address: string; lastInboundAt: Date | string | null }>(
    prisma,
    P.sql`SELECT "channel", "address", "lastInboundAt" FROM "Person" WHERE "id" IN (${P.join(ids)})`,
  );
  return new Map(people.map((p) => [`${p.channel}\u0000${p.address}`, { lastInboundAt: p.lastInboundAt === null ? undefined : new Date(p.lastInboundAt).getTime() }]));
}

/**
 * Leases `want` sends of `second` under `limit` for the key, shared by all instances: all of
 * them or none. Returns how many were granted.
 */
async function leaseExactly(prisma: Prisma, key: string, second: number, want: number, limit: number): Promise<number> {
  const granted = await rows<{ used: number }>(
    prisma,
    P.sql`
    INSERT INTO "RateWindow" ("key", "second", "used") VALUES (${key}, ${BigInt(second)}, ${want})
    ON CONFLICT ("key", "second") DO UPDATE SET "used" = "RateWindow"."used" + ${want}
    WHERE "RateWindow"."used" + ${want} <= ${limit}
    RETURNING "used"`,
  );
  return granted.length > 0 ? want : 0;
}

/** Leases up to `want` sends (falling back to one near the end of the second); 0 when it is used up. */
export async function leaseSends(prisma: Prisma, key: string, second: number, want: number, limit: number): Promise<number> {
  const granted = await leaseExactly(prisma, key, second, Math.min(want, limit), limit);
  return granted > 0 || want <= 1 ? granted : leaseExactly(prisma, key, second, 1, limit);
}

/** Drops rate windows older than a minute (they only ever matter for the current second). */
export async function pruneRateWindows(prisma: Prisma, now: number): Promise<void> {
  await prisma.rateWindow.deleteMany({ where: { second: { lt: BigInt(Math.floor(now / 1000) - 60) } } });
}
