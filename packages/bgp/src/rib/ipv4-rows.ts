/**
 * IPv4 prefix keys in rows, found through an open-addressing hash index:
 * the storage under the RIB's IPv4 tables (ipv4-slots.ts: the Loc-RIB's
 * paths; prefix-map.ts: the Adj-RIB-Out's tables and the pending queues).
 * A subclass keeps its values in columns: arrays indexed by row.
 *
 *     rows:   keys[r]   Float64Array   IPv4 PrefixKey | empty (never used) | tombstone (free)
 *             (columns: the subclass's arrays, same row numbers)
 *
 *     index:  Int32Array: (tag << rowBits) | row   linear probing, load <= 2/3;
 *             -1: never used, -2: deleted      tag: the top bits of the key's hash
 *
 * Why rows and an index rather than the slots of the hash table itself: a
 * new prefix takes the next row, so a table load writes its rows in
 * arrival order — cache lines already at hand, where hashed slots cost a
 * cache miss per array — and later steps (selection, export, flush) meet
 * them in about the same order. And growth is cheap: rows grow by copying
 * arrays in order; only the index is rebuilt, reading the rows in order,
 * one random write of 4 octets per key instead of one per array. The tag
 * (31 bits less the row bits: 11 at a million rows) spares reading the
 * row of almost every other key met while probing.
 *
 * Rows never move while used (a row number stays valid until `free`);
 * freed rows are taken again by later claims. Freeing while walking the
 * rows is safe; claiming is not.
 */
import { capacityFor, empty, hashOf, minCapacity, overloaded, tombstone } from "./ipv4-hashing.js";

/** Index entries: (tag << rowBits) | row, or one of these. */
const noRow = -1;
const goneRow = -2;
/** An entry is 31 bits (non-negative): the row's bits, and as many bits of the key's hash as are left (the tag). */
const entryBits = 31;
const hashBits = 32;

export abstract class Ipv4Rows {
  /** By row: the prefix key, `empty` past the last used row, `tombstone` on a free row. */
  keys = new Float64Array(minCapacity).fill(empty);
  /** After `claim`: whether the key was new (its row's columns are then as `clearRow` left them). */
  added = false;
  /** A queue emptied and refilled all the time keeps its index size when rebuilt (no regrowing). */
  protected keepSize = false;
  private index = new Int32Array(minCapacity).fill(noRow);
  /** log2 of the row capacity: the low bits of an index entry. */
  private rowBits = Math.log2(minCapacity);
  private live = 0;
  /** Deleted index entries. */
  private dead = 0;
  /** Rows handed out so far (used or free). */
  private used = 0;
  private freeRows: number[] = [];
  /**
   * The last row `find` returned (-1: absent), and its key: a prefix is
   * usually looked up several times in a row (selection, then export), and
   * a probe into a big index is a cache miss. Forgotten when the row is
   * freed or the absent key is claimed.
   */
  private lastKey = -1;
  private lastAt = -1;
  /** Where `find` met the last row's entry in the index: `free` after `find` (take, delete) needs no second probe. */
  private lastSlot = 0;

  get size(): number {
    return this.live;
  }

  /** The row of `key`, or -1. */
  find(key: number): number {
    if (key === this.lastKey) return this.lastAt;
    const h = hashOf(key);
    const bits = this.rowBits;
    const tag = h >>> (hashBits - entryBits + bits);
    const rowMask = (1 << bits) - 1;
    const index = this.index;
    const mask = index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === noRow) {
        // Absent: remembered too (selection then export ask again for a prefix just withdrawn).
        this.lastKey = key;
        this.lastAt = -1;
        return -1;
      }
      if (e >= 0 && e >>> bits === tag && this.keys[e & rowMask] === key) {
        this.lastKey = key;
        this.lastAt = e & rowMask;
        this.lastSlot = i;
        return this.lastAt;
      }
    }
  }

  /** The row of `key`, claimed for it when absent (`added` tells which). */
  claim(key: number): number {
    if (overloaded(this.live, this.dead, this.index.length)) this.reindex(this.rowBits);
    const h = hashOf(key);
    let bits = this.rowBits;
    let index = this.index;
    let mask = index.length - 1;
    const rowMask = (1 << bits) - 1;
    const tag = h >>> (hashBits - entryBits + bits);
    let grave = -1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === noRow) break;
      if (e === goneRow) {
        if (grave < 0) grave = i;
      } else if (e >>> bits === tag && this.keys[e & rowMask] === key) {
        this.added = false;
        return e & rowMask;
      }
    }
    const row = this.freeRows.pop() ?? this.newRow();
    if (this.index !== index) {
      // The rows grew and the index was rebuilt for them: find the key's place again.
      bits = this.rowBits;
      index = this.index;
      mask = index.length - 1;
      for (i = h & mask; index[i] !== noRow; i = (i + 1) & mask);
    } else if (grave >= 0) {
      i = grave;
      this.dead--;
    }
    index[i] = ((h >>> (hashBits - entryBits + bits)) << bits) | row;
    if (key === this.lastKey) this.lastKey = -1; // it was remembered absent
    this.keys[row] = key;
    this.live++;
    this.added = true;
    return row;
  }

  /** Frees a row (its columns are cleared). */
  free(at: number): void {
    const bits = this.rowBits;
    const rowMask = (1 << bits) - 1;
    const index = this.index;
    let i = this.lastSlot;
    // A row has one live entry: the one `find` met for it, if still there (no rebuild since).
    const e = at === this.lastAt && i < index.length ? index[i]! : -1;
    if (e < 0 || (e & rowMask) !== at) {
      const mask = index.length - 1;
      for (i = hashOf(this.keys[at]!) & mask; ; i = (i + 1) & mask) {
        const f = index[i]!;
        if (f >= 0 && (f & rowMask) === at) break;
      }
    }
    if (at === this.lastAt) this.lastKey = -1;
    index[i] = goneRow;
    this.dead++;
    this.keys[at] = tombstone;
    this.clearRow(at);
    this.live--;
    this.freeRows.push(at);
  }

  /** Calls `fn` with every used row and its key. */
  forEachRow(fn: (at: number, key: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) fn(i, k);
    }
  }

  /** Rows the storage holds (used, free and not yet used). */
  get capacity(): number {
    return this.keys.length;
  }

  /** Forgets every row and gives the storage back. */
  clearRows(): void {
    this.lastKey = -1;
    this.keys = new Float64Array(minCapacity).fill(empty);
    this.index = new Int32Array(minCapacity).fill(noRow);
    this.rowBits = Math.log2(minCapacity);
    this.freeRows = [];
    this.live = 0;
    this.dead = 0;
    this.used = 0;
    this.resetColumns(minCapacity);
  }

  /** Empties the columns of a freed row. */
  protected abstract clearRow(at: number): void;
  /** The columns are to hold `cap` rows: grow them, keeping rows [0, used). */
  protected abstract growColumns(cap: number, used: number): void;
  /** New, empty columns of `cap` rows. */
  protected abstract resetColumns(cap: number): void;

  /**
   * Rebuilds the index from the rows (read in order, so no cache miss per
   * key), with `bits` row bits per entry, sized for the live rows (with
   * `keepSize`: at least its size); deleted entries are dropped.
   */
  private reindex(bits: number): void {
    const needed = capacityFor(this.live + 1);
    const cap = this.keepSize ? Math.max(needed, this.index.length) : needed;
    const index = new Int32Array(cap).fill(noRow);
    const mask = cap - 1;
    const tagShift = hashBits - entryBits + bits;
    const keys = this.keys;
    for (let row = 0; row < this.used; row++) {
      const k = keys[row]!;
      if (k < 0) continue;
      const h = hashOf(k);
      let i = h & mask;
      while (index[i] !== noRow) i = (i + 1) & mask;
      index[i] = ((h >>> tagShift) << bits) | row;
    }
    this.index = index;
    this.rowBits = bits;
    this.dead = 0;
  }

  /** A row never used before; the rows double when full (copied in order), and the index follows. */
  private newRow(): number {
    const row = this.used++;
    if (row === this.keys.length) {
      const cap = row * 2;
      const keys = new Float64Array(cap);
      keys.set(this.keys);
      keys.fill(empty, row);
      this.keys = keys;
      this.growColumns(cap, row);
      this.reindex(this.rowBits + 1);
    }
    return row;
  }
}

/** `old` copied into a new array of `cap` entries (the rest undefined). */
export function grown<T>(old: readonly (T | undefined)[], cap: number): (T | undefined)[] {
  const next = new Array<T | undefined>(cap).fill(undefined);
  for (let i = 0; i < old.length; i++) next[i] = old[i];
  return next;
}
