/**
 * A map from PrefixKey to V, built for a full table: IPv4 keys (numbers) live
 * in rows found through a hash index (ipv4-rows.ts), IPv6 keys (strings) in
 * an ordinary Map.
 *
 *     IPv4:  rows   keys Float64Array, values Array   (in the order keys came)
 *            index  Int32Array of [row, hash] pairs   linear probing, load <= 2/3
 *     IPv6:  Map<string, V>
 *
 * Why not a Map for IPv4 too: an IPv4 key (address * 64 + length) exceeds
 * the small-integer range, so a Map boxes every key as a heap number and
 * hashes it on each access; the flat table stores the key inline (8 octets)
 * and measured about 3x faster lookups at 1,000,000 keys with half the
 * memory. Deletion frees the row (and the last deletion frees the table),
 * so deleting while iterating is safe; INSERTING while iterating is not.
 * Iteration order is unspecified.
 */
import { minCapacity } from "./ipv4-hashing.js";
import { grown, Ipv4Rows } from "./ipv4-rows.js";
import type { PrefixKey } from "./prefix-key.js";

/** An emptied table up to this size is kept (a small queue refilled often should not regrow). */
const keptCapacity = 8192;

/** The IPv4 half: rows with one value column. */
class Ipv4Values<V> extends Ipv4Rows {
  values: (V | undefined)[] = new Array(minCapacity).fill(undefined);

  constructor(keepSize: boolean) {
    super();
    this.keepSize = keepSize;
  }

  protected clearRow(at: number): void {
    this.values[at] = undefined;
  }

  protected growColumns(cap: number): void {
    this.values = grown(this.values, cap);
  }

  protected resetColumns(cap: number): void {
    this.values = new Array(cap).fill(undefined);
  }
}

export class PrefixMap<V> {
  private readonly v4: Ipv4Values<V>;
  private readonly map6 = new Map<string, V>();
  private readonly keepCapacity: boolean;

  /**
   * `keepCapacity`: a queue that is emptied and refilled all the time (the
   * Loc-RIB's pending changes) keeps its table when emptied, instead of
   * giving it back and growing it again.
   */
  constructor(opts: { readonly keepCapacity?: boolean } = {}) {
    this.keepCapacity = opts.keepCapacity ?? false;
    this.v4 = new Ipv4Values<V>(this.keepCapacity);
  }

  get size(): number {
    return this.v4.size + this.map6.size;
  }

  get(key: PrefixKey): V | undefined {
    if (typeof key === "string") return this.map6.get(key);
    const at = this.v4.find(key);
    return at < 0 ? undefined : this.v4.values[at];
  }

  has(key: PrefixKey): boolean {
    return typeof key === "string" ? this.map6.has(key) : this.v4.find(key) >= 0;
  }

  set(key: PrefixKey, value: V): void {
    if (typeof key === "string") this.map6.set(key, value);
    else {
      const at = this.v4.claim(key); // may grow the columns: read them after
      this.v4.values[at] = value;
    }
  }

  /** Sets `key` to `value` and returns the value it had (undefined when absent). One probe. */
  swap(key: PrefixKey, value: V): V | undefined {
    if (typeof key === "string") {
      const old = this.map6.get(key);
      this.map6.set(key, value);
      return old;
    }
    const at = this.v4.claim(key);
    const values = this.v4.values;
    const old = values[at];
    values[at] = value;
    return old;
  }

  /** Sets `key` only when it is absent; returns whether it did. One probe. */
  setIfAbsent(key: PrefixKey, value: V): boolean {
    if (typeof key !== "string") {
      const at = this.v4.claim(key);
      if (!this.v4.added) return false;
      this.v4.values[at] = value;
      return true;
    }
    if (this.map6.has(key)) return false;
    this.map6.set(key, value);
    return true;
  }

  /** Removes `key` and returns its value (undefined when absent). One probe. */
  take(key: PrefixKey): V | undefined {
    if (typeof key === "string") {
      const v = this.map6.get(key);
      this.map6.delete(key);
      return v;
    }
    const at = this.v4.find(key);
    if (at < 0) return undefined;
    const v = this.v4.values[at];
    this.bury(at);
    return v;
  }

  delete(key: PrefixKey): boolean {
    if (typeof key === "string") return this.map6.delete(key);
    const at = this.v4.find(key);
    if (at < 0) return false;
    this.bury(at);
    return true;
  }

  clear(): void {
    this.v4.clearRows();
    this.map6.clear();
  }

  *entries(): IterableIterator<[PrefixKey, V]> {
    const keys = this.v4.keys;
    const values = this.v4.values;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) yield [k, values[i] as V];
    }
    yield* this.map6.entries();
  }

  *keys(): IterableIterator<PrefixKey> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /** Calls `fn` for every entry; faster than the iterators on a full table. */
  forEach(fn: (value: V, key: PrefixKey) => void): void {
    const keys = this.v4.keys;
    const values = this.v4.values;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) fn(values[i] as V, k);
    }
    this.map6.forEach(fn);
  }

  private bury(at: number): void {
    const v4 = this.v4;
    v4.free(at);
    // Emptied (a peer gone): give the memory back at once, unless it is a kept queue or small.
    // Iterators hold the old arrays, so this is safe while iterating.
    if (v4.size === 0 && !this.keepCapacity && v4.capacity > keptCapacity) v4.clearRows();
  }
}
