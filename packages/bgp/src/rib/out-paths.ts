/**
 * ADD-PATH send state of an Adj-RIB-Out (RFC 7911, adj-rib-out.ts): a path to
 * send (`OutPath`) is named by its SOURCE (`sourceOf`: peer id and received
 * path id as one exact number); an advertised path (`Slot`) keeps the local
 * path identifier given to its source; `freeId` picks the lowest free one.
 */
import type { AttrSet } from "./attr-set.js";
import type { Path } from "./path.js";

/** One path to send: its source and the attributes to send it with. */
export interface OutPath {
  readonly source: number;
  readonly attrs: AttrSet;
}

/** 2^32: a path identifier takes the low 32 bits of a source, the peer id the bits above. */
const pathIdSpan = 0x1_0000_0000;
const firstPathId = 1;

/** The stable name of a path's source: (peer id, received path id) as one exact number. */
export function sourceOf(path: Path): number {
  return path.peer.id * pathIdSpan + path.pathId;
}

/** One advertised ADD-PATH path. */
export class Slot {
  readonly source: number;
  readonly id: number;
  attrs: AttrSet;
  constructor(source: number, id: number, attrs: AttrSet) {
    this.source = source;
    this.id = id;
    this.attrs = attrs;
  }
}

/** The lowest path identifier not held by `kept` and not freed in this same flush. */
export function freeId(kept: readonly Slot[], freed: readonly number[]): number {
  let id = firstPathId;
  while (kept.some((s) => s.id === id) || freed.includes(id)) id++;
  return id;
}
