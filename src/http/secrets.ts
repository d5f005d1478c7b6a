import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret from a request with the configured one in constant time, whatever their
 * lengths (both are hashed first). A missing value never matches.
 */
export function isSameSecret(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
