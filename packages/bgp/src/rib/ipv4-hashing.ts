/**
 * The open-addressing scheme shared by the two IPv4 tables of the RIB
 * (prefix-map.ts, ipv4-slots.ts): keys are IPv4 PrefixKeys (address * 64 +
 * length) in a Float64Array, linear probing, two marker values, and the
 * growth rule.
 */

/** A slot never used. */
export const empty = -1;
/** A slot whose key was deleted (probing goes on past it). */
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

/** The slot holding `key`, or -1. */
export function findSlot(keys: Float64Array, key: number): number {
  const mask = keys.length - 1;
  for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
    const k = keys[i]!;
    if (k === key) return i;
    if (k === empty) return -1;
  }
}

/**
 * The slot holding `key`, or else the one it belongs in: the first
 * tombstone on its probe path, or the empty slot that ends it. The caller
 * tells which by `keys[slot]` (key, tombstone or empty) and writes the key.
 */
export function slotFor(keys: Float64Array, key: number): number {
  const mask = keys.length - 1;
  let grave = -1;
  for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
    const k = keys[i]!;
    if (k === key) return i;
    if (k === tombstone) {
      if (grave < 0) grave = i;
    } else if (k === empty) return grave < 0 ? i : grave;
  }
}

/** The empty slot for `key` in a table being rebuilt (no tombstones, key absent). */
export function freeSlot(keys: Float64Array, key: number): number {
  const mask = keys.length - 1;
  let i = hashOf(key) & mask;
  while (keys[i] !== empty) i = (i + 1) & mask;
  return i;
}
