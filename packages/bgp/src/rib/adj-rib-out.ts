/**
 * Adj-RIB-Out for one family of one peer, or of one update group (peers with
 * the same export policy and the same negotiated codec context, which then
 * share every encoded UPDATE). RFC 4271 §3.2, §9.2 (update-send); RFC 7911
 * (ADD-PATH send); RFC 4724 §2 (End-of-RIB); RFC 2918 (route refresh).
 *
 *     advertise / withdraw / setPaths ──> pending (desired state per prefix; a later call wins)
 *     flush() ──> diff pending vs. advertised per prefix
 *                 ├─ withdrawals ───────────────> packWithdrawals ─┐
 *                 └─ announcements grouped by AttrSet ─> packUpdates ┴─> UPDATE octets
 *                 (+ End-of-RIB once the initial table is out)
 *
 * One flush gathers into an OutBatch (out-batch.ts); the ADD-PATH send
 * state (sources, slots, path identifiers) is in out-paths.ts.
 *
 * COALESCING: only the final desired state of a prefix at flush time is
 * compared with what the peer has; announce + change + withdraw of a new
 * prefix before a flush sends nothing. PACKING: prefixes whose desired
 * AttrSet is the same object (interning makes equal attributes one object)
 * share UPDATEs, filled up to the negotiated maximum by the codec.
 *
 * ADD-PATH (when ctx.addPathSend holds the family): `setPaths` gives every
 * path to send, best first, each named by its SOURCE (`sourceOf`: peer id
 * and received path id). A source keeps its local path identifier for as long
 * as it stays advertised, whatever else comes and goes. By default
 * identifiers are allocated per prefix (lowest free, from 1) and freed on
 * withdraw; with `pathIdOf` they are a pure function of the source instead,
 * so that several Adj-RIB-Outs built at different times (an update group and
 * a late joiner catching up, update-group.ts) agree on every identifier.
 * Without ADD-PATH only the first (best) path is sent.
 *
 * A withdrawal of a prefix the peer does not have and has nothing pending
 * for is no change at all: nothing is queued (a full table received from
 * one peer queues nothing toward that peer).
 */
import {
  type Afi,
  type CodecContext,
  encodeUpdate,
  endOfRib,
  familyKey,
  type NlriList,
  packWithdrawals,
  pathIdAt,
  Safi,
} from "../wire/index.js";
import type { AttrInterner } from "./attr-intern.js";
import type { AttrSet } from "./attr-set.js";
import { OutBatch, packAnnouncements } from "./out-batch.js";
import { freeId, type OutPath, Slot } from "./out-paths.js";
import { keyAt, type PrefixKey } from "./prefix-key.js";
import { PrefixMap } from "./prefix-map.js";

export { type OutPath, sourceOf } from "./out-paths.js";

export interface AdjRibOutOptions {
  readonly afi: Afi;
  /** The negotiated context (ADD-PATH send, extended messages, 4-octet AS). */
  readonly ctx: CodecContext;
  readonly interner: AttrInterner;
  /** ADD-PATH: send at most this many paths per prefix (the first ones given). Default: all. */
  readonly maxPaths?: number;
  /** ADD-PATH: the path identifier of a source (deterministic). Default: lowest free per prefix. */
  readonly pathIdOf?: (source: number) => number;
}

export interface FlushOptions {
  /** Take at most this many pending prefixes now (the rest stay pending), to bound one call's work. */
  readonly maxPrefixes?: number;
}

export interface FlushResult {
  /** UPDATE messages, withdrawals first, End-of-RIB last when due. */
  readonly messages: Uint8Array[];
  /** Paths announced (new or changed) and withdrawn. */
  readonly announced: number;
  readonly withdrawn: number;
  /** Prefixes whose attributes could not be encoded for this peer: withdrawn instead. */
  readonly failed: PrefixKey[];
}

/** Desired state: an AttrSet or null (withdraw) without ADD-PATH, a path list with it. */
type Desired = AttrSet | null | readonly OutPath[];
type Advertised = AttrSet | Slot[];

export class AdjRibOut {
  readonly afi: Afi;
  readonly addPath: boolean;
  private readonly ctx: CodecContext;
  private readonly interner: AttrInterner;
  private readonly maxPaths: number;
  private readonly pathIdOf: ((source: number) => number) | undefined;
  private readonly advertised = new PrefixMap<Advertised>();
  private readonly pending = new PrefixMap<Desired>({ keepCapacity: true });
  /** Pending keys in the order they first changed (flushes are FIFO, so none starves). */
  private order: PrefixKey[] = [];
  private orderHead = 0;
  private eorDue = false;
  /** UPDATE messages this Adj-RIB-Out has encoded (each written to every member of its group). */
  encoded = 0;

  constructor(opts: AdjRibOutOptions) {
    this.afi = opts.afi;
    this.ctx = opts.ctx;
    this.interner = opts.interner;
    this.addPath = opts.ctx.addPathSend.has(familyKey(opts.afi, Safi.Unicast));
    this.maxPaths = opts.maxPaths ?? Number.POSITIVE_INFINITY;
    this.pathIdOf = opts.pathIdOf;
  }

  /** Prefixes the peer has (as of the last flush). */
  get size(): number {
    return this.advertised.size;
  }

  /** Prefixes with a change not flushed yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Desired: send `prefix` with `attrs` (a reference is taken). */
  advertise(prefix: PrefixKey, attrs: AttrSet): void {
    if (this.addPath) {
      this.setPaths(prefix, [{ source: 0, attrs }]);
      return;
    }
    this.interner.retain(attrs);
    this.setPending(prefix, attrs);
  }

  /** Desired: the peer should not have `prefix` (any path of it). */
  withdraw(prefix: PrefixKey): void {
    this.setPending(prefix, this.addPath ? [] : null);
  }

  /**
   * Desired: exactly these paths for `prefix`, best first (empty: withdraw).
   * Without ADD-PATH only the first is sent; a repeated source counts once.
   */
  setPaths(prefix: PrefixKey, paths: readonly OutPath[]): void {
    if (!this.addPath) {
      if (paths.length === 0) this.withdraw(prefix);
      else this.advertise(prefix, paths[0]!.attrs);
      return;
    }
    const kept: OutPath[] = [];
    for (const p of paths) {
      if (kept.length >= this.maxPaths) break;
      if (kept.some((k) => k.source === p.source)) continue;
      this.interner.retain(p.attrs);
      kept.push(p);
    }
    this.setPending(prefix, kept);
  }

  /** The initial table has been handed over: End-of-RIB follows once all of it is flushed. */
  queueEndOfRib(): void {
    this.eorDue = true;
  }

  /** End-of-RIB is queued and not sent yet. */
  get endOfRibDue(): boolean {
    return this.eorDue;
  }

  /** The End-of-RIB UPDATE of this family (RFC 4724 §2). */
  endOfRibMessage(): Uint8Array {
    return encodeUpdate(endOfRib(this.afi, Safi.Unicast), this.ctx);
  }

  /** Sends what changed since the last flush. */
  flush(opts: FlushOptions = {}): FlushResult {
    return this.run(false, opts.maxPrefixes ?? Number.POSITIVE_INFINITY);
  }

  /**
   * Route refresh (RFC 2918 §4): pending changes are applied, then the whole
   * advertised table is sent again (plus End-of-RIB when one is due).
   */
  snapshot(): FlushResult {
    return this.run(true, Number.POSITIVE_INFINITY);
  }

  /** The prefixes the peer has (as of the last flush), e.g. to re-send them in slices. */
  advertisedKeys(): PrefixKey[] {
    const keys: PrefixKey[] = [];
    this.advertised.forEach((_a, key) => {
      keys.push(key);
    });
    return keys;
  }

  /**
   * UPDATEs announcing what the peer has NOW for `keys[from..to)` (keys no
   * longer advertised are skipped). Pending changes are left alone: a route
   * refresh for one member of a group goes to that member only, while the
   * pending changes still go to every member at the next flush.
   */
  encodeAdvertised(keys: readonly PrefixKey[], from = 0, to = keys.length): Uint8Array[] {
    const batch = new OutBatch(this.afi);
    for (let i = from; i < to; i++) {
      const key = keys[i]!;
      const a = this.advertised.get(key);
      if (a === undefined) continue;
      if (Array.isArray(a)) for (const s of a) batch.group(s.attrs).push(key, s.id);
      else batch.group(a).push(key, 0);
    }
    const messages: Uint8Array[] = [];
    for (const [attrs, nlri] of batch.groups) {
      try {
        for (const m of packAnnouncements(attrs, nlri.list(this.addPath), this.ctx)) messages.push(m);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // advertised sets were encodable once; skip defensively
      }
    }
    this.encoded += messages.length;
    return messages;
  }

  /** What the peer has for `prefix` after the last flush: [path id, attrs] pairs (id 0 without ADD-PATH). */
  advertisedPaths(prefix: PrefixKey): readonly { readonly id: number; readonly attrs: AttrSet }[] {
    const a = this.advertised.get(prefix);
    if (a === undefined) return [];
    return Array.isArray(a) ? a.map((s) => ({ id: s.id, attrs: s.attrs })) : [{ id: 0, attrs: a }];
  }

  /** Every advertised path (as of the last flush): prefix, path id (0 without ADD-PATH), attributes. */
  forEachAdvertised(fn: (prefix: PrefixKey, id: number, attrs: AttrSet) => void): void {
    this.advertised.forEach((a, key) => {
      if (Array.isArray(a)) for (const s of a) fn(key, s.id, s.attrs);
      else fn(key, 0, a);
    });
  }

  /** The session is gone: forget everything (references are released). */
  clear(): void {
    for (const d of this.pending.values()) this.releaseDesired(d);
    for (const a of this.advertised.values()) {
      if (Array.isArray(a)) for (const s of a) this.interner.release(s.attrs);
      else this.interner.release(a);
    }
    this.pending.clear();
    this.order = [];
    this.orderHead = 0;
    this.advertised.clear();
    this.eorDue = false;
  }

  private setPending(prefix: PrefixKey, desired: Desired): void {
    if ((desired === null || (desired as readonly OutPath[]).length === 0) && !this.advertised.has(prefix)) {
      // Nothing to withdraw: drop what was pending (its key may stay in `order`; run() skips it).
      const before = this.pending.take(prefix);
      if (before !== undefined) this.releaseDesired(before);
      return;
    }
    if (this.pending.setIfAbsent(prefix, desired)) {
      this.order.push(prefix);
      return;
    }
    const before = this.pending.get(prefix);
    if (before !== undefined) this.releaseDesired(before);
    this.pending.set(prefix, desired);
  }

  private releaseDesired(d: Desired): void {
    if (d === null) return;
    if (Array.isArray(d)) for (const p of d as readonly OutPath[]) this.interner.release(p.attrs);
    else this.interner.release(d as AttrSet);
  }

  private run(full: boolean, maxPrefixes: number): FlushResult {
    const batch = new OutBatch(this.afi);
    const announce = !full;
    const order = this.order;
    let head = this.orderHead;
    for (let taken = 0; head < order.length && taken < maxPrefixes; taken++) {
      const key = order[head++]!;
      const desired = this.pending.take(key);
      if (desired === undefined) continue;
      if (this.addPath) this.diffPaths(key, desired as readonly OutPath[], batch, announce);
      else this.diffSingle(key, desired as AttrSet | null, batch, announce);
    }
    if (head === order.length) {
      this.order = [];
      this.orderHead = 0;
    } else this.orderHead = head;
    if (full) {
      this.advertised.forEach((a, key) => {
        if (Array.isArray(a)) for (const s of a) batch.group(s.attrs).push(key, s.id);
        else batch.group(a).push(key, 0);
        batch.announced += Array.isArray(a) ? a.length : 1;
      });
    }
    const announcements: Uint8Array[] = [];
    const failed: PrefixKey[] = [];
    for (const [attrs, nlri] of batch.groups) {
      const list = nlri.list(this.addPath);
      try {
        for (const m of packAnnouncements(attrs, list, this.ctx)) announcements.push(m);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.unsendable(list, batch, failed);
      }
    }
    const messages = packWithdrawals(batch.withdrawals.list(this.addPath), this.ctx);
    for (const m of announcements) messages.push(m);
    if (this.eorDue && this.pending.size === 0) {
      messages.push(this.endOfRibMessage());
      this.eorDue = false;
    }
    this.encoded += messages.length;
    return {
      messages,
      announced: batch.announced - failed.length,
      withdrawn: batch.withdrawals.count,
      failed,
    };
  }

  private diffSingle(key: PrefixKey, desired: AttrSet | null, batch: OutBatch, announce: boolean): void {
    if (desired === null) {
      const current = this.advertised.take(key) as AttrSet | undefined;
      if (current === undefined) return;
      this.interner.release(current);
      batch.withdrawals.push(key, 0);
      return;
    }
    // One probe: store the desired set, get back what was advertised.
    const current = this.advertised.swap(key, desired) as AttrSet | undefined;
    if (desired === current) {
      this.interner.release(desired); // the pending reference; the advertised one stays
      return;
    }
    if (current !== undefined) this.interner.release(current);
    if (announce) {
      batch.group(desired).push(key, 0);
      batch.announced++;
    }
  }

  private diffPaths(key: PrefixKey, desired: readonly OutPath[], batch: OutBatch, announce: boolean): void {
    const slots = (this.advertised.get(key) as Slot[] | undefined) ?? [];
    const kept: Slot[] = [];
    const freed: number[] = [];
    for (const s of slots) {
      if (desired.some((d) => d.source === s.source)) kept.push(s);
      else {
        batch.withdrawals.push(key, s.id);
        this.interner.release(s.attrs);
        freed.push(s.id);
      }
    }
    for (const d of desired) {
      let slot = kept.find((s) => s.source === d.source);
      if (slot !== undefined) {
        if (slot.attrs === d.attrs) {
          this.interner.release(d.attrs);
          continue;
        }
        this.interner.release(slot.attrs);
        slot.attrs = d.attrs;
      } else {
        const id = this.pathIdOf === undefined ? freeId(kept, freed) : this.pathIdOf(d.source);
        slot = new Slot(d.source, id, d.attrs);
        kept.push(slot);
      }
      if (announce) {
        batch.group(d.attrs).push(key, slot.id);
        batch.announced++;
      }
    }
    if (kept.length === 0) this.advertised.delete(key);
    else this.advertised.set(key, kept);
  }

  /** A group that cannot be encoded: those paths are withdrawn and forgotten. */
  private unsendable(list: NlriList, batch: OutBatch, failed: PrefixKey[]): void {
    for (let i = 0; i < list.count; i++) {
      const key = keyAt(list, i);
      const id = pathIdAt(list, i);
      failed.push(key);
      batch.withdrawals.push(key, id);
      const a = this.advertised.get(key);
      if (a === undefined) continue;
      if (!Array.isArray(a)) {
        this.interner.release(a);
        this.advertised.delete(key);
        continue;
      }
      const at = a.findIndex((s) => s.id === id);
      if (at < 0) continue;
      this.interner.release(a[at]!.attrs);
      a.splice(at, 1);
      if (a.length === 0) this.advertised.delete(key);
    }
  }
}
