import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedBuckets } from '../../src/outbox/rate-limit.js';

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
