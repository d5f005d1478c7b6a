import type { ChannelSender, SendContext } from '../channels/types.js';
import type { Db } from '../db/client.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { claimDueMessages, type ClaimOffer, leaseSends, pruneRateWindows, recordOutcomes, releaseExpiredClaims, sendContexts, type OutboxRow, type SendOutcome } from '../db/outbox.js';
import { PlatformError } from '../errors.js';
import { hitFailpoint } from '../failpoints.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { type Answered, KeyedBuckets, SharedRateLimiter, TokenBucket, type SendLimiter } from './rate-limit.js';
import { describeSendError, nextAttemptAt } from './retry.js';

export interface Outbox {
  start(): Promise<void>;
  /** Something was queued: look now rather than at the next poll. */
  wake(): void;
  /**
   * A claim for messages queued now, or undefined when the worker is not running or has no room
   * (they are then queued for the next look).
   */
  claimOffer(): ClaimOffer | undefined;
  /** Sends messages claimed for this worker in a transaction that has committed. */
  sendClaimed(rows: OutboxRow[]): void;
  /** Stops claiming; resolves when the sends in flight are recorded. */
  stop(): Promise<void>;
  /** Resolves when nothing is in flight and nothing due is waiting (for tests and shutdown). */
  drained(timeoutMs?: number): Promise<void>;
}

export interface OutboxOptions {
  db: Db;
  committer: GroupCommitter;
  senders: readonly ChannelSender[];
  log: Logger;
  metrics: Metrics;
  /** How often to look for due retries and expired claims when nothing wakes the worker. */
  pollMs?: number;
  /** How long a claim lasts: a process that dies mid-send gives its messages back after this. */
  leaseMs?: number;
  /** Messages in flight at most (all people together). */
  maxInFlight?: number;
}

/**
 * The outbox workers. Messages are claimed from the database, grouped per person and sent in
 * order, each send waiting for the channel's and the person's rate limit; the outcome of each
 * group is recorded in a (group-committed) transaction.
 *
 * A crash after a platform accepted a message and before its outcome is recorded sends it
 * again after the lease: at-least-once delivery. The window is one send call.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { db, committer, log, metrics } = options;
  const pollMs = options.pollMs ?? 1000;
  // Longer than any send may take (each channel's client times out within 15 s).
  const leaseMs = options.leaseMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 512;
  const senders = new Map(options.senders.map((s) => [s.channel, s]));
  const channelBuckets = new Map(options.senders.map((s) => [s.channel, channelLimiter(s)]));
  const addressBuckets = new Map(options.senders.map((s) => [s.channel, new KeyedBuckets(s.ratePerAddress, 3)]));
  const channels = [...senders.keys()];
  /**
   * Messages claimed ahead of the channels' rate: what they send in `CLAIM_AHEAD_SECONDS` (all of
   * `maxInFlight` when a channel has no cap). A message claimed further ahead waits at its
   * channel's bucket long enough to outlive the young generation's collections, and a survey's
   * waiting sends then fill the old heap until a full collection. Messages on their way to the
   * platform are not counted: a slow API still gets as many at once as `maxInFlight` allows.
   */
  const CLAIM_AHEAD_SECONDS = 0.1;
  const claimAhead = options.senders.some((s) => s.ratePerSecond <= 0)
    ? maxInFlight
    : Math.min(maxInFlight, Math.max(1, Math.ceil(options.senders.reduce((sum, s) => sum + s.ratePerSecond, 0) * CLAIM_AHEAD_SECONDS)));
  /** Claimed messages not yet given their slot by the channel's bucket. */
  const waitingForSlot = new Set<number>();

  let running = false;
  let pumping = false;
  let again = false;
  /**
   * Something due may be waiting behind a send in flight (a person's next message, or no room
   * left): look again when a send finishes. Otherwise a finished send needs no look, and replies
   * claimed as they were queued cost no query at all.
   */
  let lookAfterSends = false;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let pumpingNow: Promise<void> | undefined;
  const groupsInFlight = new Set<Promise<void>>();
  /** Messages claimed by this worker whose outcome is not yet recorded. */
  const held = new Set<number>();
  /** Each person's line of groups being sent here, and whether a failed send holds it up. */
  interface PersonLine {
    tail: Promise<void>;
    blockedUntil?: number;
  }
  const people = new Map<string, PersonLine>();

  function channelLimiter(s: ChannelSender): SendLimiter {
    if (s.ratePerSecond <= 0) return new TokenBucket(0);
    // On PostgreSQL several instances may send: the channel's cap is shared through the database.
    if (db.dialect === 'postgresql') {
      return new SharedRateLimiter(`channel:${s.channel}`, s.ratePerSecond, (key, second, want, limit) => leaseSends(db.prisma, key, second, want, limit));
    }
    // The bucket paces sends a little under the platform's cap, with a burst for the few
    // milliseconds a timer may oversleep; the cap (a percent under the platform's, whose clock
    // is not ours) holds back the sends that would reach it bunched after a delay.
    return new TokenBucket(s.ratePerSecond * 0.98, Math.max(1, s.ratePerSecond * 0.02), { cap: Math.max(1, Math.floor(s.ratePerSecond * 0.99)) });
  }

  async function sendOne(row: OutboxRow, context: SendContext): Promise<SendOutcome> {
    let answered: Answered;
    try {
      answered = await channelBuckets.get(row.channel)!.take();
    } finally {
      waitingForSlot.delete(row.id);
    }
    try {
      await addressBuckets.get(row.channel)!.take(row.address);
      return await sendNow(row, context);
    } finally {
      // Answered or failed: the channel's cap counts the send for a second more.
      answered();
    }
  }

  async function sendNow(row: OutboxRow, context: SendContext): Promise<SendOutcome> {
    const sender = senders.get(row.channel)!;
    const started = performance.now();
    try {
      const { platformMessageId } = await sender.send(row.address, row.message, context);
      metrics.outbound.inc({ channel: row.channel, result: 'sent' });
      return { id: row.id, result: 'sent', platformMessageId };
    } catch (err) {
      const now = Date.now();
      const error = describeSendError(err);
      if (err instanceof PlatformError && err.details.scope === 'channel' && err.details.retryAfterSec !== undefined) {
        channelBuckets.get(row.channel)!.pause(now + err.details.retryAfterSec * 1000);
      }
      const dueAt = nextAttemptAt(err, row.attempts, now);
      metrics.outbound.inc({ channel: row.channel, result: dueAt === undefined ? 'failed' : 'retry' });
      log.warn({ channel: row.channel, outboxId: row.id, attempts: row.attempts, error, retry: dueAt !== undefined }, 'send failed');
      return dueAt === undefined ? { id: row.id, result: 'failed', error } : { id: row.id, result: 'retry', dueAt, error };
    } finally {
      metrics.sendSeconds.observe({ channel: row.channel }, (performance.now() - started) / 1000);
    }
  }

  /**
   * One person's claimed messages, in order; after a failure the rest wait for the retry, and so
   * do the person's messages queued behind these in this worker (`person.blockedUntil`).
   */
  async function sendGroup(rows: OutboxRow[], context: SendContext, person: PersonLine): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    for (const row of rows) {
      if (person.blockedUntil !== undefined) {
        outcomes.push({ id: row.id, result: 'deferred', dueAt: person.blockedUntil });
        continue;
      }
      const outcome = await sendOne(row, context);
      outcomes.push(outcome);
      if (outcome.result === 'retry') person.blockedUntil = outcome.dueAt;
    }
    return outcomes;
  }

  /**
   * Outcomes are recorded together, in one job that joins the committer's next batch (the next
   * webhook's, as a rule) or commits alone `RECORD_EVERY_MS` after the first of them: every
   * commit writes the pages it changed to the log again, and a record changes mostly the pages
   * the next webhook's replies change. Outcomes that arrive while the job waits go in it too, so
   * a survey's thousand sends a second make at most a hundred commits, not a thousand. The window
   * in which a crash sends a message twice grows by at most that long.
   */
  const RECORD_EVERY_MS = 10;
  /** Outcomes for the record job that waits for its batch: there is one while this is not empty. */
  let waiting: { outcomes: SendOutcome[]; done(err?: unknown): void }[] = [];
  function record(outcomes: SendOutcome[]): Promise<void> {
    return new Promise((resolve, reject) => {
      waiting.push({ outcomes, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (waiting.length > 1) return;
      // Outcomes go into this batch until the job runs (or its batch fails before it could);
      // from then on the next outcome starts a job of its own.
      const batch = waiting;
      const close = () => {
        if (waiting === batch) waiting = [];
      };
      committer
        .run(
          (tx) => {
            close();
            return recordOutcomes(tx, batch.flatMap((b) => b.outcomes), Date.now());
          },
          { durable: false, statementsOnly: true, joinWithinMs: RECORD_EVERY_MS },
        )
        .then(
          () => batch.forEach((b) => b.done()),
          (err: unknown) => {
            close();
            batch.forEach((b) => b.done(err ?? new Error('recording failed')));
          },
        );
    });
  }

  /**
   * Sends claimed messages, each person's in order, people in parallel. A person's messages
   * claimed while earlier ones of theirs are still being sent here go out after those.
   */
  async function dispatch(rows: OutboxRow[]): Promise<void> {
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const key = `${row.channel}\u0000${row.address}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
      held.add(row.id);
      waitingForSlot.add(row.id);
    }
    inFlight += rows.length;
    const contexts = await sendContexts(db.prisma, rows.filter((row) => senders.get(row.channel)?.needsContext)).catch((err: unknown) => {
      inFlight -= rows.length;
      for (const row of rows) {
        held.delete(row.id);
        waitingForSlot.delete(row.id);
      }
      throw err;
    });
    for (const [key, group] of groups) {
      const person = people.get(key) ?? { tail: Promise.resolve() };
      const sent = person.tail.then(() => hitFailpoint('before-send')).then(() => sendGroup(group, contexts.get(key) ?? { lastInboundAt: undefined }, person));
      // The person's next messages wait for these sends, not for their record.
      const tail = sent.then(
        () => undefined,
        () => undefined,
      );
      const done: Promise<void> = sent
        .then(record)
        .catch((err: unknown) => log.error({ err }, 'could not send or record claimed messages'))
        .finally(() => {
          for (const row of group) {
            held.delete(row.id);
            // Deferred behind a failed send, these never asked for a slot.
            waitingForSlot.delete(row.id);
          }
          inFlight -= group.length;
          groupsInFlight.delete(done);
          if (people.get(key)?.tail === tail) people.delete(key);
          // Refill once half the room is free: a claim per finished send would cost a query each.
          if (running && lookAfterSends && claimRoom() >= Math.max(1, claimAhead / 2)) void pump();
        });
      person.tail = tail;
      people.set(key, person);
      groupsInFlight.add(done);
    }
  }

  /** How many more messages to claim now. */
  function claimRoom(): number {
    return Math.min(maxInFlight - inFlight, claimAhead - waitingForSlot.size);
  }

  function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return pumpingNow!;
    }
    pumping = true;
    pumpingNow = pumpOnce();
    return pumpingNow;
  }

  async function pumpOnce(): Promise<void> {
    try {
      do {
        again = false;
        while (running) {
          const room = claimRoom();
          if (room <= 0) {
            lookAfterSends = true;
            break;
          }
          const limit = Math.min(256, room);
          const rows = await committer.run((tx) => claimDueMessages(tx, db.dialect, channels, Date.now(), leaseMs, limit), { durable: false, statementsOnly: true });
          if (rows.length === 0) {
            if (inFlight === 0) lookAfterSends = false;
            break;
          }
          await dispatch(rows);
        }
      } while (again && running);
    } catch (err) {
      log.error({ err }, 'outbox claim failed');
    } finally {
      pumping = false;
    }
  }

  async function tick(): Promise<void> {
    try {
      const released = await releaseExpiredClaims(db.prisma, Date.now());
      if (released > 0) log.warn({ released }, 'outbox claims expired and were released');
      if (db.dialect === 'postgresql') await pruneRateWindows(db.prisma, Date.now());
    } catch (err) {
      log.error({ err }, 'outbox lease sweep failed');
    }
    await pump();
  }

  function schedule(): void {
    timer = setTimeout(() => {
      if (!running) return;
      ticking = tick().finally(() => {
        if (running) schedule();
      });
    }, pollMs);
    timer.unref();
  }

  return {
    async start() {
      if (running || channels.length === 0) return;
      // Only one process sends from a SQLite database: a claim found at start is a stopped
      // process's, and waiting for its lease would only delay the person's reply.
      if (db.dialect === 'sqlite') {
        const released = await releaseExpiredClaims(db.prisma, Number.MAX_SAFE_INTEGER);
        if (released > 0) log.warn({ released }, 'outbox claims of a stopped process were released');
      }
      running = true;
      ticking = tick();
      schedule();
    },
    wake() {
      lookAfterSends = true;
      if (running) void pump();
    },
    claimOffer() {
      return running && claimRoom() > 0 ? { until: Date.now() + leaseMs, heldHere: (id) => held.has(id) } : undefined;
    },
    sendClaimed(rows) {
      if (rows.length === 0) return;
      // Claimed messages no one sends go back to the queue when their lease runs out.
      const sending: Promise<void> = dispatch(rows)
        .catch((err: unknown) => log.error({ err }, 'could not send claimed messages'))
        .finally(() => groupsInFlight.delete(sending));
      groupsInFlight.add(sending);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await ticking;
      await pumpingNow;
      while (groupsInFlight.size > 0) await Promise.all([...groupsInFlight]);
    },
    async drained(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const due = await db.prisma.outboxMessage.count({
          where: { channel: { in: channels }, status: { in: ['pending', 'sending'] }, dueAt: { lte: BigInt(Date.now()) } },
        });
        if (due === 0 && inFlight === 0) return;
        if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms (${due} due, ${inFlight} in flight)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
