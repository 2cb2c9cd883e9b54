/**
 * Loc-RIB: per prefix, the candidate paths from every Adj-RIB-In (and the
 * local pseudo-peer's locally originated routes), the best path and the
 * multipath (ECMP) set. RFC 4271 §3.2, §9.1.2 (phase 2, decision.ts).
 *
 *     Adj-RIB-In ──pathChanged(old, new)──> candidates edited, prefix marked pending
 *     caller     ──update(key)─────────────> selection re-run for that prefix,
 *                                            LocRibChange flags vs. the last report
 *
 * Built for 1,000,000 prefixes with mostly one candidate each: the map value
 * for a prefix with ONE candidate is that Path itself (no per-prefix object
 * besides it); only prefixes with several candidates get a `MultiEntry`
 * (candidates + selection). Selection is a linear pass over one prefix's
 * candidates; nothing is ever sorted. Between a change and its `update`,
 * a side table (`pending`) remembers what was last reported for the prefix,
 * so several changes to one prefix collapse into one report (announce +
 * withdraw before `update` reports nothing). Neither table allocates per
 * prefix (prefix-map.ts): a full-table load is bound by garbage collection,
 * so the Path is the only object made per prefix.
 */
import type { PathSink } from "./adj-rib-in.js";
import { type DecisionOptions, defaultDecisionOptions, type Selection, selectBest } from "./decision.js";
import { Path } from "./path.js";
import type { PrefixKey } from "./prefix-key.js";
import { PrefixMap } from "./prefix-map.js";

/** Bit flags returned by `LocRib.update`. */
export const LocRibChange = {
  None: 0,
  /** The best path is a different Path (appeared, replaced or gone). */
  Best: 1,
  /** The multipath set has different members. */
  Multipath: 2,
  /** No candidate is left: the prefix left the Loc-RIB. */
  Gone: 4,
} as const;
export type LocRibChange = number;

class MultiEntry {
  readonly paths: Path[];
  /** undefined until selection has run for the current candidates. */
  selection: Selection | undefined;
  constructor(paths: Path[]) {
    this.paths = paths;
    this.selection = undefined;
  }
}

type Entry = Path | MultiEntry;
/** What was last reported: a single Path means best = multipath = that path. */
type Reported = Path | Selection | undefined;
/** Stands for "nothing was reported" in the pending table (which cannot hold undefined). */
const nothingReported: Selection = Object.freeze({ best: undefined as unknown as Path, multipath: [] });

function bestOf(r: Reported): Path | undefined {
  return r === undefined || r instanceof Path ? r : r.best;
}

function inMultipath(r: Reported, p: Path): boolean {
  if (r === undefined) return false;
  return r instanceof Path ? r === p : r.multipath.includes(p);
}

function multipathSize(r: Reported): number {
  if (r === undefined) return 0;
  return r instanceof Path ? 1 : r.multipath.length;
}

/** Same members, no allocation (the common case is one path on each side). */
function sameMultipath(a: Reported, b: Reported): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || multipathSize(a) !== multipathSize(b)) return false;
  if (a instanceof Path) return inMultipath(b, a);
  for (const p of a.multipath) if (!inMultipath(b, p)) return false;
  return true;
}

export class LocRib implements PathSink {
  private readonly entries = new PrefixMap<Entry>();
  /** Prefixes changed since their last report -> what that report said. */
  private readonly pending = new PrefixMap<Path | Selection>();
  private readonly opts: DecisionOptions;

  constructor(opts: DecisionOptions = defaultDecisionOptions) {
    this.opts = opts;
  }

  /** Prefixes with at least one candidate. */
  get size(): number {
    return this.entries.size;
  }

  /** Prefixes changed and not yet reported by `update`. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Adds, replaces (same prefix) or removes one candidate. Reporting waits for `update`. */
  pathChanged(old: Path | undefined, next: Path | undefined): void {
    const key = next?.prefix ?? old?.prefix;
    if (key === undefined) return;
    if (old === undefined && next !== undefined && this.entries.setIfAbsent(key, next)) {
      // A new prefix (the bulk of a table load): one probe.
      this.pending.setIfAbsent(key, nothingReported);
      return;
    }
    const entry = this.entries.get(key);
    const reported = this.selected(entry);
    this.pending.setIfAbsent(key, reported ?? nothingReported);
    const current = edit(entry, old, next);
    if (current === undefined) this.entries.delete(key);
    else if (current !== entry) this.entries.set(key, current);
  }

  /**
   * Re-runs selection for `key` and reports the net change since the last
   * report for it, as LocRibChange flags (0: nothing to tell).
   */
  update(key: PrefixKey): LocRibChange {
    const taken = this.pending.take(key);
    if (taken === undefined) return LocRibChange.None;
    const before: Reported = taken === nothingReported ? undefined : taken;
    const now = this.selected(this.entries.get(key));
    let flags = 0;
    if (bestOf(before) !== bestOf(now)) flags |= LocRibChange.Best;
    if (!sameMultipath(before, now)) flags |= LocRibChange.Multipath;
    if (now === undefined && before !== undefined) flags |= LocRibChange.Gone;
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

  best(key: PrefixKey): Path | undefined {
    return bestOf(this.selected(this.entries.get(key)));
  }

  /** The ECMP set (contains the best path); empty when the prefix has no candidate. */
  multipath(key: PrefixKey): readonly Path[] {
    const r = this.selected(this.entries.get(key));
    if (r === undefined) return [];
    return r instanceof Path ? [r] : r.multipath;
  }

  /** Every candidate of `key`, in no particular order. */
  candidates(key: PrefixKey): readonly Path[] {
    const c = this.entries.get(key);
    if (c === undefined) return [];
    return c instanceof MultiEntry ? c.paths : [c];
  }

  /** Every prefix with a candidate (do not add paths while iterating). */
  keys(): IterableIterator<PrefixKey> {
    return this.entries.keys();
  }

  /** Calls `fn` with every prefix and its best path (the fast way to walk a full table). */
  forEachBest(fn: (key: PrefixKey, best: Path) => void): void {
    this.entries.forEach((e, k) => {
      const best = bestOf(this.selected(e));
      if (best !== undefined) fn(k, best);
    });
  }

  /** The selection of the current candidates (computed and kept for a MultiEntry). */
  private selected(c: Entry | undefined): Reported {
    if (!(c instanceof MultiEntry)) return c;
    c.selection ??= selectBest(c.paths, this.opts);
    return c.selection;
  }
}

/**
 * The candidates after `old` left and `next` arrived. A MultiEntry is edited
 * in place (its Selection, which reports hold on to, is replaced, never edited).
 */
function edit(c: Entry | undefined, old: Path | undefined, next: Path | undefined): Entry | undefined {
  if (c === undefined) return next;
  if (!(c instanceof MultiEntry)) {
    if (c === old) return next;
    // `old` is not a candidate (it never was, or already went): only add.
    return next === undefined ? c : new MultiEntry([c, next]);
  }
  const paths = c.paths;
  const at = old === undefined ? -1 : paths.indexOf(old);
  if (at >= 0) {
    if (next !== undefined) paths[at] = next;
    else {
      paths[at] = paths[paths.length - 1]!;
      paths.pop();
    }
  } else if (next !== undefined) paths.push(next);
  c.selection = undefined;
  return paths.length === 1 ? paths[0] : c;
}
