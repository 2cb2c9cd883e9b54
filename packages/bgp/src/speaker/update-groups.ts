/**
 * The update groups of a speaker (rib/update-group.ts says what a group is):
 * which group a peer that comes up is put in, how its table is fed to it in
 * slices, how a catching-up group hands its member over to the shared group
 * once both are in step, and the flush of every group.
 *
 *     add(peer) ─> no shared group with its key: a new shared group
 *                  else: a private group, fed the Loc-RIB a slice per flush
 *     flush ─> per group: feed a slice, flush a slice (one encoding, every member)
 *              then (nothing left to settle) private groups in step join their shared group
 */
import { AdjRibOut } from "../rib/adj-rib-out.js";
import type { AttrInterner } from "../rib/attr-intern.js";
import type { LocRib } from "../rib/loc-rib.js";
import type { PrefixKey } from "../rib/prefix-key.js";
import { type GroupSettings, groupKey, PathIds, PolicyIds, UpdateGroup } from "../rib/update-group.js";
import { Afi, familyKey, Safi } from "../wire/index.js";
import type { GroupExporter } from "./group-export.js";

/** UPDATE octets of one group, to be written to each member. */
export interface GroupFlush {
  readonly group: number;
  readonly members: readonly number[];
  readonly messages: readonly Uint8Array[];
}

/** What `status()` tells about one update group. */
export interface UpdateGroupStatus {
  readonly id: number;
  /** Peer ids. */
  readonly members: readonly number[];
  /** Registered for others to join (false: a member still catching up). */
  readonly shared: boolean;
  /** Prefixes advertised (all families). */
  readonly prefixes: number;
  /** UPDATE messages encoded (each written to every member). */
  readonly encoded: number;
}

export interface UpdateGroupsOptions {
  readonly locRib: LocRib;
  readonly interner: AttrInterner;
  readonly exporter: GroupExporter;
}

export class UpdateGroups {
  readonly #opts: UpdateGroupsOptions;
  /** Shared groups by key. */
  readonly #shared = new Map<string, UpdateGroup>();
  /** Every live group (shared and catching up). */
  readonly #all = new Set<UpdateGroup>();
  readonly #policyIds = new PolicyIds();
  readonly #pathIds = new PathIds();
  #nextId = 1;

  constructor(opts: UpdateGroupsOptions) {
    this.#opts = opts;
  }

  /**
   * A group for a peer that came up (`settings.ref.id`), fed the whole
   * Loc-RIB by the next flushes; End-of-RIB follows unless `deferEndOfRib`.
   */
  add(settings: GroupSettings, deferEndOfRib: boolean): UpdateGroup {
    const key = groupKey(settings, this.#policyIds);
    const group = new UpdateGroup(this.#nextId++, key, settings);
    for (const afi of [Afi.Ipv4, Afi.Ipv6]) {
      if (!settings.families.includes(familyKey(afi, Safi.Unicast))) continue;
      group.outs.set(
        afi,
        new AdjRibOut({
          afi,
          ctx: settings.ctx,
          interner: this.#opts.interner,
          pathIdOf: this.#pathIds.idOf,
          ...(settings.maxPaths === undefined ? {} : { maxPaths: settings.maxPaths }),
        }),
      );
    }
    group.endOfRibWanted = !deferEndOfRib;
    group.feed = [...this.#opts.locRib.keys()];
    if (group.feed.length === 0) group.feedDone();
    if (!this.#shared.has(key)) {
      group.shared = true;
      this.#shared.set(key, group);
    }
    group.members.add(settings.ref.id);
    this.#all.add(group);
    return group;
  }

  /** A member leaves; the last one out ends the group. */
  leave(g: UpdateGroup, id: number): void {
    g.members.delete(id);
    if (g.members.size === 0) this.#drop(g);
  }

  /** The peer is gone for good: its path identifiers are no longer needed. */
  forgetPeer(id: number): void {
    this.#pathIds.forgetPeer(id);
    for (const g of this.#all) g.forgetSource(id, this.#opts.interner);
  }

  /** For prefixes that changed in the Loc-RIB: makes every group's desired state follow (groups as of now). */
  exporter(): (key: PrefixKey) => void {
    const exporter = this.#opts.exporter;
    const runs = [...this.#all].filter((g) => g.outs.size > 0).map((g) => exporter.run(g));
    return (key) => {
      for (const run of runs) exporter.exportIn(run, key);
    };
  }

  /** RFC 4724 §4.1 selection deferral is over. */
  releaseEndOfRib(): void {
    for (const g of this.#all) g.releaseEndOfRib();
  }

  /**
   * Per group: export the next slice of its initial table, flush at most
   * `maxPrefixes` prefixes per family. With `settled`, groups in step join
   * their shared group (`moved` is told of each member that moves).
   */
  flush(maxPrefixes: number, settled: boolean, moved: (id: number, to: UpdateGroup) => void): GroupFlush[] {
    const result: GroupFlush[] = [];
    for (const g of this.#all) {
      if (g.feed !== undefined) this.#feed(g, maxPrefixes);
      const messages: Uint8Array[] = [];
      for (const rib of g.outs.values())
        for (const m of rib.flush({ maxPrefixes }).messages) messages.push(m);
      if (messages.length > 0) result.push({ group: g.id, members: [...g.members], messages });
    }
    if (settled) this.#join(moved);
    return result;
  }

  /** Some group has a table to feed, prefixes pending or End-of-RIB due. */
  get busy(): boolean {
    for (const g of this.#all) if (!g.idle) return true;
    return false;
  }

  status(): UpdateGroupStatus[] {
    return [...this.#all].map((g) => ({
      id: g.id,
      members: [...g.members],
      shared: g.shared,
      prefixes: g.size,
      encoded: g.encoded,
    }));
  }

  #drop(g: UpdateGroup): void {
    g.members.clear();
    g.clear(this.#opts.interner);
    this.#all.delete(g);
    if (this.#shared.get(g.key) === g) this.#shared.delete(g.key);
  }

  /** Catching-up groups in step with their shared group hand their members over. */
  #join(moved: (id: number, to: UpdateGroup) => void): void {
    for (const g of this.#all) {
      if (g.shared) continue;
      const shared = this.#shared.get(g.key);
      if (shared === undefined) {
        g.shared = true;
        this.#shared.set(g.key, g);
        continue;
      }
      if (!g.inStep(shared)) continue;
      for (const id of g.members) {
        shared.members.add(id);
        moved(id, shared);
      }
      this.#drop(g);
    }
  }

  #feed(g: UpdateGroup, maxPrefixes: number): void {
    const feed = g.feed!;
    const end = Math.min(feed.length, g.feedAt + maxPrefixes);
    const exporter = this.#opts.exporter;
    const run = exporter.run(g);
    for (let i = g.feedAt; i < end; i++) exporter.exportIn(run, feed[i]!);
    g.feedAt = end;
    if (end === feed.length) g.feedDone();
  }
}
