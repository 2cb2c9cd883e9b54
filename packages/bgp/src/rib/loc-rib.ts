/**
 * Loc-RIB: THE route table. Per prefix, the candidate paths from every peer
 * (and the local pseudo-peer's locally originated routes), the best path and
 * the multipath (ECMP) set. RFC 4271 §3.2, §9.1.2 (phase 2, decision.ts).
 *
 *     Adj-RIB-In ──upsert(path) / remove(peer, prefix, id)──> candidates edited, prefix marked pending
 *     caller     ──update(key)──────────────────────────────> selection re-run for that prefix,
 *                                                             LocRibChange flags vs. the last report
 *
 * The Adj-RIBs-In keep no table of their own (adj-rib-in.ts): a peer's
 * received paths are exactly its candidates here, found by (prefix, peer,
 * path id) — as in BIRD, where a route from a protocol lives in the table it
 * is imported into. So a full-table load costs one hash probe and one Path
 * per prefix.
 *
 * Built for 1,000,000 prefixes with mostly one candidate each. An IPv4
 * prefix with ONE candidate is a slot of parallel arrays (ipv4-slots.ts: its
 * attribute set, peer, path id and stale flag) and no object at all; an IPv6
 * prefix with one candidate is that Path. Only prefixes with several
 * candidates get a `MultiEntry` (candidate Paths + selection). Selection is
 * a linear pass over one prefix's candidates; nothing is ever sorted.
 *
 * Paths handed out for an IPv4 single-candidate prefix (best, candidates,
 * find...) are made on request: two calls give equal, not identical,
 * objects. Compare routes with `samePath` (same peer, path id and attribute
 * set: a changed route always has another attribute set).
 *
 * Between a change and its `update`, a side table (`pending`) remembers what
 * was last reported for the prefix, so several changes to one prefix
 * collapse into one report (announce + withdraw before `update` reports
 * nothing). A full-table load of new prefixes makes no object per prefix.
 */
import { Afi } from "../wire/index.js";
import type { AttrSet } from "./attr-set.js";
import {
  bestOf,
  type Entry6,
  indexIn,
  MultiEntry,
  nothingReported,
  type Reported,
  sameMultipath,
  samePath,
} from "./candidates.js";
import { type DecisionOptions, defaultDecisionOptions, type Selection, selectBest } from "./decision.js";
import { Ipv4Slots } from "./ipv4-slots.js";
import { Path, type PeerRef } from "./path.js";
import type { PrefixKey } from "./prefix-key.js";
import { PrefixMap } from "./prefix-map.js";

/** Bit flags returned by `LocRib.update`. */
export const LocRibChange = {
  None: 0,
  /** The best path is a different route (appeared, replaced or gone). */
  Best: 1,
  /** The multipath set has different members. */
  Multipath: 2,
  /** No candidate is left: the prefix left the Loc-RIB. */
  Gone: 4,
} as const;
export type LocRibChange = number;

/** What `LocRib.upsert` did. */
export const Upsert = {
  /** A new candidate. */
  Added: 0,
  /** The peer's path with that id got another attribute set. */
  Replaced: 1,
  /** Same attribute set: nothing changed (a stale flag was cleared). */
  Unchanged: 2,
} as const;
export type Upsert = (typeof Upsert)[keyof typeof Upsert];

export { samePath } from "./candidates.js";

/** A peer's routes: parallel lists of prefix keys and path identifiers. */
export interface RouteList {
  readonly keys: PrefixKey[];
  readonly pathIds: number[];
}

export class LocRib {
  private readonly v4 = new Ipv4Slots<MultiEntry>();
  private readonly v6 = new Map<string, Entry6>();
  /** Prefixes changed since their last report -> what that report said. */
  private readonly pending = new PrefixMap<Path | Selection>({ keepCapacity: true });
  private readonly opts: DecisionOptions;
  /**
   * After `upsert` (Replaced, Unchanged) or `remove` (true): the attribute
   * set and stale flag of the path replaced, kept or removed. Valid until
   * the next call (a return slot that costs no allocation).
   */
  lastAttrs: AttrSet | undefined = undefined;
  lastStale = false;
  /** After `locateBest` returned true: the best path's peer and attribute set (no Path made). */
  bestPeer: PeerRef | undefined = undefined;
  bestAttrs: AttrSet | undefined = undefined;

  constructor(opts: DecisionOptions = defaultDecisionOptions) {
    this.opts = opts;
  }

  /** Prefixes with at least one candidate. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Prefixes changed and not yet reported by `update`. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Adds the candidate (prefix, peer, path id) with `attrs`, or replaces
   * that peer's path with the same id. Reporting waits for `update`.
   */
  upsert(prefix: PrefixKey, pathId: number, peer: PeerRef, attrs: AttrSet): Upsert {
    return typeof prefix === "number"
      ? this.upsert4(prefix, pathId, peer, attrs)
      : this.upsert6(prefix, pathId, peer, attrs);
  }

  /** Removes the candidate (prefix, peer, path id) — with `staleOnly`, only a stale one; false when there was none. */
  remove(peer: PeerRef, prefix: PrefixKey, pathId: number, staleOnly = false): boolean {
    return typeof prefix === "number"
      ? this.remove4(peer, prefix, pathId, staleOnly)
      : this.remove6(peer, prefix, pathId, staleOnly);
  }

  /** The candidate (prefix, peer, path id). */
  find(peer: PeerRef, prefix: PrefixKey, pathId: number): Path | undefined {
    for (const p of this.candidates(prefix)) if (p.peer === peer && p.pathId === pathId) return p;
    return undefined;
  }

  /**
   * Re-runs selection for `key` and reports the net change since the last
   * report for it, as LocRibChange flags (0: nothing to tell).
   */
  update(key: PrefixKey): LocRibChange {
    const taken = this.pending.take(key);
    if (taken === undefined) return LocRibChange.None;
    if (taken === nothingReported) {
      // New since the last report (the bulk of a table load): no Path made.
      return this.has(key) ? LocRibChange.Best | LocRibChange.Multipath : LocRibChange.None;
    }
    const before: Reported = taken;
    const now = this.selectedAt(key);
    let flags = 0;
    if (!samePath(bestOf(before), bestOf(now))) flags |= LocRibChange.Best;
    if (!sameMultipath(before, now)) flags |= LocRibChange.Multipath;
    if (now === undefined) flags |= LocRibChange.Gone;
    return flags;
  }

  /** Runs `update` for every pending prefix; calls `onChange` for each non-zero report. */
  updateAll(onChange?: (key: PrefixKey, change: LocRibChange) => void): void {
    const keys: PrefixKey[] = [...this.pending.keys()];
    for (const k of keys) {
      const change = this.update(k);
      if (change !== LocRibChange.None) onChange?.(k, change);
    }
  }

  has(key: PrefixKey): boolean {
    return typeof key === "number" ? this.v4.find(key) >= 0 : this.v6.has(key);
  }

  /**
   * Finds the best path of `key` and leaves its peer and attribute set in
   * `bestPeer` / `bestAttrs` (false: no candidate) — for exports, which
   * mostly need no more than that, without making a Path.
   */
  locateBest(key: PrefixKey): boolean {
    let peer: PeerRef | undefined;
    let attrs: AttrSet | undefined;
    if (typeof key === "number") {
      const s = this.v4;
      const at = s.find(key);
      if (at < 0) return false;
      const v = s.values[at];
      if (v instanceof MultiEntry) {
        const best = this.selected(v)?.best;
        peer = best?.peer;
        attrs = best?.attrs;
      } else {
        peer = s.peerAt(at);
        attrs = v;
      }
    } else {
      const e = this.v6.get(key);
      const best = e instanceof MultiEntry ? this.selected(e)?.best : e;
      peer = best?.peer;
      attrs = best?.attrs;
    }
    this.bestPeer = peer;
    this.bestAttrs = attrs;
    return attrs !== undefined;
  }

  best(key: PrefixKey): Path | undefined {
    return bestOf(this.selectedAt(key));
  }

  /** The ECMP set (contains the best path); empty when the prefix has no candidate. */
  multipath(key: PrefixKey): readonly Path[] {
    const r = this.selectedAt(key);
    if (r === undefined) return [];
    return r instanceof Path ? [r] : r.multipath;
  }

  /** Every candidate of `key`, in no particular order. */
  candidates(key: PrefixKey): readonly Path[] {
    if (typeof key === "number") {
      const s = this.v4;
      const at = s.find(key);
      if (at < 0) return [];
      const v = s.values[at];
      return v instanceof MultiEntry ? v.paths : [this.path4(key, at)];
    }
    const e = this.v6.get(key);
    if (e === undefined) return [];
    return e instanceof MultiEntry ? e.paths : [e];
  }

  /** Every prefix with a candidate (do not add paths while iterating). */
  *keys(): IterableIterator<PrefixKey> {
    const keys = this.v4.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k >= 0) yield k;
    }
    yield* this.v6.keys();
  }

  /** Calls `fn` with every prefix and its best path (the fast way to walk a full table). */
  forEachBest(fn: (key: PrefixKey, best: Path) => void): void {
    this.v4.forEachSlot((at, key) => {
      const v = this.v4.values[at];
      const best = v instanceof MultiEntry ? this.selected(v)?.best : this.path4(key, at);
      if (best !== undefined) fn(key, best);
    });
    for (const [key, e] of this.v6) {
      const best = e instanceof MultiEntry ? this.selected(e)?.best : e;
      if (best !== undefined) fn(key, best);
    }
  }

  /**
   * RFC 4724 §4.2: marks every path from `peer` stale (of one family, or
   * all). Returns how many were not stale before. A walk over the table.
   */
  markStale(peer: PeerRef, afi?: Afi): number {
    let marked = 0;
    const mark = (p: Path): void => {
      if (p.peer === peer && !p.stale) {
        p.stale = true;
        marked++;
      }
    };
    if (afi !== Afi.Ipv6) {
      const s = this.v4;
      s.forEachSlot((at) => {
        const v = s.values[at];
        if (v instanceof MultiEntry) v.paths.forEach(mark);
        else if (s.peerAt(at) === peer && !s.isStale(at)) {
          s.setStale(at, true);
          marked++;
        }
      });
    }
    if (afi !== Afi.Ipv4)
      for (const e of this.v6.values()) e instanceof MultiEntry ? e.paths.forEach(mark) : mark(e);
    return marked;
  }

  /** The routes from `peer` (only the stale ones with `staleOnly`; of one family, or all). A walk over the table. */
  routesOf(peer: PeerRef, staleOnly = false, afi?: Afi): RouteList {
    const out: RouteList = { keys: [], pathIds: [] };
    const take = (key: PrefixKey, p: Path): void => {
      if (p.peer === peer && (!staleOnly || p.stale)) {
        out.keys.push(key);
        out.pathIds.push(p.pathId);
      }
    };
    if (afi !== Afi.Ipv6) {
      const s = this.v4;
      s.forEachSlot((at, key) => {
        const v = s.values[at];
        if (v instanceof MultiEntry) for (const p of v.paths) take(key, p);
        else if (s.peerAt(at) === peer && (!staleOnly || s.isStale(at))) {
          out.keys.push(key);
          out.pathIds.push(s.pathIdAt(at));
        }
      });
    }
    if (afi !== Afi.Ipv4) {
      for (const [key, e] of this.v6) {
        if (e instanceof MultiEntry) for (const p of e.paths) take(key, p);
        else take(key, e);
      }
    }
    return out;
  }

  private upsert4(key: number, pathId: number, peer: PeerRef, attrs: AttrSet): Upsert {
    const s = this.v4;
    const at = s.claim(key);
    const v = s.values[at];
    if (v === undefined) {
      // A new prefix (the bulk of a table load): one probe, no object; path id and stale flag are 0.
      s.values[at] = attrs;
      s.setPeer(at, peer);
      s.setPathId(at, pathId);
      this.pending.setIfAbsent(key, nothingReported);
      return Upsert.Added;
    }
    if (v instanceof MultiEntry) return this.upsertMulti(key, v, pathId, peer, attrs);
    if (s.peerAt(at) === peer && s.pathIdAt(at) === pathId) {
      this.lastAttrs = v;
      this.lastStale = s.isStale(at);
      s.setStale(at, false);
      if (v === attrs) return Upsert.Unchanged;
      if (!this.pending.has(key)) this.pending.set(key, this.path4(key, at));
      s.values[at] = attrs;
      return Upsert.Replaced;
    }
    // A second candidate: the slot's path becomes an object.
    const first = this.path4(key, at);
    if (!this.pending.has(key)) this.pending.set(key, first);
    s.values[at] = new MultiEntry([first, new Path(key, pathId, peer, attrs)]);
    s.setPeer(at, undefined);
    s.setStale(at, false);
    return Upsert.Added;
  }

  private upsert6(key: string, pathId: number, peer: PeerRef, attrs: AttrSet): Upsert {
    const e = this.v6.get(key);
    if (e === undefined) {
      this.v6.set(key, new Path(key, pathId, peer, attrs));
      this.pending.setIfAbsent(key, nothingReported);
      return Upsert.Added;
    }
    if (e instanceof MultiEntry) return this.upsertMulti(key, e, pathId, peer, attrs);
    if (e.peer === peer && e.pathId === pathId) {
      this.lastAttrs = e.attrs;
      this.lastStale = e.stale;
      if (e.attrs === attrs) {
        e.stale = false;
        return Upsert.Unchanged;
      }
      if (!this.pending.has(key)) this.pending.set(key, e);
      this.v6.set(key, new Path(key, pathId, peer, attrs));
      return Upsert.Replaced;
    }
    if (!this.pending.has(key)) this.pending.set(key, e);
    this.v6.set(key, new MultiEntry([e, new Path(key, pathId, peer, attrs)]));
    return Upsert.Added;
  }

  private upsertMulti(key: PrefixKey, m: MultiEntry, pathId: number, peer: PeerRef, attrs: AttrSet): Upsert {
    const paths = m.paths;
    const i = indexIn(paths, peer, pathId);
    if (i >= 0) {
      const old = paths[i]!;
      this.lastAttrs = old.attrs;
      this.lastStale = old.stale;
      if (old.attrs === attrs) {
        old.stale = false;
        return Upsert.Unchanged;
      }
    }
    if (!this.pending.has(key)) this.pending.set(key, this.selected(m) ?? nothingReported);
    const next = new Path(key, pathId, peer, attrs);
    if (i >= 0) paths[i] = next;
    else paths.push(next);
    m.selection = undefined;
    return i >= 0 ? Upsert.Replaced : Upsert.Added;
  }

  private remove4(peer: PeerRef, key: number, pathId: number, staleOnly: boolean): boolean {
    const s = this.v4;
    const at = s.find(key);
    if (at < 0) return false;
    const v = s.values[at];
    if (!(v instanceof MultiEntry)) {
      if (s.peerAt(at) !== peer || s.pathIdAt(at) !== pathId || (staleOnly && !s.isStale(at))) return false;
      // One probe (a peer's teardown passes here a million times): already pending keeps its report.
      const reported = this.pending.swap(key, this.path4(key, at));
      if (reported !== undefined) this.pending.set(key, reported);
      this.lastAttrs = v;
      this.lastStale = s.isStale(at);
      s.free(at);
      return true;
    }
    if (!this.removeMulti(key, v, peer, pathId, staleOnly)) return false;
    if (v.paths.length === 1) {
      // One candidate left: back to a plain slot.
      const last = v.paths[0]!;
      s.values[at] = last.attrs;
      s.setPeer(at, last.peer);
      s.setPathId(at, last.pathId);
      s.setStale(at, last.stale);
    }
    return true;
  }

  private remove6(peer: PeerRef, key: string, pathId: number, staleOnly: boolean): boolean {
    const e = this.v6.get(key);
    if (e === undefined) return false;
    if (!(e instanceof MultiEntry)) {
      if (e.peer !== peer || e.pathId !== pathId || (staleOnly && !e.stale)) return false;
      if (!this.pending.has(key)) this.pending.set(key, e);
      this.lastAttrs = e.attrs;
      this.lastStale = e.stale;
      this.v6.delete(key);
      return true;
    }
    if (!this.removeMulti(key, e, peer, pathId, staleOnly)) return false;
    if (e.paths.length === 1) this.v6.set(key, e.paths[0]!);
    return true;
  }

  /** Removes the (peer, path id) candidate from a MultiEntry; false when it has none. */
  private removeMulti(
    key: PrefixKey,
    m: MultiEntry,
    peer: PeerRef,
    pathId: number,
    staleOnly: boolean,
  ): boolean {
    const paths = m.paths;
    const i = indexIn(paths, peer, pathId);
    if (i < 0 || (staleOnly && !paths[i]!.stale)) return false;
    if (!this.pending.has(key)) this.pending.set(key, this.selected(m) ?? nothingReported);
    const old = paths[i]!;
    this.lastAttrs = old.attrs;
    this.lastStale = old.stale;
    paths[i] = paths[paths.length - 1]!;
    paths.pop();
    m.selection = undefined;
    return true;
  }

  /** The Path of a single-candidate IPv4 slot, made on request. */
  private path4(key: number, at: number): Path {
    const s = this.v4;
    const p = new Path(key, s.pathIdAt(at), s.peerAt(at)!, s.values[at] as AttrSet);
    p.stale = s.isStale(at);
    return p;
  }

  private selectedAt(key: PrefixKey): Reported {
    if (typeof key === "number") {
      const at = this.v4.find(key);
      if (at < 0) return undefined;
      const v = this.v4.values[at];
      return v instanceof MultiEntry ? this.selected(v) : this.path4(key, at);
    }
    const e = this.v6.get(key);
    return e instanceof MultiEntry ? this.selected(e) : e;
  }

  /** The selection of a MultiEntry's candidates (computed once and kept). */
  private selected(m: MultiEntry): Selection | undefined {
    m.selection ??= selectBest(m.paths, this.opts);
    return m.selection;
  }
}
