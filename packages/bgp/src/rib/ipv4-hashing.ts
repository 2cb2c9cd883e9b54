/**
 * The hashing under the RIB's IPv4 tables (ipv4-rows.ts, whose index uses
 * linear probing): the hash of an IPv4 PrefixKey (address * 64 + length),
 * the two marker keys of an unused and a freed row, and the growth rule.
 */

/** The key of a row never used. */
export const empty = -1;
/** The key of a freed row. */
export const tombstone = -2;
export const minCapacity = 16;
/**
 * Rehash when live + dead slots would pass 2/3 of the table; a rehash sizes
 * it to at most 1/2 full, so at least 1/6 of the table in inserts pass
 * between two rehashes (no rehash storms under churn).
 */
const maxLoadNumerator = 2;
const maxLoadDenominator = 3;
const rehashLoadDivisor = 2;
/** 2^32, to split a key into 32-bit halves. */
const highWord = 0x1_0000_0000;

/** murmur3's 32-bit finaliser over the two halves of the key. */
export function hashOf(key: number): number {
  let h = ((key >>> 0) ^ Math.imul((key / highWord) >>> 0, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The table size for `entries` live keys (a power of two, at most half full). */
export function capacityFor(entries: number): number {
  let cap = minCapacity;
  while (cap < entries * rehashLoadDivisor) cap *= 2;
  return cap;
}

/** Whether one more key would load a table of `capacity` slots past 2/3 (time to rehash). */
export function overloaded(live: number, dead: number, capacity: number): boolean {
  return (live + dead + 1) * maxLoadDenominator > capacity * maxLoadNumerator;
}
