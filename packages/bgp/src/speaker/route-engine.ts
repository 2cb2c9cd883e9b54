/**
 * The speaker's route engine: the RIBs of every peer plus our own routes,
 * and the rules that move routes between them. No sockets and no timers:
 * the speaker shell calls it and writes what `flush` returns.
 *
 *     receive(peer, UPDATE) ─> AdjRibIn ─> LocRib ─┐
 *     setLocal(routes) ─────> local AdjRibIn ─────┴─> settle(keys) ─> export rules ─> AdjRibOut per peer/family
 *                                                                                       └─ flush(peer) ─> UPDATE octets
 *
 * Export rewrites (RFC 4271 §5.1): to an eBGP peer our AS is prepended,
 * NEXT_HOP becomes our session address (unless a local route names its
 * own), LOCAL_PREF, a received MED, ORIGINATOR_ID and CLUSTER_LIST are not
 * sent; to an iBGP peer LOCAL_PREF is always present (default 100) and the
 * NEXT_HOP of a received route is left alone. Which routes may go where is
 * rib/policy.ts (split horizon, NO_EXPORT, iBGP rules, RFC 8212 defaults).
 */
import { AdjRibIn } from "../rib/adj-rib-in.js";
import { AdjRibOut, type OutPath, sourceOf } from "../rib/adj-rib-out.js";
import { AttrInterner } from "../rib/attr-intern.js";
import type { AttrSet } from "../rib/attr-set.js";
import { comparePaths, type DecisionOptions, defaultDecisionOptions } from "../rib/decision.js";
import { LocRib, LocRibChange } from "../rib/loc-rib.js";
import { localPeerRef, type Path, type PeerRef } from "../rib/path.js";
import { acceptAll, type ExportPolicy, exportPath, type ImportPolicy } from "../rib/policy.js";
import { afiOfKey, type PrefixKey, prefixKeyFromText } from "../rib/prefix-key.js";
import { reflectedAttributes, reflectionRule } from "../rib/reflection.js";
import {
  Afi,
  type AsPathSegment,
  AsPathSegmentType,
  type CodecContext,
  familyKey,
  type LargeCommunity,
  type Origin,
  type PathAttributes,
  type UpdateMessage,
} from "../wire/index.js";

/** A route we originate. */
export interface LocalRoute {
  /** "203.0.113.10/32" or "2001:db8::10/128". */
  readonly prefix: string;
  /** Default: our address on each session ("next-hop-self"). */
  readonly nextHop?: string;
  readonly origin?: Origin;
  /** ASNs after ours (ours is prepended toward eBGP peers). */
  readonly asPath?: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly extendedCommunities?: readonly Uint8Array[];
}

export interface PeerRibOptions {
  readonly ref: PeerRef;
  readonly ctx: CodecContext;
  /** Negotiated families (FamilyKey). */
  readonly families: readonly number[];
  /** Our addresses on this session, for next-hop-self. */
  readonly localIpv4?: string;
  readonly localIpv6?: string;
  readonly importPolicy?: ImportPolicy;
  readonly exportPolicy?: ExportPolicy;
  /** ADD-PATH send: at most this many paths per prefix. */
  readonly maxPaths?: number;
}

interface PeerRibs {
  readonly opts: PeerRibOptions;
  readonly in: AdjRibIn;
  readonly outs: Map<Afi, AdjRibOut>;
  /** Rewritten AttrSet per source AttrSet of received routes (one reference held each). */
  readonly exportCache: Map<AttrSet, AttrSet | null>;
  /** The same for our own routes (their next hop and MED are treated differently). */
  readonly exportCacheLocal: Map<AttrSet, AttrSet | null>;
}

const DefaultLocalPref = 100;

export interface RouteEngineOptions {
  readonly localAs: number;
  readonly routerId: string;
  readonly decision?: DecisionOptions;
  /** Set to act as a route reflector (RFC 4456) with this CLUSTER_ID. */
  readonly clusterId?: string;
}

export class RouteEngine {
  readonly interner = new AttrInterner();
  readonly locRib: LocRib;
  readonly local: PeerRef;
  readonly #localIn: AdjRibIn;
  readonly #localKeys = new Map<PrefixKey, LocalRoute>();
  readonly #peers = new Map<number, PeerRibs>();
  readonly #opts: RouteEngineOptions;
  readonly #decision: DecisionOptions;

  constructor(opts: RouteEngineOptions) {
    this.#opts = opts;
    this.#decision = opts.decision ?? defaultDecisionOptions;
    this.locRib = new LocRib(this.#decision);
    this.local = localPeerRef(opts.routerId, opts.localAs);
    this.#localIn = new AdjRibIn(this.local, this.interner, { sink: this.locRib, importPolicy: acceptAll });
  }

  /** Replaces the whole set of local routes; returns the prefixes that changed. Throws RangeError on bad text. */
  setLocal(routes: readonly LocalRoute[]): PrefixKey[] {
    const next = new Map<PrefixKey, LocalRoute>();
    for (const r of routes) next.set(prefixKeyFromText(r.prefix), r);
    const changed: PrefixKey[] = [];
    for (const key of this.#localKeys.keys()) {
      if (!next.has(key) && this.#localIn.withdraw(key, 0)) changed.push(key);
    }
    for (const [key, route] of next) {
      const before = this.#localKeys.get(key);
      if (before !== undefined && sameRoute(before, route)) continue;
      const set = this.interner.intern(localAttributes(route));
      if (this.#localIn.announce(key, 0, set)) changed.push(key);
      this.interner.release(set);
    }
    this.#localKeys.clear();
    for (const [k, v] of next) this.#localKeys.set(k, v);
    return changed;
  }

  localRoutes(): LocalRoute[] {
    return [...this.#localKeys.values()];
  }

  /** A session came up: build its RIBs and queue the whole table plus End-of-RIB. */
  peerUp(opts: PeerRibOptions, deferEndOfRib = false): void {
    // RFC 4724 §4.2: a peer back from a graceful restart keeps its stale
    // routes until they are re-announced or purged (End-of-RIB / timer).
    const previous = this.#peers.get(opts.ref.id);
    const keep = previous !== undefined && previous.in.staleCount > 0 ? previous.in : undefined;
    if (keep === undefined) this.peerGone(opts.ref.id);
    else if (previous !== undefined) this.#clearOut(previous);
    const peer: PeerRibs = {
      opts,
      in:
        keep ??
        new AdjRibIn(opts.ref, this.interner, {
          sink: this.locRib,
          localAs: this.#opts.localAs,
          fourOctetAs: opts.ctx.fourOctetAs,
          reflectionLoop: { routerId: this.#opts.routerId, clusterId: this.#opts.clusterId },
          ...(opts.importPolicy === undefined ? {} : { importPolicy: opts.importPolicy }),
        }),
      outs: new Map(),
      exportCache: new Map(),
      exportCacheLocal: new Map(),
    };
    for (const afi of [Afi.Ipv4, Afi.Ipv6]) {
      if (!opts.families.includes(familyKey(afi, 1))) continue;
      peer.outs.set(
        afi,
        new AdjRibOut({
          afi,
          ctx: opts.ctx,
          interner: this.interner,
          ...(opts.maxPaths === undefined ? {} : { maxPaths: opts.maxPaths }),
        }),
      );
    }
    this.#peers.set(opts.ref.id, peer);
    for (const key of this.locRib.keys()) this.#exportTo(peer, key);
    if (!deferEndOfRib) for (const out of peer.outs.values()) out.queueEndOfRib();
  }

  /** RFC 4724 §4.1 selection deferral is over: End-of-RIB to every peer once its table is out. */
  releaseEndOfRib(): void {
    for (const peer of this.#peers.values()) for (const out of peer.outs.values()) out.queueEndOfRib();
  }

  /**
   * A session ended. With `keepStale` (graceful restart, RFC 4724 §4.2) the
   * peer's routes stay, marked stale; else they are withdrawn. Returns the
   * changed prefixes (settle them).
   */
  peerDown(id: number, keepStale: boolean): PrefixKey[] {
    const peer = this.#peers.get(id);
    if (peer === undefined) return [];
    this.#clearOut(peer);
    if (keepStale) {
      peer.in.markAllStale();
      return [];
    }
    this.#peers.delete(id);
    return peer.in.clear();
  }

  /** Forgets a peer entirely (e.g. a dynamic peer that left). Returns changed prefixes. */
  peerGone(id: number): PrefixKey[] {
    const peer = this.#peers.get(id);
    if (peer === undefined) return [];
    this.#clearOut(peer);
    this.#peers.delete(id);
    return peer.in.clear();
  }

  /** RFC 4724: End-of-RIB or the restart timer: drop what is still stale. */
  purgeStale(id: number, afi?: Afi): PrefixKey[] {
    return this.#peers.get(id)?.in.purgeStale(afi) ?? [];
  }

  /** Applies a received UPDATE; returns the changed prefixes (settle them). */
  receive(id: number, update: UpdateMessage): PrefixKey[] {
    return this.#peers.get(id)?.in.apply(update) ?? [];
  }

  /** Accepted paths from a peer (the max-prefix count). */
  pathCount(id: number): number {
    return this.#peers.get(id)?.in.pathCount ?? 0;
  }

  /** Runs selection for the changed prefixes and updates every peer's Adj-RIB-Out. */
  settle(keys: Iterable<PrefixKey>, onChange?: (key: PrefixKey, change: LocRibChange) => void): void {
    for (const key of keys) {
      const change = this.locRib.update(key);
      if (change === LocRibChange.None) continue;
      onChange?.(key, change);
      for (const peer of this.#peers.values()) if (peer.outs.size > 0) this.#exportTo(peer, key);
    }
  }

  /** UPDATE octets owed to a peer (at most `maxPrefixes` prefixes per family this call). */
  flush(id: number, maxPrefixes?: number): Uint8Array[] {
    const peer = this.#peers.get(id);
    if (peer === undefined) return [];
    const out: Uint8Array[] = [];
    for (const rib of peer.outs.values()) {
      for (const m of rib.flush(maxPrefixes === undefined ? {} : { maxPrefixes }).messages) out.push(m);
    }
    return out;
  }

  /** Prefixes still waiting to be flushed to a peer. */
  pending(id: number): number {
    let n = 0;
    for (const rib of this.#peers.get(id)?.outs.values() ?? []) n += rib.pendingCount;
    return n;
  }

  /** Route refresh (RFC 2918): the whole Adj-RIB-Out of one family again. */
  refresh(id: number, afi: Afi): Uint8Array[] {
    return this.#peers.get(id)?.outs.get(afi)?.snapshot().messages ?? [];
  }

  /** What a peer was sent (as of the last flush). */
  advertised(id: number): { prefix: PrefixKey; pathId: number; attrs: PathAttributes }[] {
    const out: { prefix: PrefixKey; pathId: number; attrs: PathAttributes }[] = [];
    for (const rib of this.#peers.get(id)?.outs.values() ?? []) {
      rib.forEachAdvertised((prefix, pathId, set) => out.push({ prefix, pathId, attrs: set.attrs }));
    }
    return out;
  }

  /** Prefixes advertised to a peer / received from it. */
  counts(id: number): { received: number; advertised: number } {
    const peer = this.#peers.get(id);
    let advertised = 0;
    for (const rib of peer?.outs.values() ?? []) advertised += rib.size;
    return { received: peer?.in.pathCount ?? 0, advertised };
  }

  #clearOut(peer: PeerRibs): void {
    for (const rib of peer.outs.values()) rib.clear();
    peer.outs.clear();
    for (const cache of [peer.exportCache, peer.exportCacheLocal]) {
      for (const set of cache.values()) if (set !== null) this.interner.release(set);
      cache.clear();
    }
  }

  #exportTo(peer: PeerRibs, key: PrefixKey): void {
    const rib = peer.outs.get(afiOfKey(key));
    if (rib === undefined) return;
    let paths: readonly Path[];
    if (rib.addPath) {
      paths = [...this.locRib.candidates(key)].sort((a, b) => comparePaths(a, b, this.#decision));
    } else {
      const best = this.locRib.best(key);
      paths = best === undefined ? [] : [best];
    }
    const out: OutPath[] = [];
    const owned: AttrSet[] = [];
    for (const path of paths) {
      const attrs = this.#exportAttrs(peer, path, owned);
      if (attrs !== null) out.push({ source: sourceOf(path), attrs });
    }
    rib.setPaths(key, out); // takes its own references
    for (const set of owned) this.interner.release(set);
  }

  /**
   * The attributes `path` is sent to `peer` with, or null when it is not
   * sent. Whether it is sent is decided per path (split horizon, iBGP rules
   * and policy depend on where it came from); the rewritten attributes are
   * cached per source attribute set and origin (the cache holds one
   * reference each). A policy's modified attributes are not cached: their
   * reference is pushed on `owned` for the caller to release.
   */
  #exportAttrs(peer: PeerRibs, path: Path, owned: AttrSet[]): AttrSet | null {
    const decision = exportPath(path, peer.opts.ref, {
      ...(peer.opts.exportPolicy === undefined ? {} : { policy: peer.opts.exportPolicy }),
      ...(this.#opts.clusterId === undefined ? {} : { reflection: reflectionRule }),
    });
    if (decision.action === "reject") return null;
    const afi = afiOfKey(path.prefix);
    if (decision.action === "modify") {
      const rewritten = this.#rewrite(peer, path, decision.attrs, afi);
      if (rewritten === null) return null;
      const set = this.interner.intern(rewritten);
      owned.push(set);
      return set;
    }
    const cache = path.peer.local ? peer.exportCacheLocal : peer.exportCache;
    const hit = cache.get(path.attrs);
    if (hit !== undefined) return hit;
    const rewritten = this.#rewrite(peer, path, path.attrs.attrs, afi);
    const set = rewritten === null ? null : this.interner.intern(rewritten);
    cache.set(path.attrs, set);
    return set;
  }

  #rewrite(peer: PeerRibs, path: Path, attrs: PathAttributes, afi: Afi): PathAttributes | null {
    const to = peer.opts.ref;
    const self = afi === Afi.Ipv4 ? peer.opts.localIpv4 : peer.opts.localIpv6;
    const local = path.peer.local;
    const { localPref, med, originatorId: _o, clusterList: _c, nextHop, ...rest } = attrs;
    let hop = nextHop;
    if (local && (hop === undefined || hop === "")) hop = self;
    if (!to.ibgp && !(local && nextHop !== undefined)) hop = self;
    if (hop === undefined) return null; // no usable next hop for this family on this session
    if (to.ibgp) {
      const out: PathAttributes = {
        ...rest,
        nextHop: hop,
        localPref: localPref ?? DefaultLocalPref,
        ...(med === undefined ? {} : { med }),
        ...(attrs.originatorId === undefined ? {} : { originatorId: attrs.originatorId }),
        ...(attrs.clusterList === undefined ? {} : { clusterList: attrs.clusterList }),
      };
      // RFC 4456 §8: an iBGP-learned route reflected to an iBGP peer.
      const clusterId = this.#opts.clusterId;
      return clusterId !== undefined && path.peer.ibgp ? reflectedAttributes(out, path.peer, clusterId) : out;
    }
    return {
      ...rest,
      nextHop: hop,
      asPath: prepend(this.#opts.localAs, rest.asPath ?? []),
      ...(local && med !== undefined ? { med } : {}),
    };
  }
}

function prepend(asn: number, path: readonly AsPathSegment[]): AsPathSegment[] {
  const first = path[0];
  if (first !== undefined && first.type === AsPathSegmentType.AsSequence && first.asns.length < 255) {
    return [{ type: AsPathSegmentType.AsSequence, asns: [asn, ...first.asns] }, ...path.slice(1)];
  }
  return [{ type: AsPathSegmentType.AsSequence, asns: [asn] }, ...path];
}

function localAttributes(r: LocalRoute): PathAttributes {
  return {
    origin: r.origin ?? 0,
    asPath:
      r.asPath === undefined || r.asPath.length === 0
        ? []
        : [{ type: AsPathSegmentType.AsSequence, asns: [...r.asPath] }],
    ...(r.nextHop === undefined ? {} : { nextHop: r.nextHop }),
    ...(r.med === undefined ? {} : { med: r.med }),
    ...(r.localPref === undefined ? {} : { localPref: r.localPref }),
    ...(r.communities === undefined || r.communities.length === 0 ? {} : { communities: [...r.communities] }),
    ...(r.largeCommunities === undefined || r.largeCommunities.length === 0
      ? {}
      : { largeCommunities: [...r.largeCommunities] }),
    ...(r.extendedCommunities === undefined || r.extendedCommunities.length === 0
      ? {}
      : { extendedCommunities: [...r.extendedCommunities] }),
  };
}

function sameRoute(a: LocalRoute, b: LocalRoute): boolean {
  return JSON.stringify(a, bytesAsArrays) === JSON.stringify(b, bytesAsArrays);
}

function bytesAsArrays(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? [...v] : v;
}
