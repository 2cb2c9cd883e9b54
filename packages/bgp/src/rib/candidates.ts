/**
 * The Loc-RIB's per-prefix pieces (loc-rib.ts): a prefix with several
 * candidates (`MultiEntry`), what was last reported for a prefix
 * (`Reported`), and comparing reports. Routes are compared by value
 * (`samePath`), because the Loc-RIB makes the Path of a single-candidate
 * IPv4 prefix on request.
 */
import type { Selection } from "./decision.js";
import { Path, type PeerRef } from "./path.js";

/** Same route: same peer, path id and attribute set. */
export function samePath(a: Path | undefined, b: Path | undefined): boolean {
  if (a === b) return true;
  return (
    a !== undefined && b !== undefined && a.peer === b.peer && a.pathId === b.pathId && a.attrs === b.attrs
  );
}

export class MultiEntry {
  readonly paths: Path[];
  /** undefined until selection has run for the current candidates. */
  selection: Selection | undefined;
  constructor(paths: Path[]) {
    this.paths = paths;
    this.selection = undefined;
  }
}

/** An IPv6 prefix's candidates. */
export type Entry6 = Path | MultiEntry;
/** What was last reported: a single Path means best = multipath = that path. */
export type Reported = Path | Selection | undefined;
/** Stands for "nothing was reported" in the pending table (which cannot hold undefined). */
export const nothingReported: Selection = Object.freeze({
  best: undefined as unknown as Path,
  multipath: [],
});

export function bestOf(r: Reported): Path | undefined {
  return r === undefined || r instanceof Path ? r : r.best;
}

export function inMultipath(r: Reported, p: Path): boolean {
  if (r === undefined) return false;
  if (r instanceof Path) return samePath(r, p);
  for (const m of r.multipath) if (samePath(m, p)) return true;
  return false;
}

export function multipathSize(r: Reported): number {
  if (r === undefined) return 0;
  return r instanceof Path ? 1 : r.multipath.length;
}

/** Same members, no allocation (the common case is one path on each side). */
export function sameMultipath(a: Reported, b: Reported): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || multipathSize(a) !== multipathSize(b)) return false;
  if (a instanceof Path) return inMultipath(b, a);
  for (const p of a.multipath) if (!inMultipath(b, p)) return false;
  return true;
}

export function indexIn(paths: readonly Path[], peer: PeerRef, pathId: number): number {
  for (let i = 0; i < paths.length; i++) if (paths[i]!.peer === peer && paths[i]!.pathId === pathId) return i;
  return -1;
}
