/**
 * Adj-RIB-In: the routes one peer sent us, after import policy, keyed by
 * (prefix, path identifier). RFC 4271 §3.2, §9.1; RFC 7911 §3 (ADD-PATH:
 * the path identifier is part of the route's name); RFC 7606 §2
 * (treat-as-withdraw); RFC 4724 §4.2 (graceful restart, helper side).
 *
 *     UpdateMessage ─┬─ withdrawn / mpUnreach (and, on treat-as-withdraw, every NLRI) ──> remove
 *                    └─ nlri / mpReach ─ sanitize, intern once ─ ImportPolicy per prefix ──> add/replace
 *                                           │
 *                 every change ──> sink.pathChanged(old, new)  (the Loc-RIB keeps its candidates)
 *                 apply() returns the changed prefix keys       (the caller runs locRib.update(key))
 *
 * Storage is one PrefixMap entry per prefix holding a Path, or a small array of
 * Paths when the peer sends several path identifiers for it. The routes kept
 * are post-policy: a changed import policy needs a ROUTE-REFRESH (RFC 2918)
 * from the peer. The prefix count for max-prefix is `pathCount` (accepted
 * paths). Only unicast IPv4 and IPv6 are kept; other families are ignored.
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
import { Path, type PeerRef } from "./path.js";
import { acceptAll, defaultImportPolicy, type ImportPolicy, rejectAll, sanitizeReceived } from "./policy.js";
import { afiOfKey, keyAt, type PrefixKey } from "./prefix-key.js";
import { PrefixMap } from "./prefix-map.js";
import { isReflectionLoop } from "./reflection.js";

/** Told about every path that enters, changes or leaves an Adj-RIB-In. */
export interface PathSink {
  /** `old` left and/or `next` arrived, both for the same prefix. */
  pathChanged(old: Path | undefined, next: Path | undefined): void;
}

export interface AdjRibInOptions {
  /** Usually the Loc-RIB. */
  readonly sink?: PathSink;
  /** Default: accept from iBGP, reject from eBGP (RFC 8212). */
  readonly importPolicy?: ImportPolicy;
  /** Our AS, for AS_PATH loop detection on eBGP routes. */
  readonly localAs?: number;
  /** The session's 4-octet-AS setting; when unknown, raw attribute octets are not kept. */
  readonly fourOctetAs?: boolean;
  /** RFC 4456 §8 loop check: drop routes carrying our router ID as ORIGINATOR_ID or our CLUSTER_ID. */
  readonly reflectionLoop?: { readonly routerId: string; readonly clusterId?: string | undefined };
}

type Entry = Path | Path[];

function isUnicast(afi: number, safi: number): boolean {
  return safi === Safi.Unicast && (afi === Afi.Ipv4 || afi === Afi.Ipv6);
}

export class AdjRibIn {
  readonly peer: PeerRef;
  private readonly interner: AttrInterner;
  private readonly sink: PathSink | undefined;
  private readonly policy: ImportPolicy;
  private readonly localAs: number | undefined;
  private readonly fourOctetAs: boolean | undefined;
  private readonly reflectionLoop: AdjRibInOptions["reflectionLoop"];
  private readonly routes = new PrefixMap<Entry>();
  private paths = 0;
  private stale = 0;

  constructor(peer: PeerRef, interner: AttrInterner, opts: AdjRibInOptions = {}) {
    this.peer = peer;
    this.interner = interner;
    this.sink = opts.sink;
    this.policy = opts.importPolicy ?? defaultImportPolicy(peer);
    this.localAs = opts.localAs;
    this.fourOctetAs = opts.fourOctetAs;
    this.reflectionLoop = opts.reflectionLoop;
  }

  /** Paths held (the max-prefix count). */
  get pathCount(): number {
    return this.paths;
  }

  /** Distinct prefixes held. */
  get prefixCount(): number {
    return this.routes.size;
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
    const next = new Path(prefix, pathId, this.peer, attrs);
    // A new prefix (the bulk of a table load) costs one probe.
    const entry = this.routes.setIfAbsent(prefix, next) ? undefined : this.routes.get(prefix);
    const old = entry === undefined ? undefined : find(entry, pathId);
    if (old !== undefined && old.attrs === attrs) {
      if (old.stale) {
        old.stale = false;
        this.stale--;
      }
      return false;
    }
    this.interner.retain(attrs);
    if (entry !== undefined) {
      if (old === undefined) {
        if (Array.isArray(entry)) entry.push(next);
        else this.routes.set(prefix, [entry, next]);
      } else if (Array.isArray(entry)) entry[entry.indexOf(old)] = next;
      else this.routes.set(prefix, next);
    }
    if (old === undefined) this.paths++;
    else this.forget(old);
    this.sink?.pathChanged(old, next);
    return true;
  }

  /** Removes the path (prefix, pathId). Returns false when there was none. */
  withdraw(prefix: PrefixKey, pathId: number): boolean {
    const entry = this.routes.get(prefix);
    if (entry === undefined) return false;
    const old = find(entry, pathId);
    if (old === undefined) return false;
    if (!Array.isArray(entry)) this.routes.delete(prefix);
    else {
      entry.splice(entry.indexOf(old), 1);
      if (entry.length === 1) this.routes.set(prefix, entry[0]!);
    }
    this.paths--;
    this.forget(old);
    this.sink?.pathChanged(old, undefined);
    return true;
  }

  private forget(old: Path): void {
    if (old.stale) this.stale--;
    this.interner.release(old.attrs);
  }

  get(prefix: PrefixKey, pathId = 0): Path | undefined {
    const entry = this.routes.get(prefix);
    return entry === undefined ? undefined : find(entry, pathId);
  }

  /** Every path held, in no particular order. */
  *all(): IterableIterator<Path> {
    for (const entry of this.routes.values()) {
      if (Array.isArray(entry)) yield* entry;
      else yield entry;
    }
  }

  /**
   * RFC 4724 §4.2: the peer's session went down and it can restart
   * gracefully: keep its routes, marked stale (for one family, or all).
   * Returns how many paths are stale now. Marking does not change selection.
   */
  markAllStale(afi?: Afi): number {
    for (const p of this.all()) {
      if (!p.stale && (afi === undefined || afiOfKey(p.prefix) === afi)) {
        p.stale = true;
        this.stale++;
      }
    }
    return this.stale;
  }

  /**
   * RFC 4724 §4.2: End-of-RIB received (or the restart timer expired):
   * remove what is still stale. Returns the changed prefix keys.
   */
  purgeStale(afi?: Afi): PrefixKey[] {
    const doomed: Path[] = [];
    for (const p of this.all())
      if (p.stale && (afi === undefined || afiOfKey(p.prefix) === afi)) doomed.push(p);
    const changed: PrefixKey[] = [];
    for (const p of doomed) if (this.withdraw(p.prefix, p.pathId)) changed.push(p.prefix);
    return changed;
  }

  /** The session ended without graceful restart: remove every path. Returns the changed keys. */
  clear(): PrefixKey[] {
    const doomed = [...this.all()];
    const changed: PrefixKey[] = [];
    for (const p of doomed) if (this.withdraw(p.prefix, p.pathId)) changed.push(p.prefix);
    return changed;
  }
}

function find(entry: Entry, pathId: number): Path | undefined {
  if (!Array.isArray(entry)) return entry.pathId === pathId ? entry : undefined;
  for (const p of entry) if (p.pathId === pathId) return p;
  return undefined;
}
