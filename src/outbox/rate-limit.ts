/** Called once the platform has answered a send, or the send has failed. */
export type Answered = () => void;

/** Something `take()`s a send slot: a local bucket, or one shared through the database. */
export interface SendLimiter {
  /** Resolves when the send may go; the caller calls what it resolves with once it is answered. */
  take(): Promise<Answered>;
  /** Hands out nothing until `until` (a platform said to wait). */
  pause(until: number): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const nothingToCount: Answered = () => undefined;

/**
 * A platform's cap on sends within any sliding second, counted so that it holds where the
 * platform counts. A send goes through delays before the platform counts it, and delays that
 * vary bunch sends: sends let go evenly, held up a few milliseconds (a busy event loop before the
 * request is written, the network, the platform's own pauses) and then counted together, put a
 * little more than a second's sends into one second there. So a send is counted here from when
 * it is let go until a second after its answer came back: the platform counted it between the
 * two, and no second there then holds more sends than were counted here when the last of them
 * was let go.
 *
 * The price is each send's round trip: a platform that answers in 200 ms gets at most
 * `limit / 1.2` sends a second. A count shortened by the fastest recent round trip would not
 * hold: when delays shrink, sends let go before the first fast answer is back meet older ones at
 * the platform, and nothing here can tell in time.
 */
class SlidingCap {
  private inFlight = 0;
  /** When the answers of the last second came back, oldest first, from `head` on. */
  private answeredAt: number[] = [];
  private head = 0;

  constructor(
    private readonly limit: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** 0 when a send may go now, or how many milliseconds to wait before asking again. */
  wait(now: number): number {
    while (this.head < this.answeredAt.length && this.answeredAt[this.head]! <= now - CAP_WINDOW_MS) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.answeredAt.length) {
      this.answeredAt = this.answeredAt.slice(this.head);
      this.head = 0;
    }
    if (this.inFlight + this.answeredAt.length - this.head < this.limit) return 0;
    // With no answer to wait for, every counted send is in flight, and any may be answered soon.
    return this.head < this.answeredAt.length ? this.answeredAt[this.head]! + CAP_WINDOW_MS - now : IN_FLIGHT_RECHECK_MS;
  }

  /** Counts a send that goes now; what it returns counts its answer. */
  open(): Answered {
    this.inFlight += 1;
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      this.inFlight -= 1;
      this.answeredAt.push(this.clock());
    };
  }
}

/** A second and a millisecond: a platform's clock and ours may tick their milliseconds apart. */
const CAP_WINDOW_MS = 1001;
/** How often a cap filled by sends in flight looks again (only while a platform is slow to answer). */
const IN_FLIGHT_RECHECK_MS = 10;

/**
 * What every limiter shares: callers are served one at a time, in order, nobody is served while
 * a pause lasts, and a `SlidingCap`, if there is one, holds every send until it has room. A
 * limiter says only whether a slot is free now (`grant`).
 */
abstract class QueuedLimiter implements SendLimiter {
  protected pausedUntil = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    protected readonly clock: () => number = Date.now,
    private readonly cap?: SlidingCap,
  ) {}

  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  take(): Promise<Answered> {
    const turn = this.tail.then(() => this.wait());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Spends a slot and returns 0, or returns how many milliseconds to wait before asking again. */
  protected abstract grant(now: number): number | Promise<number>;

  private async wait(): Promise<Answered> {
    for (;;) {
      const delay = await this.delay(this.clock());
      if (delay <= 0) return this.cap?.open() ?? nothingToCount;
      await sleep(delay);
    }
  }

  private delay(now: number): number | Promise<number> {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const forCap = this.cap?.wait(now) ?? 0;
    return forCap > 0 ? forCap : this.grant(now);
  }
}

/**
 * A token bucket: `rate` sends per second on average, bursts up to `burst`, and with `cap` never
 * more than that many within any sliding second at the platform (see `SlidingCap`). `take()`
 * resolves when a token is free; callers queue in order. A rate of 0 means no limit.
 */
export class TokenBucket extends QueuedLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number = Math.max(1, rate),
    options: { cap?: number; clock?: () => number } = {},
  ) {
    const clock = options.clock ?? Date.now;
    super(clock, options.cap === undefined ? undefined : new SlidingCap(options.cap, clock));
    this.tokens = this.burst;
    this.last = clock();
  }

  override take(): Promise<Answered> {
    if (this.rate === 0 && this.pausedUntil <= this.clock()) return Promise.resolve(nothingToCount);
    return super.take();
  }

  protected grant(now: number): number {
    if (this.rate === 0) return 0;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/**
 * A bucket per key (per chat): `rate` sends a second each, bursts up to `burst`. Each key keeps
 * one number, the time its bucket is full again (the generic cell rate algorithm), so a survey
 * to 50,000 people keeps 50,000 numbers for a few seconds rather than as many bucket objects
 * (which outlived the young generation and filled the old heap). A key whose bucket is full
 * again is forgotten: that changes nothing. A person's messages are sent one at a time, so a key
 * has one caller waiting at most.
 */
export class KeyedBuckets {
  /** Per key, when its bucket is full again (epoch ms). */
  private readonly fullAt = new Map<string, number>();
  private readonly interval: number;
  private sweepAt = 10_000;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.interval = rate > 0 ? 1000 / rate : 0;
  }

  async take(key: string): Promise<void> {
    if (this.rate === 0) return;
    for (;;) {
      const now = this.clock();
      if (this.fullAt.size >= this.sweepAt) this.sweep(now);
      const fullAt = Math.max(now, this.fullAt.get(key) ?? now);
      // The bucket holds `burst` sends: one more is free while it is at most burst - 1 behind.
      const wait = fullAt - (this.burst - 1) * this.interval - now;
      if (wait <= 0) {
        this.fullAt.set(key, fullAt + this.interval);
        return;
      }
      await sleep(Math.ceil(wait));
    }
  }

  /** Keys that are in use keep it; the size that triggers the next sweep follows the live ones. */
  private sweep(now: number): void {
    for (const [key, fullAt] of this.fullAt) if (fullAt <= now) this.fullAt.delete(key);
    this.sweepAt = Math.max(10_000, this.fullAt.size * 2);
  }
}

/**
 * A per-second limit shared by every instance through the database (PostgreSQL): each instance
 * leases a share of the current second's sends with one upsert, and spends it locally. So the
 * platform's cap (WhatsApp's 80/s is per business number) holds for all instances together.
 * A lease of a tenth of the rate keeps database round trips to about ten a second per instance.
 */
/** Sends are not granted this close to the end of a leased second (they would land in the next). */
const SECOND_EDGE_MS = 25;

export class SharedRateLimiter extends QueuedLimiter {
  private leased = 0;
  private second = 0;
  private readonly leaseSize: number;

  constructor(
    private readonly key: string,
    private readonly rate: number,
    private readonly lease: (key: string, second: number, want: number, limit: number) => Promise<number>,
  ) {
    super();
    this.leaseSize = Math.max(1, Math.floor(rate / 10));
  }

  protected async grant(now: number): Promise<number> {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.leased = 0;
    }
    const untilNext = () => (second + 1) * 1000 - Date.now() + 1;
    if (this.leased === 0) {
      this.leased = await this.lease(this.key, second, this.leaseSize, this.rate);
      // The lease took a round trip: sends counted for a second that has passed must not land
      // in the next one, where the other instances have their own count.
      if (Math.floor(Date.now() / 1000) !== second) {
        this.leased = 0;
        return 1;
      }
    }
    if (this.leased === 0) return untilNext();
    // So close to the second's end that the send could arrive in the next: wait for it.
    if (untilNext() <= SECOND_EDGE_MS) return untilNext();
    this.leased -= 1;
    return 0;
  }
}
