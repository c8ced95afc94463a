import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in constant time; through digests, so that neither their content nor their length leaks. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
