import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedBuckets, type SendLimiter, TokenBucket } from '../../src/outbox/rate-limit.js';

describe('a bucket per person', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  /** Whether `promise` has settled once pending timers up to now have run. */
  async function settled(promise: Promise<void>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    return done;
  }

  it('lets a burst through at once, then one send a second, each person on their own', async () => {
    const buckets = new KeyedBuckets(1, 3);
    for (let i = 0; i < 3; i += 1) expect(await settled(buckets.take('ana'))).toBe(true);
    const fourth = buckets.take('ana');
    expect(await settled(fourth)).toBe(false);
    // Someone else is not held up by Ana.
    expect(await settled(buckets.take('omar'))).toBe(true);
    await vi.advanceTimersByTimeAsync(990);
    expect(await settled(fourth)).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled(fourth)).toBe(true);
    expect(await settled(buckets.take('ana'))).toBe(false);
  });

  it('fills a bucket again over time, up to the burst and no further', async () => {
    const buckets = new KeyedBuckets(2, 2);
    await buckets.take('ana');
    await buckets.take('ana');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await settled(buckets.take('ana'))).toBe(true);
    expect(await settled(buckets.take('ana'))).toBe(true);
    expect(await settled(buckets.take('ana'))).toBe(false);
  });

  it('forgets people whose bucket is full again once many are kept, and still limits those in use', async () => {
    const buckets = new KeyedBuckets(1, 1);
    for (let i = 0; i < 10_000; i += 1) await buckets.take(`p${i}`);
    await vi.advanceTimersByTimeAsync(2000);
    await buckets.take('ana');
    // The sweep ran: the 10,000 full buckets are gone, Ana's is kept and still empty.
    expect((buckets as unknown as { fullAt: Map<string, number> }).fullAt.size).toBe(1);
    expect(await settled(buckets.take('ana'))).toBe(false);
  });

  it('does not limit at all with a rate of 0', async () => {
    const buckets = new KeyedBuckets(0, 1);
    for (let i = 0; i < 100; i += 1) expect(await settled(buckets.take('ana'))).toBe(true);
  });
});

describe('a channel’s cap', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('holds a send while the cap is filled by sends in flight, and counts an answer for a second', async () => {
    const limiter = new TokenBucket(1000, 1000, { cap: 3 });
    const answers = [await limiter.take(), await limiter.take(), await limiter.take()];
    // Answered at once: the platform may have counted it the moment before.
    answers[0]!();
    let fourth = false;
    void limiter.take().then(() => (fourth = true));
    await vi.advanceTimersByTimeAsync(990);
    expect(fourth).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(fourth).toBe(true);
    // The other two are still in flight: they hold the next send however long they take.
    let fifth = false;
    void limiter.take().then(() => (fifth = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(fifth).toBe(false);
    answers[1]!();
    await vi.advanceTimersByTimeAsync(1020);
    expect(fifth).toBe(true);
  });

  /**
   * Sends to a platform that counts them as they reach it, within any sliding second, as the
   * Graph API does. Each send reaches it 0–2 ms after it is let go and is answered 0–2 ms later,
   * except around the stalls: now and then everything is held up 25 ms (the sender's event loop,
   * the network or the platform busy) and then goes at once. Sends let go in the first `busyMs`
   * are held up 40 ms more on the way (a sender busy as it starts). Returns the most sends the
   * platform counted in one second, and how long the sends took.
   */
  async function sendThroughStalls(limiter: SendLimiter, sends: number, { busyMs = 0 } = {}): Promise<{ busiest: number; seconds: number }> {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const start = Date.now();
    const arrivals: number[] = [];
    let busiest = 0;
    let stallUntil = 0;
    const stalls = setInterval(() => {
      if (random() < 0.3) stallUntil = Date.now() + 25;
    }, 100);
    const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(ms, stallUntil - Date.now())));
    const sent = Array.from({ length: sends }, async () => {
      const answered = await limiter.take();
      await later(random() * 2 + (Date.now() - start < busyMs ? 40 : 0));
      const now = Date.now();
      arrivals.push(now);
      while (arrivals[0]! <= now - 1000) arrivals.shift();
      busiest = Math.max(busiest, arrivals.length);
      await later(random() * 2);
      answered();
    });
    let finished = 0;
    void Promise.all(sent).then(() => (finished = Date.now()));
    while (finished === 0) await vi.advanceTimersByTimeAsync(1000);
    clearInterval(stalls);
    return { busiest, seconds: (finished - start) / 1000 };
  }

  it('keeps what the platform counts in any second within the cap, whatever holds the sends up on the way', async () => {
    const capped = await sendThroughStalls(new TokenBucket(98, 2, { cap: 99 }), 1000);
    expect(capped.busiest).toBeLessThanOrEqual(99);
    // Still close to the rate: 1,000 sends at 98 a second take 10.2 s.
    expect(capped.seconds).toBeLessThan(10.6);
    // The same bucket without the cap: the stalls bunch more than the platform's 100 into one second.
    const bucketOnly = await sendThroughStalls(new TokenBucket(98, 2), 1000);
    expect(bucketOnly.busiest).toBeGreaterThan(100);
  });

  it('holds the cap when a sender that was busy gets fast, and old sends meet new ones at the platform', async () => {
    const busyFirst = await sendThroughStalls(new TokenBucket(98, 2, { cap: 99 }), 500, { busyMs: 2000 });
    expect(busyFirst.busiest).toBeLessThanOrEqual(99);
  });
});
