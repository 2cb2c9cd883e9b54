/**
 * The storage of the Loc-RIB's IPv4 half: rows of parallel arrays
 * (ipv4-rows.ts: found through a hash index, rows in arrival order), so
 * that a prefix with one candidate path costs no object at all.
 *
 *     row r:   keys[r]     Float64Array  IPv4 PrefixKey | empty | tombstone
 *              values[r]   Array         the one path's AttrSet, or a multi-candidate object (caller's type)
 *              peers[r]    Uint32Array   the one path's peer, by number (peer-numbers.ts)
 *              pathIds[r]  Uint32Array   the one path's path identifier (RFC 7911)  } made on the first
 *              stale[r]    Uint8Array    the one path is stale (RFC 4724)           } non-zero one
 *
 * Why: a full table is a million prefixes with one path each. As objects
 * (a Path per prefix) they are a million allocations that the young
 * generation copies twice before they settle; here a prefix is 20 octets
 * of row (25 with path ids and stale flags) plus 4 to 8 of index, and
 * nothing to collect.
 *
 * A claimed row's value and peer are undefined, its path id and stale flag
 * 0: the caller fills in the rest (a table load writes two columns per
 * prefix, not four). The storage is given back when the table empties.
 * Read and write the peer, path id and stale flag through their methods.
 */
import type { AttrSet } from "./attr-set.js";
import { minCapacity } from "./ipv4-hashing.js";
import { grown, Ipv4Rows } from "./ipv4-rows.js";
import type { PeerRef } from "./path.js";
import { PeerNumbers } from "./peer-numbers.js";

/** Before any row has a path id (or stale flag): no array at all. */
const none32 = new Uint32Array(0);
const none8 = new Uint8Array(0);

/** `V` is the multi-candidate type; a row holding an AttrSet holds exactly one path. */
export class Ipv4Slots<V> extends Ipv4Rows {
  values: (AttrSet | V | undefined)[] = new Array(minCapacity).fill(undefined);
  /** The one path's peer, by number (peer-numbers.ts). */
  private peers = new Uint32Array(minCapacity);
  private readonly peerNumbers = new PeerNumbers();
  /**
   * Path ids and stale flags, made on the first non-zero one: without
   * ADD-PATH and graceful restart they are all 0 (5 octets a prefix saved).
   */
  private pathIds = none32;
  private stale = none8;

  override free(at: number): void {
    super.free(at);
    if (this.size === 0) this.clearRows();
  }

  /** Calls `fn` with every used row and its key. */
  forEachSlot(fn: (at: number, key: number) => void): void {
    this.forEachRow(fn);
  }

  peerAt(at: number): PeerRef | undefined {
    return this.peerNumbers.peer(this.peers[at]!);
  }

  setPeer(at: number, peer: PeerRef | undefined): void {
    const before = this.peers[at]!;
    if (peer === this.peerNumbers.peer(before)) return;
    this.peers[at] = peer === undefined ? 0 : this.peerNumbers.use(peer);
    this.peerNumbers.release(before);
  }

  /** Peers some row holds (for tests). */
  get peerCount(): number {
    return this.peerNumbers.size;
  }

  pathIdAt(at: number): number {
    return this.pathIds.length === 0 ? 0 : this.pathIds[at]!;
  }

  setPathId(at: number, id: number): void {
    if (this.pathIds.length === 0) {
      if (id === 0) return;
      this.pathIds = new Uint32Array(this.capacity);
    }
    this.pathIds[at] = id;
  }

  isStale(at: number): boolean {
    return this.stale.length !== 0 && this.stale[at] === 1;
  }

  setStale(at: number, stale: boolean): void {
    if (this.stale.length === 0) {
      if (!stale) return;
      this.stale = new Uint8Array(this.capacity);
    }
    this.stale[at] = stale ? 1 : 0;
  }

  protected clearRow(at: number): void {
    this.values[at] = undefined;
    this.setPeer(at, undefined);
    this.setPathId(at, 0);
    this.setStale(at, false);
  }

  protected growColumns(cap: number): void {
    this.values = grown(this.values, cap);
    const peers = new Uint32Array(cap);
    peers.set(this.peers);
    this.peers = peers;
    if (this.pathIds.length > 0) {
      const pathIds = new Uint32Array(cap);
      pathIds.set(this.pathIds);
      this.pathIds = pathIds;
    }
    if (this.stale.length > 0) {
      const stale = new Uint8Array(cap);
      stale.set(this.stale);
      this.stale = stale;
    }
  }

  protected resetColumns(cap: number): void {
    this.values = new Array(cap).fill(undefined);
    this.peers = new Uint32Array(cap); // every row gone: every number was released
    this.pathIds = none32;
    this.stale = none8;
  }
}
