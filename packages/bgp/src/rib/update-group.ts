/**
 * Update groups: peers whose outbound result is identical share one
 * Adj-RIB-Out per family, so each UPDATE is encoded once and the same octets
 * are written to every member (issue 4, "Scale").
 *
 *     peer up ──groupKey──> shared group with that key?
 *        no:  a new group, registered under the key, fed the whole table
 *        yes: a PRIVATE group with the same key, fed the whole table (in slices)
 *             └─ once it and the shared group are in step (table fed, nothing
 *                pending, End-of-RIB sent or withheld alike) the peer moves into
 *                the shared group and the private one is dropped
 *
 * The key: iBGP or eBGP, route-reflector client or not (RFC 4456 §6 class),
 * the export policy (by identity), the codec context that shapes the octets
 * (4-octet AS, ADD-PATH send per family, extended messages), the families,
 * ADD-PATH max paths, and our session addresses (next-hop-self). eBGP peers
 * never share: each is its own group, so a route never goes back to the eBGP
 * peer it came from.
 *
 * Split horizon in a shared iBGP group: exports are decided for the group
 * (`UpdateGroup.ref`, a member's PeerRef with id 0 and no BGP Identifier), not
 * per member. A route reflected from a client therefore also goes back to
 * that client when it shares the group, with ORIGINATOR_ID = its own BGP
 * Identifier; RFC 4456 §8 has it drop the route (our AdjRibIn does, FRR does
 * the same when reflecting). Every other rule holds per group exactly as per
 * peer: a non-reflected iBGP-learned route goes to no iBGP peer (RFC 4271
 * §9.2), non-clients' routes go to clients only (RFC 4456 §6). An export
 * policy shared by several iBGP peers (a dynamic range's) is called with
 * that group PeerRef, so it must decide by the peer's class, not its address.
 *
 * Path identifiers (RFC 7911) come from `PathIds`, a pure function of the
 * source path shared by every group, so a catching-up group and the shared
 * one name every path alike.
 */
import type { Afi, CodecContext } from "../wire/index.js";
import type { AdjRibOut } from "./adj-rib-out.js";
import type { AttrInterner } from "./attr-intern.js";
import type { AttrSet } from "./attr-set.js";
import type { PeerRef } from "./path.js";
import type { ExportPolicy } from "./policy.js";
import type { PrefixKey } from "./prefix-key.js";

/** What decides a peer's outbound result (the fields of the group key). */
export interface GroupSettings {
  readonly ref: PeerRef;
  readonly ctx: CodecContext;
  /** Negotiated families (FamilyKey). */
  readonly families: readonly number[];
  readonly localIpv4?: string;
  readonly localIpv6?: string;
  readonly exportPolicy?: ExportPolicy;
  readonly maxPaths?: number;
}

/** Names functions by identity for the group key. */
export class PolicyIds {
  readonly #ids = new WeakMap<ExportPolicy, number>();
  #next = 1;

  of(policy: ExportPolicy | undefined): number {
    if (policy === undefined) return 0;
    let id = this.#ids.get(policy);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(policy, id);
    }
    return id;
  }
}

/** The update-group key of a peer (see the module header). */
export function groupKey(s: GroupSettings, policyIds: PolicyIds): string {
  const cls = s.ref.ibgp ? (s.ref.rrClient ? "ic" : "in") : `e${s.ref.id}`;
  const addPath = [...s.ctx.addPathSend].sort((a, b) => a - b).join(",");
  const families = [...s.families].sort((a, b) => a - b).join(",");
  return [
    cls,
    s.ctx.fourOctetAs ? 4 : 2,
    s.ctx.extendedMessage ? "x" : "",
    addPath,
    families,
    s.localIpv4 ?? "",
    s.localIpv6 ?? "",
    policyIds.of(s.exportPolicy),
    s.maxPaths ?? "",
  ].join("|");
}

/**
 * RFC 7911 path identifiers as a function of the source (`sourceOf`: peer id
 * times 2^32 plus the received path id). A source received without ADD-PATH
 * (path id 0) is named by its peer id + 1 (the local pseudo-peer is 1); other
 * sources get an identifier above every peer's, kept until their peer is
 * forgotten.
 */
export class PathIds {
  static readonly #span = 0x1_0000_0000;
  /** Above maxPeerId + 1: never collides with a per-peer identifier. */
  static readonly #firstShared = 0x40_0000;
  readonly #byPeer = new Map<number, Map<number, number>>();
  #next = PathIds.#firstShared;

  readonly idOf = (source: number): number => {
    const peer = Math.floor(source / PathIds.#span);
    const received = source - peer * PathIds.#span;
    if (received === 0) return peer + 1;
    let ids = this.#byPeer.get(peer);
    if (ids === undefined) {
      ids = new Map();
      this.#byPeer.set(peer, ids);
    }
    let id = ids.get(received);
    if (id === undefined) {
      id = this.#next;
      // 2^32 - 1 identifiers before wrapping; by then the early ones are long gone.
      this.#next = this.#next >= 0xffff_ffff ? PathIds.#firstShared : this.#next + 1;
      ids.set(received, id);
    }
    return id;
  };

  /** The peer is gone: its identifiers are no longer needed. */
  forgetPeer(peerId: number): void {
    this.#byPeer.delete(peerId);
  }
}

/** One update group: its members, its Adj-RIB-Outs and its export caches. */
export class UpdateGroup {
  readonly id: number;
  readonly key: string;
  /** The PeerRef exports are decided for (see the module header). */
  readonly ref: PeerRef;
  readonly settings: GroupSettings;
  readonly outs = new Map<Afi, AdjRibOut>();
  /**
   * Rewritten AttrSet per source peer id (0: our own routes) and source
   * AttrSet (one reference held each). Per peer, because the rewrite depends
   * on where a route came from: ORIGINATOR_ID is the source's BGP Identifier
   * when reflecting (RFC 4456 §8), local routes keep their next hop and MED.
   */
  readonly exportCache = new Map<number, Map<AttrSet, AttrSet | null>>();
  readonly members = new Set<number>();
  /** Registered under its key (members joining later catch up in a private group first). */
  shared = false;
  /** The initial table still to be exported (Loc-RIB keys when the group was made) and how far. */
  feed: PrefixKey[] | undefined;
  feedAt = 0;
  /** End-of-RIB is wanted once the feed is done (withheld during an RFC 4724 deferral). */
  endOfRibWanted = false;

  constructor(id: number, key: string, settings: GroupSettings) {
    this.id = id;
    this.key = key;
    this.settings = settings;
    const r = settings.ref;
    this.ref = r.ibgp ? Object.freeze({ ...r, id: 0, bgpIdValue: -1 }) : r;
  }

  /** Prefixes pending in every family. */
  get pending(): number {
    let n = 0;
    for (const out of this.outs.values()) n += out.pendingCount;
    return n;
  }

  /** UPDATE messages encoded so far (each written to every member). */
  get encoded(): number {
    let n = 0;
    for (const out of this.outs.values()) n += out.encoded;
    return n;
  }

  /** Prefixes advertised (as of the last flush), all families. */
  get size(): number {
    let n = 0;
    for (const out of this.outs.values()) n += out.size;
    return n;
  }

  /** Nothing left to do: table fed, nothing pending, End-of-RIB sent (or still withheld). */
  get idle(): boolean {
    if (this.feed !== undefined || this.pending > 0) return false;
    for (const out of this.outs.values()) if (out.endOfRibDue) return false;
    return true;
  }

  /** True when `other` has advertised exactly what this group has, so members may move over. */
  inStep(other: UpdateGroup): boolean {
    return this.idle && other.idle && this.endOfRibWanted === other.endOfRibWanted;
  }

  /** The feed is done: End-of-RIB follows the table when wanted. */
  feedDone(): void {
    this.feed = undefined;
    this.feedAt = 0;
    if (this.endOfRibWanted) for (const out of this.outs.values()) out.queueEndOfRib();
  }

  /** End-of-RIB is no longer withheld. */
  releaseEndOfRib(): void {
    if (this.endOfRibWanted) return;
    this.endOfRibWanted = true;
    if (this.feed === undefined) for (const out of this.outs.values()) out.queueEndOfRib();
  }

  /** Forgets everything (references released). */
  clear(interner: AttrInterner): void {
    for (const rib of this.outs.values()) rib.clear();
    this.outs.clear();
    for (const id of [...this.exportCache.keys()]) this.forgetSource(id, interner);
    this.feed = undefined;
  }

  /** Drops the cached rewrites of routes from peer `id` (it is gone). */
  forgetSource(id: number, interner: AttrInterner): void {
    const cache = this.exportCache.get(id);
    if (cache === undefined) return;
    for (const set of cache.values()) if (set !== null) interner.release(set);
    this.exportCache.delete(id);
  }
}
