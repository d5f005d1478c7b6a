import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelSender } from '../../src/channels/types.js';
import type { OutboundMessage } from '../../src/core/events.js';
import type { Db } from '../../src/db/client.js';
import { createGroupCommitter } from '../../src/db/group-commit.js';
import { enqueueClaimed, enqueueMessages } from '../../src/db/outbox.js';
import { NetworkError, PlatformError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { TokenBucket } from '../../src/outbox/rate-limit.js';
import { nextAttemptAt } from '../../src/outbox/retry.js';
import { createOutbox, type Outbox } from '../../src/outbox/worker.js';
import { databases, openTestDb } from '../helpers/databases.js';
import { waitFor } from '../helpers/wait.js';

/** A platform double in process: records what arrives, fails as each test scripts it. */
function scriptedSender(script: (text: string, attempt: number) => Error | undefined, limits = { ratePerSecond: 0, ratePerAddress: 0 }) {
  const received: { address: string; text: string; at: number }[] = [];
  const attempts = new Map<string, number>();
  const sender: ChannelSender = {
    channel: 'double',
    ...limits,
    async send(address, message) {
      const text = message.kind === 'text' ? message.text : '';
      const attempt = (attempts.get(text) ?? 0) + 1;
      attempts.set(text, attempt);
      const err = script(text, attempt);
      if (err) throw err;
      received.push({ address, text, at: Date.now() });
      return { platformMessageId: `m-${received.length}` };
    },
  };
  return { sender, received };
}

const msg = (text: string): OutboundMessage => ({ kind: 'text', locale: 'en', text });

describe.each(databases)('the outbox on $name', ({ create, skip }) => {
  let db: Db;
  let outbox: Outbox | undefined;

  beforeEach(async () => {
    if (skip) return;
    db = await openTestDb(await create());
  });
  afterEach(async () => {
    if (skip) return;
    await outbox?.stop();
    outbox = undefined;
    await db.close();
  });

  function start(sender: ChannelSender): Outbox {
    const committer = createGroupCommitter(db.prisma);
    outbox = createOutbox({ db, committer, senders: [sender], log: createLogger('silent'), metrics: createMetrics(async () => 0), pollMs: 20 });
    void outbox.start();
    return outbox;
  }

  async function queue(address: string, texts: string[]): Promise<void> {
    await db.prisma.$transaction((tx) => enqueueMessages(tx, { channel: 'double', address, personId: null }, texts.map(msg), Date.now()));
  }

  it.skipIf(skip)('sends each person’s messages in order and records them as sent', async () => {
    const { sender, received } = scriptedSender(() => undefined);
    await queue('a', ['a1', 'a2', 'a3']);
    await queue('b', ['b1', 'b2']);
    await start(sender).drained();
    expect(received.filter((r) => r.address === 'a').map((r) => r.text)).toEqual(['a1', 'a2', 'a3']);
    expect(received.filter((r) => r.address === 'b').map((r) => r.text)).toEqual(['b1', 'b2']);
    const rows = await db.prisma.outboxMessage.findMany();
    expect(rows.every((r) => r.status === 'sent' && r.payload === null && r.platformMessageId)).toBe(true);
  });

  it.skipIf(skip)('waits the platform’s retry_after, and holds back the person’s later messages meanwhile', async () => {
    const throttled = new PlatformError('Too Many Requests', { status: 429, platformCode: 429, retryAfterSec: 0.3 });
    const { sender, received } = scriptedSender((text, attempt) => (text === 'first' && attempt === 1 ? throttled : undefined));
    await queue('a', ['first', 'second']);
    const started = Date.now();
    start(sender);
    await waitFor('both messages', () => received.length === 2);
    await outbox!.drained();
    expect(received.map((r) => r.text)).toEqual(['first', 'second']);
    expect(received[0]!.at - started).toBeGreaterThanOrEqual(290);
    const rows = await db.prisma.outboxMessage.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 1],
    ]);
  });

  it.skipIf(skip)('sends a reply claimed as it is queued after the person’s message still in flight, and after its retry', async () => {
    // The person's first message is on its way (the platform has not answered yet) and will need
    // a retry; their next one is queued meanwhile, claimed for this worker at once.
    let answerFirst = () => {};
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    const received: string[] = [];
    let firstAttempts = 0;
    const sender: ChannelSender = {
      channel: 'double',
      ratePerSecond: 0,
      ratePerAddress: 0,
      async send(_address, message) {
        const text = message.kind === 'text' ? message.text : '';
        if (text === 'first' && ++firstAttempts === 1) {
          await firstAnswered;
          throw new NetworkError('connection reset');
        }
        received.push(text);
        return { platformMessageId: `m-${received.length}` };
      },
    };
    await queue('a', ['first']);
    const worker = start(sender);
    await waitFor('the first send under way', () => firstAttempts === 1);
    const committer = createGroupCommitter(db.prisma);
    const offer = worker.claimOffer();
    expect(offer).toBeDefined();
    const claimed = await committer.run((tx) => enqueueClaimed(tx, { channel: 'double', address: 'a', personId: null }, [msg('second')], Date.now(), offer!));
    expect(claimed.map((r) => r.message)).toEqual([msg('second')]);
    worker.sendClaimed(claimed);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([]);
    answerFirst();
    await waitFor('both, after the retry', () => received.length === 2, 10_000);
    expect(received).toEqual(['first', 'second']);
    await worker.drained();
    const rows = await db.prisma.outboxMessage.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it.skipIf(skip)('queues a reply for the worker when something of the person’s waits that is not its own', async () => {
    const { sender, received } = scriptedSender(() => undefined);
    await queue('a', ['waiting']);
    // A claim offered while the waiting message is not the worker's (the worker starts only
    // afterwards, so that it cannot have sent it yet): the reply must not jump it.
    const offer = { until: Date.now() + 30_000, heldHere: () => false };
    const committer = createGroupCommitter(db.prisma);
    const claimed = await committer.run((tx) => enqueueClaimed(tx, { channel: 'double', address: 'a', personId: null }, [msg('reply')], Date.now(), offer));
    expect(claimed).toEqual([]);
    const worker = start(sender);
    worker.wake();
    await waitFor('both', () => received.length === 2);
    expect(received.map((r) => r.text)).toEqual(['waiting', 'reply']);
  });

  it.skipIf(skip)('retries when the platform does not answer, then delivers', async () => {
    const { sender, received } = scriptedSender((_t, attempt) => (attempt === 1 ? new NetworkError('connection reset') : undefined));
    await queue('a', ['hello']);
    start(sender);
    await waitFor('the retry', () => received.length === 1);
    expect(received.map((r) => r.text)).toEqual(['hello']);
  });

  it.skipIf(skip)('records a permanent failure once, without retrying it forever', async () => {
    const blocked = new PlatformError('Forbidden: bot was blocked by the user', { status: 403, platformCode: 403, permanent: true });
    const { sender, received } = scriptedSender((text) => (text === 'nope' ? blocked : undefined));
    await queue('a', ['nope']);
    await queue('b', ['fine']);
    await start(sender).drained();
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((r) => r.text)).toEqual(['fine']);
    const failed = await db.prisma.outboxMessage.findFirstOrThrow({ where: { status: 'failed' } });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain('blocked');
  });

  it.skipIf(skip)('keeps to the channel’s rate limit', async () => {
    const { sender, received } = scriptedSender(() => undefined, { ratePerSecond: 20, ratePerAddress: 0 });
    await queue('a', Array.from({ length: 5 }, (_, i) => `a${i}`));
    await queue('b', Array.from({ length: 5 }, (_, i) => `b${i}`));
    await start(sender).drained();
    expect(received).toHaveLength(10);
    // Ten sends at a cap of 20 a second stay within one second.
    const span = received.at(-1)!.at - received[0]!.at;
    expect(span).toBeLessThan(1000);
  });

  it.skipIf(skip)('claims only as far ahead as the channel’s rate needs, and still sends at that rate', async () => {
    const { sender, received } = scriptedSender(() => undefined, { ratePerSecond: 100, ratePerAddress: 0 });
    for (let p = 0; p < 60; p += 1) await queue(`p${p}`, ['survey']);
    const outbox = start(sender);
    let mostClaimed = 0;
    const sampling = setInterval(() => {
      void db.prisma.outboxMessage.count({ where: { status: 'sending' } }).then((n) => (mostClaimed = Math.max(mostClaimed, n)));
    }, 5);
    await outbox.drained();
    clearInterval(sampling);
    expect(received).toHaveLength(60);
    // A tenth of a second of sends (10) waits claimed at most, plus the few being sent: not all 60.
    expect(mostClaimed).toBeGreaterThan(0);
    expect(mostClaimed).toBeLessThanOrEqual(15);
    expect(received.at(-1)!.at - received[0]!.at).toBeLessThan(1000);
  });

  it.skipIf(skip)('gives back a claim whose sender died, after its lease', async () => {
    const { sender, received } = scriptedSender(() => undefined);
    await queue('a', ['orphan']);
    // As if another process claimed it and died: status sending, lease already over.
    await db.prisma.outboxMessage.updateMany({ data: { status: 'sending', claimedUntil: BigInt(Date.now() - 1) } });
    await start(sender).drained();
    expect(received.map((r) => r.text)).toEqual(['orphan']);
  });
});

describe('rate limits and backoff', () => {
  it('spaces sends at the bucket’s rate once its burst is spent', async () => {
    const bucket = new TokenBucket(10, 1);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await bucket.take();
      times.push(Date.now());
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(280);
  });

  it('pauses every taker while the platform says to wait', async () => {
    const bucket = new TokenBucket(0);
    bucket.pause(Date.now() + 200);
    const started = Date.now();
    await bucket.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('backs off exponentially with jitter, honours retry_after, and gives up', () => {
    const now = 1_000_000;
    expect(nextAttemptAt(new NetworkError('x'), 1, now, () => 1)).toBe(now + 1000);
    expect(nextAttemptAt(new NetworkError('x'), 4, now, () => 1)).toBe(now + 8000);
    expect(nextAttemptAt(new NetworkError('x'), 4, now, () => 0)).toBe(now + 4000);
    expect(nextAttemptAt(new NetworkError('x'), 20 - 12, now)).toBeUndefined();
    expect(nextAttemptAt(new PlatformError('slow down', { retryAfterSec: 41 }), 1, now)).toBe(now + 41_000);
    expect(nextAttemptAt(new PlatformError('no', { permanent: true }), 1, now)).toBeUndefined();
  });
});
