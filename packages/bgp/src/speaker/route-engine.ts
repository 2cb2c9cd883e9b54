/**
 * The speaker's route engine: the RIBs of every peer plus our own routes,
 * and the rules that move routes between them. No sockets and no timers:
 * the speaker shell calls it and writes what `flush` returns.
 *
 *     receive(peer, UPDATE) ─> AdjRibIn ─> LocRib ─┐
 *     setLocal(routes) ─────> local AdjRibIn ─────┴─> settle(keys) ─> export rules ─> AdjRibOut per update group/family
 *                                                                                       └─ flush() ─> UPDATE octets per group,
 *                                                                                                     written to every member
 *
 * Peers with the same outbound result share an update group
 * (rib/update-group.ts): one Adj-RIB-Out per family, one encoding. A peer
 * that comes up catches up in a private group (the table is exported to it
 * in slices by `flush`) and joins the shared one once both are in step.
 * Export rewrites are export-rewrite.ts; which routes may go where is
 * rib/policy.ts (split horizon, NO_EXPORT, iBGP rules, RFC 8212 defaults).
 */
import { AdjRibIn } from "../rib/adj-rib-in.js";
import { AttrInterner } from "../rib/attr-intern.js";
import { type DecisionOptions, defaultDecisionOptions } from "../rib/decision.js";
import { LocRib, LocRibChange, type RouteList } from "../rib/loc-rib.js";
import { localPeerRef, type PeerRef } from "../rib/path.js";
import { acceptAll, type ExportPolicy, type ImportPolicy } from "../rib/policy.js";
import { type PrefixKey, prefixKeyFromText } from "../rib/prefix-key.js";
import type { UpdateGroup } from "../rib/update-group.js";
import type { Afi, CodecContext, PathAttributes, UpdateMessage } from "../wire/index.js";
import { GroupExporter } from "./group-export.js";
import { type LocalRoute, localAttributes, sameRoute } from "./local-route.js";
import { type GroupFlush, type UpdateGroupStatus, UpdateGroups } from "./update-groups.js";

export type { LocalRoute } from "./local-route.js";
export type { GroupFlush, UpdateGroupStatus } from "./update-groups.js";

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
  /** The update group the peer is a member of (undefined while down). */
  group: UpdateGroup | undefined;
}

/** A route refresh (RFC 2918) for one member, sent in slices. */
export interface RefreshJob {
  /** The next slice of UPDATEs (at most `maxPrefixes` prefixes), or undefined when done. */
  next(maxPrefixes: number): Uint8Array[] | undefined;
}

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
  readonly #groups: UpdateGroups;
  /** Routes of peers that went away, withdrawn a slice at a time by `drain`. */
  /**
   * Routes leaving in slices (`drain`): every route of a peer that went
   * away, or (`staleOnly`, RFC 4724 purge) those of a peer still stale when
   * their slice comes — a route re-announced meanwhile stays.
   */
  #teardowns: {
    readonly in: AdjRibIn;
    readonly routes: RouteList;
    readonly staleOnly: boolean;
    at: number;
  }[] = [];
  readonly #opts: RouteEngineOptions;
  readonly #decision: DecisionOptions;

  constructor(opts: RouteEngineOptions) {
    this.#opts = opts;
    this.#decision = opts.decision ?? defaultDecisionOptions;
    this.locRib = new LocRib(this.#decision);
    this.local = localPeerRef(opts.routerId, opts.localAs);
    this.#localIn = new AdjRibIn(this.local, this.interner, { sink: this.locRib, importPolicy: acceptAll });
    const exporter = new GroupExporter({
      locRib: this.locRib,
      interner: this.interner,
      decision: this.#decision,
      localAs: opts.localAs,
      clusterId: opts.clusterId,
    });
    this.#groups = new UpdateGroups({ locRib: this.locRib, interner: this.interner, exporter });
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

  /**
   * A session came up: build its RIBs and put it in an update group. The
   * whole table plus End-of-RIB follow through `flush`, in slices.
   */
  peerUp(opts: PeerRibOptions, deferEndOfRib = false): void {
    // RFC 4724 §4.2: a peer back from a graceful restart keeps its stale
    // routes until they are re-announced or purged (End-of-RIB / timer).
    const previous = this.#peers.get(opts.ref.id);
    const keep = previous !== undefined && previous.in.staleCount > 0 ? previous.in : undefined;
    if (keep === undefined) this.peerGone(opts.ref.id);
    else if (previous !== undefined) this.#leave(previous);
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
      group: undefined,
    };
    this.#peers.set(opts.ref.id, peer);
    peer.group = this.#groups.add(opts, deferEndOfRib);
  }

  /** RFC 4724 §4.1 selection deferral is over: End-of-RIB to every peer once its table is out. */
  releaseEndOfRib(): void {
    this.#groups.releaseEndOfRib();
  }

  /**
   * A session ended. With `keepStale` (graceful restart, RFC 4724 §4.2) the
   * peer's routes stay, marked stale; else they are withdrawn. Returns the
   * changed prefixes (settle them).
   */
  peerDown(id: number, keepStale: boolean): PrefixKey[] {
    const peer = this.#peers.get(id);
    if (peer === undefined) return [];
    this.#leave(peer);
    // A purge still in progress belongs to the previous restart: this one marks afresh.
    this.#teardowns = this.#teardowns.filter((t) => !(t.in === peer.in && t.staleOnly));
    if (keepStale) {
      peer.in.markAllStale();
      return [];
    }
    this.#peers.delete(id);
    this.#groups.forgetPeer(id);
    this.#tearDown(peer.in);
    return [];
  }

  /** Forgets a peer entirely (e.g. a dynamic peer that left). Returns changed prefixes. */
  peerGone(id: number): PrefixKey[] {
    const peer = this.#peers.get(id);
    if (peer === undefined) return [];
    this.#leave(peer);
    this.#peers.delete(id);
    this.#groups.forgetPeer(id);
    this.#tearDown(peer.in);
    return [];
  }

  /**
   * Withdraws at most `maxPaths` routes of peers that went away (their
   * sessions' routes leave in slices, so a peer with a million routes does
   * not stall the caller); returns the changed prefixes (settle them).
   */
  drain(maxPaths = Number.POSITIVE_INFINITY): PrefixKey[] {
    const changed: PrefixKey[] = [];
    let budget = maxPaths;
    while (budget > 0 && this.#teardowns.length > 0) {
      const t = this.#teardowns[0]!;
      const { keys, pathIds } = t.routes;
      const end = Math.min(keys.length, t.at + budget);
      for (let i = t.at; i < end; i++) {
        if (t.in.withdraw(keys[i]!, pathIds[i]!, t.staleOnly)) changed.push(keys[i]!);
      }
      budget -= end - t.at;
      t.at = end;
      if (end === keys.length) this.#teardowns.shift();
    }
    return changed;
  }

  /**
   * RFC 4724: End-of-RIB or the restart timer: drop what is still stale —
   * in slices, by `drain` (the changed prefixes come from there).
   */
  purgeStale(id: number, afi?: Afi): PrefixKey[] {
    const rib = this.#peers.get(id)?.in;
    if (rib === undefined || rib.staleCount === 0) return [];
    this.#teardowns.push({ in: rib, routes: rib.routes(true, afi), staleOnly: true, at: 0 });
    return [];
  }

  /** Applies a received UPDATE; returns the changed prefixes (settle them). */
  receive(id: number, update: UpdateMessage): PrefixKey[] {
    return this.#peers.get(id)?.in.apply(update) ?? [];
  }

  /** Accepted paths from a peer (the max-prefix count). */
  pathCount(id: number): number {
    return this.#peers.get(id)?.in.pathCount ?? 0;
  }

  /**
   * Runs selection for the changed prefixes and updates every group's
   * Adj-RIB-Out. `keys[from..to)` only, so a caller can take a long list in slices.
   */
  settle(
    keys: readonly PrefixKey[],
    onChange?: (key: PrefixKey, change: LocRibChange) => void,
    from = 0,
    to = keys.length,
  ): void {
    // Each prefix is exported right after its selection, while its Loc-RIB slot is at hand.
    const exportKey = this.#groups.exporter();
    for (let i = from; i < to; i++) {
      const key = keys[i]!;
      const change = this.locRib.update(key);
      if (change === LocRibChange.None) continue;
      onChange?.(key, change);
      exportKey(key);
    }
  }

  /**
   * UPDATE octets owed, per group: each group first exports the next slice of
   * its initial table, then flushes at most `maxPrefixes` prefixes per
   * family. With `settled` (nothing left to settle), a member that caught up
   * moves into its shared group.
   */
  flush(maxPrefixes = Number.POSITIVE_INFINITY, settled = true): GroupFlush[] {
    return this.#groups.flush(maxPrefixes, settled, (id, to) => {
      const peer = this.#peers.get(id);
      if (peer !== undefined) peer.group = to;
    });
  }

  /** Something is left to withdraw, export or flush (call `drain` and `flush` again). */
  get busy(): boolean {
    return this.#teardowns.length > 0 || this.#groups.busy;
  }

  /** Prefixes still waiting to be flushed to a peer (its group's). */
  pending(id: number): number {
    return this.#peers.get(id)?.group?.pending ?? 0;
  }

  /**
   * Route refresh (RFC 2918): the Adj-RIB-Out of one family again, to this
   * peer only (its group's pending changes go to every member as usual).
   */
  refresh(id: number, afi: Afi): RefreshJob | undefined {
    const keys = this.#peers.get(id)?.group?.outs.get(afi)?.advertisedKeys();
    if (keys === undefined) return undefined;
    let at = 0;
    return {
      next: (maxPrefixes) => {
        // The group is looked up each time: the peer may have moved into its shared group.
        const rib = this.#peers.get(id)?.group?.outs.get(afi);
        if (rib === undefined || at >= keys.length) return undefined;
        const end = Math.min(keys.length, at + maxPrefixes);
        const messages = rib.encodeAdvertised(keys, at, end);
        at = end;
        return messages;
      },
    };
  }

  /** What a peer was sent (as of the last flush). */
  advertised(id: number): { prefix: PrefixKey; pathId: number; attrs: PathAttributes }[] {
    const out: { prefix: PrefixKey; pathId: number; attrs: PathAttributes }[] = [];
    for (const rib of this.#peers.get(id)?.group?.outs.values() ?? []) {
      rib.forEachAdvertised((prefix, pathId, set) => out.push({ prefix, pathId, attrs: set.attrs }));
    }
    return out;
  }

  /** Prefixes advertised to a peer / received from it. */
  counts(id: number): { received: number; advertised: number } {
    const peer = this.#peers.get(id);
    return { received: peer?.in.pathCount ?? 0, advertised: peer?.group?.size ?? 0 };
  }

  /** The update group of a peer (undefined while it is down). */
  groupOf(id: number): number | undefined {
    return this.#peers.get(id)?.group?.id;
  }

  /** Every update group. */
  groups(): UpdateGroupStatus[] {
    return this.#groups.status();
  }

  #tearDown(rib: AdjRibIn): void {
    this.#teardowns = this.#teardowns.filter((t) => t.in !== rib);
    if (rib.pathCount > 0) this.#teardowns.push({ in: rib, routes: rib.routes(), staleOnly: false, at: 0 });
  }

  #leave(peer: PeerRibs): void {
    const g = peer.group;
    peer.group = undefined;
    if (g !== undefined) this.#groups.leave(g, peer.opts.ref.id);
  }
}
