/**
 * Exports: what one update group is to be sent for one prefix, from the
 * Loc-RIB, into the group's Adj-RIB-Out. RFC 4271 §9.2 (update-send),
 * RFC 7911 (ADD-PATH: every candidate, best first), RFC 4456 (reflection).
 *
 *     Loc-RIB best (or every candidate with ADD-PATH) ─> exportPath (split horizon,
 *        iBGP rules, reflection, policy) ─> rewriteForExport ─> intern ─> AdjRibOut.setPaths
 *
 * The rewritten attribute set of an accepted path is cached per group and
 * source attribute set, so a full table costs one rewrite per attribute set,
 * not one per prefix; a route reflected unchanged also carries its outgoing
 * octets (export-rewrite.ts), so it is never encoded again.
 */
import { type OutPath, sourceOf } from "../rib/adj-rib-out.js";
import type { AttrInterner } from "../rib/attr-intern.js";
import type { AttrSet } from "../rib/attr-set.js";
import { comparePaths, type DecisionOptions } from "../rib/decision.js";
import type { LocRib } from "../rib/loc-rib.js";
import type { Path, PeerRef } from "../rib/path.js";
import { acceptAllExport, type ExportRules, exportPath } from "../rib/policy.js";
import { afiOfKey, type PrefixKey } from "../rib/prefix-key.js";
import { reflectionRule } from "../rib/reflection.js";
import type { UpdateGroup } from "../rib/update-group.js";
import { type RewriteTarget, reflectedWire, rewriteForExport } from "./export-rewrite.js";

export interface GroupExporterOptions {
  readonly locRib: LocRib;
  readonly interner: AttrInterner;
  readonly decision: DecisionOptions;
  readonly localAs: number;
  /** Set when we are a route reflector (RFC 4456). */
  readonly clusterId?: string | undefined;
}

/** A group exporting many prefixes in a row (GroupExporter.run). */
export interface ExportRun {
  readonly g: UpdateGroup;
  readonly cacheable: boolean;
  lastPeer: PeerRef | undefined;
  lastAttrs: AttrSet | undefined;
  lastResult: AttrSet | null;
}

export class GroupExporter {
  readonly #locRib: LocRib;
  readonly #interner: AttrInterner;
  readonly #decision: DecisionOptions;
  readonly #opts: GroupExporterOptions;
  readonly #rules = new WeakMap<UpdateGroup, ExportRules>();
  /** Scratch list of policy-made attribute sets to release after an export (no array per prefix). */
  readonly #owned: AttrSet[] = [];

  constructor(opts: GroupExporterOptions) {
    this.#opts = opts;
    this.#locRib = opts.locRib;
    this.#interner = opts.interner;
    this.#decision = opts.decision;
  }

  /** Brings the group's desired state for `key` up to date with the Loc-RIB. */
  exportTo(g: UpdateGroup, key: PrefixKey): void {
    this.exportIn(this.run(g), key);
  }

  /**
   * What stays the same while one group exports many prefixes in a row: its
   * rules, and the last (source peer, attribute set) -> result, which a
   * table load repeats for thousands of prefixes. Valid while the group's
   * members and caches do not change (one settle or feed step).
   */
  run(g: UpdateGroup): ExportRun {
    return { g, cacheable: this.#cacheable(g), lastPeer: undefined, lastAttrs: undefined, lastResult: null };
  }

  /** `exportTo` within a run. */
  exportIn(run: ExportRun, key: PrefixKey): void {
    const g = run.g;
    const rib = g.outs.get(afiOfKey(key));
    if (rib === undefined) return;
    if (!rib.addPath) {
      // The common case without ADD-PATH: the best path only, no arrays per prefix.
      const loc = this.#locRib;
      if (run.cacheable) {
        // The decision is a function of (source peer, attribute set): a cache hit needs no Path.
        if (!loc.locateBest(key)) {
          rib.withdraw(key); // nothing queued when the peers do not have it
          return;
        }
        const peer = loc.bestPeer!;
        const attrs = loc.bestAttrs!;
        let hit: AttrSet | null | undefined;
        if (peer === run.lastPeer && attrs === run.lastAttrs) hit = run.lastResult;
        else hit = g.exportCache.get(peer.id)?.get(attrs);
        if (hit !== undefined) {
          run.lastPeer = peer;
          run.lastAttrs = attrs;
          run.lastResult = hit;
          if (hit === null) rib.withdraw(key);
          else rib.advertise(key, hit);
          return;
        }
      }
      const best = loc.best(key);
      const owned = this.#owned;
      const attrs = best === undefined ? null : this.#exportAttrs(g, best, owned);
      if (attrs === null)
        rib.withdraw(key); // nothing queued when the peers do not have it
      else rib.advertise(key, attrs); // takes its own reference
      if (owned.length > 0) {
        for (const set of owned) this.#interner.release(set);
        owned.length = 0;
      }
      return;
    }
    const candidates = this.#locRib.candidates(key);
    const paths =
      candidates.length <= 1
        ? candidates
        : [...candidates].sort((a, b) => comparePaths(a, b, this.#decision));
    if (paths.length === 0) {
      rib.withdraw(key); // nothing queued when the peers do not have it
      return;
    }
    const out: OutPath[] = [];
    const owned: AttrSet[] = [];
    for (const path of paths) {
      const attrs = this.#exportAttrs(g, path, owned);
      if (attrs !== null) out.push({ source: sourceOf(path), attrs });
    }
    rib.setPaths(key, out); // takes its own references
    for (const set of owned) this.#interner.release(set);
  }

  /**
   * The attributes `path` is sent to the group with, or null when it is not
   * sent. Whether it is sent is decided per path (split horizon, iBGP rules
   * and policy depend on where it came from); the rewritten attributes are
   * cached per group, source peer and source attribute set (the cache holds one
   * reference each). A policy's modified attributes are not cached: their
   * reference is pushed on `owned` for the caller to release.
   */
  #exportAttrs(g: UpdateGroup, path: Path, owned: AttrSet[]): AttrSet | null {
    const decision = exportPath(path, g.ref, this.#rulesOf(g));
    if (decision.action === "reject") {
      // Without a policy of its own the rejection holds for every prefix with these attributes.
      if (this.#cacheable(g)) this.#cacheOf(g, path.peer.id).set(path.attrs, null);
      return null;
    }
    const afi = afiOfKey(path.prefix);
    if (decision.action === "modify") {
      const rewritten = rewriteForExport(this.#target(g), path, decision.attrs, afi);
      if (rewritten === null) return null;
      const set = this.#interner.intern(rewritten);
      owned.push(set);
      return set;
    }
    const cache = this.#cacheOf(g, path.peer.id);
    const hit = cache.get(path.attrs);
    if (hit !== undefined) return hit;
    const target = this.#target(g);
    const rewritten = rewriteForExport(target, path, path.attrs.attrs, afi);
    let set: AttrSet | null = null;
    if (rewritten !== null) {
      const wire = reflectedWire(target, path);
      set =
        wire === undefined
          ? this.#interner.intern(rewritten)
          : this.#interner.intern(rewritten, {
              raw: wire,
              rawFourOctetAs: path.attrs.rawFourOctetAs,
              wire: true,
            });
    }
    cache.set(path.attrs, set);
    return set;
  }

  #target(g: UpdateGroup): RewriteTarget {
    return {
      to: g.ref,
      localIpv4: g.settings.localIpv4,
      localIpv6: g.settings.localIpv6,
      localAs: this.#opts.localAs,
      clusterId: this.#opts.clusterId,
    };
  }

  /** The group's cache of export results for routes from peer `id` (source attribute set -> sent set, or null). */
  #cacheOf(g: UpdateGroup, id: number): Map<AttrSet, AttrSet | null> {
    let cache = g.exportCache.get(id);
    if (cache === undefined) {
      cache = new Map();
      g.exportCache.set(id, cache);
    }
    return cache;
  }

  /** No export policy but accept-all: whether a path is sent depends on its peer and attributes only. */
  #cacheable(g: UpdateGroup): boolean {
    const policy = this.#rulesOf(g).policy;
    return policy === undefined || policy === acceptAllExport;
  }

  #rulesOf(g: UpdateGroup): ExportRules {
    let rules = this.#rules.get(g);
    if (rules === undefined) {
      const policy = g.settings.exportPolicy;
      rules = {
        ...(policy === undefined ? {} : { policy }),
        ...(this.#opts.clusterId === undefined ? {} : { reflection: reflectionRule }),
      };
      this.#rules.set(g, rules);
    }
    return rules;
  }
}
