import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The configured secrets' digests: a webhook compares one on every request. */
const expectedDigests = new Map<string, Buffer>();

/**
 * Compares a secret from a request with the configured one in constant time, whatever their
 * lengths (both are hashed first). A missing value never matches.
 */
export function isSameSecret(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  let wanted = expectedDigests.get(expected);
  if (!wanted) {
    wanted = digest(expected);
    expectedDigests.set(expected, wanted);
  }
  return timingSafeEqual(digest(given), wanted);
}
