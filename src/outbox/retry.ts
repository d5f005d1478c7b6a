import { PlatformError } from '../errors.js';

/** Sends of one message before it is recorded as failed and shown to coordinators. */
export const MAX_ATTEMPTS = 8;

/**
 * When to try a message again after a failed send, or `undefined` when it must not be tried
 * again. The platform's own `retry_after` wins; otherwise exponential backoff from 1 s up to
 * 10 min, with jitter so that many messages failed together do not return together.
 */
export function nextAttemptAt(err: unknown, attempts: number, now: number, random: () => number = Math.random): number | undefined {
  if (err instanceof PlatformError) {
    if (err.details.permanent) return undefined;
    if (err.details.retryAfterSec !== undefined) return now + err.details.retryAfterSec * 1000;
  }
  if (attempts >= MAX_ATTEMPTS) return undefined;
  const base = Math.min(600_000, 1000 * 2 ** (attempts - 1));
  return now + Math.round(base * (0.5 + random() / 2));
}

/** A short, content-free description of a send error for the outbox row and the log. */
export function describeSendError(err: unknown): string {
  if (err instanceof PlatformError) return `${err.code} ${err.details.platformCode ?? err.details.status ?? ''}: ${err.message}`.slice(0, 300);
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return 'unknown error';
}
