/**
 * Adj-RIB-In: the routes one peer sent us, after import policy, keyed by
 * (prefix, path identifier). RFC 4271 §3.2, §9.1; RFC 7911 §3 (ADD-PATH:
 * the path identifier is part of the route's name); RFC 7606 §2
 * (treat-as-withdraw); RFC 4724 §4.2 (graceful restart, helper side).
 *
 *     UpdateMessage ─┬─ withdrawn / mpUnreach (and, on treat-as-withdraw, every NLRI) ──> table.remove
 *                    └─ nlri / mpReach ─ sanitize, intern once ─ ImportPolicy per prefix ──> table.upsert
 *                 apply() returns the changed prefix keys  (the caller runs locRib.update(key))
 *
 * Storage: none of its own. The peer's paths live among the Loc-RIB's
 * candidates (loc-rib.ts), found by (prefix, this peer, path id); this class
 * keeps the policy, the counters and the per-peer operations (graceful
 * restart, clear), which walk the table. Without a Loc-RIB it makes a private
 * one. The routes kept are post-policy: a changed import policy needs a
 * ROUTE-REFRESH (RFC 2918) from the peer. The prefix count for max-prefix is
 * `pathCount` (accepted paths). Only unicast IPv4 and IPv6 are kept; other
 * families are ignored.
 */
import {
  Afi,
  type MpReach,
  type NlriList,
  type PathAttributes,
  pathIdAt,
  Safi,
  type UpdateMessage,
} from "../wire/index.js";
import type { AttrInterner } from "./attr-intern.js";
import type { AttrSet } from "./attr-set.js";
import { LocRib, type RouteList, Upsert } from "./loc-rib.js";
import type { Path, PeerRef } from "./path.js";
import { acceptAll, defaultImportPolicy, type ImportPolicy, rejectAll, sanitizeReceived } from "./policy.js";
import { keyAt, type PrefixKey } from "./prefix-key.js";
import { isReflectionLoop } from "./reflection.js";

export interface AdjRibInOptions {
  /** The Loc-RIB that holds the paths (default: a private one). */
  readonly sink?: LocRib;
  /** Default: accept from iBGP, reject from eBGP (RFC 8212). */
  readonly importPolicy?: ImportPolicy;
  /** Our AS, for AS_PATH loop detection on eBGP routes. */
  readonly localAs?: number;
  /** The session's 4-octet-AS setting; when unknown, raw attribute octets are not kept. */
  readonly fourOctetAs?: boolean;
  /** RFC 4456 §8 loop check: drop routes carrying our router ID as ORIGINATOR_ID or our CLUSTER_ID. */
  readonly reflectionLoop?: { readonly routerId: string; readonly clusterId?: string | undefined };
}

function isUnicast(afi: number, safi: number): boolean {
  return safi === Safi.Unicast && (afi === Afi.Ipv4 || afi === Afi.Ipv6);
}

export class AdjRibIn {
  readonly peer: PeerRef;
  private readonly interner: AttrInterner;
  private readonly table: LocRib;
  private readonly policy: ImportPolicy;
  private readonly localAs: number | undefined;
  private readonly fourOctetAs: boolean | undefined;
  private readonly reflectionLoop: AdjRibInOptions["reflectionLoop"];
  private paths = 0;
  private stale = 0;

  constructor(peer: PeerRef, interner: AttrInterner, opts: AdjRibInOptions = {}) {
    this.peer = peer;
    this.interner = interner;
    this.table = opts.sink ?? new LocRib();
    this.policy = opts.importPolicy ?? defaultImportPolicy(peer);
    this.localAs = opts.localAs;
    this.fourOctetAs = opts.fourOctetAs;
    this.reflectionLoop = opts.reflectionLoop;
  }

  /** Paths held (the max-prefix count). */
  get pathCount(): number {
    return this.paths;
  }

  get staleCount(): number {
    return this.stale;
  }

  /**
   * Applies one decoded UPDATE. Returns the keys of the prefixes whose paths
   * changed, in message order (a key appears twice only if the message
   * names the prefix twice). End-of-RIB needs no call.
   */
  apply(update: UpdateMessage): PrefixKey[] {
    const changed: PrefixKey[] = [];
    this.withdrawList(update.withdrawn, changed);
    const unreach = update.mpUnreach;
    if (unreach !== undefined && isUnicast(unreach.afi, unreach.safi))
      this.withdrawList(unreach.nlri, changed);
    const reach = update.mpReach !== undefined && isUnicast(update.mpReach.afi, update.mpReach.safi);
    if (update.treatAsWithdraw === true) {
      // RFC 7606 §2: the UPDATE's NLRI are handled as if withdrawn.
      this.withdrawList(update.nlri, changed);
      if (reach) this.withdrawList(update.mpReach!.nlri, changed);
      return changed;
    }
    if (update.nlri.count > 0) {
      const raw = update.rawAttributes;
      this.announceList(update.nlri, update.attributes, raw, undefined, changed);
    }
    if (reach) {
      const mp: MpReach = update.mpReach!;
      if (mp.nlri.count > 0) {
        const attrs: PathAttributes = { ...update.attributes, nextHop: mp.nextHop };
        // The raw octets carry no MP next hop; they suit only when there is no NEXT_HOP in them.
        const raw = update.attributes.nextHop === undefined ? update.rawAttributes : undefined;
        this.announceList(mp.nlri, attrs, raw, mp.linkLocalNextHop, changed);
      }
    }
    return changed;
  }

  private withdrawList(list: NlriList, changed: PrefixKey[]): void {
    for (let i = 0; i < list.count; i++) {
      const key = keyAt(list, i);
      if (this.withdraw(key, pathIdAt(list, i))) changed.push(key);
    }
  }

  private announceList(
    list: NlriList,
    received: PathAttributes,
    raw: Uint8Array | undefined,
    linkLocalNextHop: string | undefined,
    changed: PrefixKey[],
  ): void {
    const attrs = sanitizeReceived(received, this.peer, this.localAs);
    const loop =
      this.reflectionLoop !== undefined &&
      isReflectionLoop(received, this.reflectionLoop.routerId, this.reflectionLoop.clusterId);
    if (attrs === undefined || loop || this.policy === rejectAll) {
      this.withdrawList(list, changed);
      return;
    }
    const keepRaw = attrs === received && this.fourOctetAs !== undefined ? raw : undefined;
    const set = this.interner.intern(attrs, {
      raw: keepRaw,
      rawFourOctetAs: this.fourOctetAs,
      linkLocalNextHop,
    });
    const perPrefix = this.policy !== acceptAll;
    for (let i = 0; i < list.count; i++) {
      const key = keyAt(list, i);
      const pathId = pathIdAt(list, i);
      if (!perPrefix) {
        if (this.announce(key, pathId, set)) changed.push(key);
        continue;
      }
      const result = this.policy({ prefix: key, pathId, attrs }, this.peer);
      let done: boolean;
      if (result.action === "accept") done = this.announce(key, pathId, set);
      else if (result.action === "reject") done = this.withdraw(key, pathId);
      else {
        const modified = this.interner.intern(result.attrs, { linkLocalNextHop });
        done = this.announce(key, pathId, modified);
        this.interner.release(modified);
      }
      if (done) changed.push(key);
    }
    this.interner.release(set);
  }

  /**
   * Adds or replaces the path (prefix, pathId) with attributes `attrs` (a
   * reference is taken). Returns false when nothing changed; re-announcing a
   * stale path with the same attributes just clears its stale flag.
   */
  announce(prefix: PrefixKey, pathId: number, attrs: AttrSet): boolean {
    const table = this.table;
    const done = table.upsert(prefix, pathId, this.peer, attrs);
    if (done === Upsert.Unchanged) {
      if (table.lastStale) this.stale--;
      return false;
    }
    this.interner.retain(attrs);
    if (done === Upsert.Added) this.paths++;
    else this.forget(table.lastAttrs!, table.lastStale);
    return true;
  }

  /** Removes the path (prefix, pathId) — with `staleOnly`, only if it is stale. Returns false when there was none. */
  withdraw(prefix: PrefixKey, pathId: number, staleOnly = false): boolean {
    const table = this.table;
    if (!table.remove(this.peer, prefix, pathId, staleOnly)) return false;
    this.paths--;
    this.forget(table.lastAttrs!, table.lastStale);
    return true;
  }

  private forget(attrs: AttrSet, stale: boolean): void {
    if (stale) this.stale--;
    this.interner.release(attrs);
  }

  get(prefix: PrefixKey, pathId = 0): Path | undefined {
    return this.table.find(this.peer, prefix, pathId);
  }

  /** The routes held (only the stale ones with `staleOnly`; of one family, or all): a walk over the Loc-RIB. */
  routes(staleOnly = false, afi?: Afi): RouteList {
    if (this.paths === 0 || (staleOnly && this.stale === 0)) return { keys: [], pathIds: [] };
    return this.table.routesOf(this.peer, staleOnly, afi);
  }

  /** Every path held, in no particular order (a walk over the Loc-RIB; made on request). */
  all(): Path[] {
    if (this.paths === 0) return [];
    const { keys, pathIds } = this.table.routesOf(this.peer);
    return keys.map((k, i) => this.table.find(this.peer, k, pathIds[i]!)!);
  }

  /**
   * RFC 4724 §4.2: the peer's session went down and it can restart
   * gracefully: keep its routes, marked stale (for one family, or all).
   * Returns how many paths are stale now. Marking does not change selection.
   */
  markAllStale(afi?: Afi): number {
    if (this.paths > 0) this.stale += this.table.markStale(this.peer, afi);
    return this.stale;
  }

  /**
   * RFC 4724 §4.2: End-of-RIB received (or the restart timer expired):
   * remove what is still stale. Returns the changed prefix keys.
   */
  purgeStale(afi?: Afi): PrefixKey[] {
    return this.withdrawAll(this.routes(true, afi));
  }

  /** The session ended without graceful restart: remove every path. Returns the changed keys. */
  clear(): PrefixKey[] {
    return this.withdrawAll(this.routes());
  }

  private withdrawAll(routes: RouteList): PrefixKey[] {
    const changed: PrefixKey[] = [];
    const { keys, pathIds } = routes;
    for (let i = 0; i < keys.length; i++) if (this.withdraw(keys[i]!, pathIds[i]!)) changed.push(keys[i]!);
    return changed;
  }
}
