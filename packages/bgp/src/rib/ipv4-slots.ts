/**
 * The storage of the Loc-RIB's IPv4 half: an open-addressing hash table
 * whose slots are spread over parallel arrays, so that a prefix with one
 * candidate path costs no object at all.
 *
 *     slot i:  keys[i]     Float64Array  IPv4 PrefixKey | empty | tombstone   (linear probing, load <= 2/3)
 *              values[i]   Array         the one path's AttrSet, or a multi-candidate object (caller's type)
 *              peers[i]    Array         the one path's PeerRef
 *              pathIds[i]  Uint32Array   the one path's path identifier (RFC 7911)
 *              stale[i]    Uint8Array    the one path is stale (RFC 4724)
 *
 * Why: a full table is a million prefixes with one path each. As objects
 * (a Path per prefix) they are a million allocations that the young
 * generation copies twice before they settle, about a fifth of a load's
 * time in garbage collection, and ~70 octets each. Here a prefix is ~25
 * octets per slot and nothing to collect.
 *
 * Slots move when the table grows (`insert` may rehash): never keep a slot
 * number across an insert. Deletion leaves a tombstone; deleting while
 * walking with `forEachSlot` is safe, inserting is not.
 */
import type { AttrSet } from "./attr-set.js";
import {
  capacityFor,
  empty,
  findSlot,
  freeSlot,
  minCapacity,
  overloaded,
  slotFor,
  tombstone,
} from "./ipv4-hashing.js";
import type { PeerRef } from "./path.js";

/** `V` is the multi-candidate type; a slot holding an AttrSet holds exactly one path. */
export class Ipv4Slots<V> {
  keys = new Float64Array(minCapacity).fill(empty);
  values: (AttrSet | V | undefined)[] = new Array(minCapacity).fill(undefined);
  peers: (PeerRef | undefined)[] = new Array(minCapacity).fill(undefined);
  pathIds = new Uint32Array(minCapacity);
  stale = new Uint8Array(minCapacity);
  private live = 0;
  private dead = 0;
  /**
   * The last slot `find` returned, and its key: a prefix is usually looked
   * up several times in a row (selection, then export), and a probe into a
   * full table is a cache miss. Forgotten when slots move or empty.
   */
  private lastKey = -1;
  private lastAt = -1;

  get size(): number {
    return this.live;
  }

  /** The slot of `key`, or -1. */
  find(key: number): number {
    if (key === this.lastKey) return this.lastAt;
    const at = findSlot(this.keys, key);
    if (at >= 0) {
      this.lastKey = key;
      this.lastAt = at;
    }
    return at;
  }

  /**
   * The slot of `key`, claimed for it when absent (its value is then
   * undefined: the caller fills it). May rehash: earlier slot numbers are void.
   */
  claim(key: number): number {
    if (overloaded(this.live, this.dead, this.keys.length)) this.rehash();
    const keys = this.keys;
    const at = slotFor(keys, key);
    const k = keys[at];
    if (k === key) return at;
    if (k === tombstone) this.dead--;
    keys[at] = key;
    this.live++;
    return at;
  }

  /** Empties a slot. */
  free(at: number): void {
    if (at === this.lastAt) this.lastKey = -1;
    this.keys[at] = tombstone;
    this.values[at] = undefined;
    this.peers[at] = undefined;
    this.stale[at] = 0;
    this.live--;
    this.dead++;
    if (this.live === 0) this.reset();
  }

  /** Calls `fn` with every used slot and its key. */
  forEachSlot(fn: (at: number, key: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) fn(i, k);
    }
  }

  private reset(): void {
    this.lastKey = -1;
    this.keys = new Float64Array(minCapacity).fill(empty);
    this.values = new Array(minCapacity).fill(undefined);
    this.peers = new Array(minCapacity).fill(undefined);
    this.pathIds = new Uint32Array(minCapacity);
    this.stale = new Uint8Array(minCapacity);
    this.live = 0;
    this.dead = 0;
  }

  /** Rebuilds the table sized for the live slots (dropping tombstones). */
  private rehash(): void {
    this.lastKey = -1;
    const { keys: oldKeys, values: oldValues, peers: oldPeers, pathIds: oldIds, stale: oldStale } = this;
    const cap = capacityFor(this.live + 1);
    const keys = new Float64Array(cap).fill(empty);
    const values: (AttrSet | V | undefined)[] = new Array(cap).fill(undefined);
    const peers: (PeerRef | undefined)[] = new Array(cap).fill(undefined);
    const pathIds = new Uint32Array(cap);
    const stale = new Uint8Array(cap);
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k < 0) continue;
      const i = freeSlot(keys, k);
      keys[i] = k;
      values[i] = oldValues[j];
      peers[i] = oldPeers[j];
      pathIds[i] = oldIds[j]!;
      stale[i] = oldStale[j]!;
    }
    this.keys = keys;
    this.values = values;
    this.peers = peers;
    this.pathIds = pathIds;
    this.stale = stale;
    this.dead = 0;
  }
}
