/**
 * A token bucket: `rate` sends per second on average, bursts up to `burst`. `take()` resolves
 * when a token is free; callers queue in order. A rate of 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();
  private pausedUntil = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number = Math.max(1, rate),
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = this.burst;
    this.last = clock();
  }

  /** Stops handing out tokens until `until` (a platform said to wait). */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  take(): Promise<void> {
    if (this.rate === 0 && this.pausedUntil <= this.clock()) return Promise.resolve();
    const turn = this.tail.then(() => this.wait());
    this.tail = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.clock();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      if (this.rate === 0) return;
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A bucket per key (per chat), created on first use and dropped when idle and full. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  take(key: string): Promise<void> {
    if (this.rate === 0) return Promise.resolve();
    const now = Date.now();
    if (this.buckets.size > 10_000) {
      // A bucket unused for a whole burst's refill is full again: forgetting it changes nothing.
      for (const [k, v] of this.buckets) if (now - v.used > (this.burst / this.rate) * 1000) this.buckets.delete(k);
    }
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.rate, this.burst), used: now };
      this.buckets.set(key, entry);
    }
    entry.used = now;
    return entry.bucket.take();
  }
}

/** Something `take()`s a send slot: a local bucket, or one shared through the database. */
export interface SendLimiter {
  take(): Promise<void>;
  pause(until: number): void;
}

/**
 * A per-second limit shared by every instance through the database (PostgreSQL): each instance
 * leases a share of the current second's sends with one upsert, and spends it locally. So the
 * platform's cap (WhatsApp's 80/s is per business number) holds for all instances together.
 * A lease of a tenth of the rate keeps database round trips to about ten a second per instance.
 */
export class SharedRateLimiter implements SendLimiter {
  private leased = 0;
  private second = 0;
  private pausedUntil = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly leaseSize: number;

  constructor(
    private readonly key: string,
    private readonly rate: number,
    private readonly lease: (key: string, second: number, want: number, limit: number) => Promise<number>,
  ) {
    this.leaseSize = Math.max(1, Math.floor(rate / 10));
  }

  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  take(): Promise<void> {
    const turn = this.tail.then(() => this.wait());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      const second = Math.floor(now / 1000);
      if (second !== this.second) {
        this.second = second;
        this.leased = 0;
      }
      if (this.leased > 0) {
        this.leased -= 1;
        return;
      }
      this.leased = await this.lease(this.key, second, this.leaseSize, this.rate);
      if (this.leased === 0) await sleep((second + 1) * 1000 - Date.now() + 1);
    }
  }
}
