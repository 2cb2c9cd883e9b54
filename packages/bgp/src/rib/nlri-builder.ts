/**
 * A growable NlriList: prefix keys (plus path identifiers) appended into one
 * Uint32Array in the layout of wire/nlri.ts, ready for packUpdates /
 * packWithdrawals. Used by the Adj-RIB-Out to gather one UPDATE group's
 * prefixes without an object per prefix.
 *
 *     push(key, pathId) ──> [pathId, address words..., length] [pathId, ...] ...
 */
import { type Afi, type NlriList, strideOf } from "../wire/index.js";
import { type PrefixKey, writeKeyWords } from "./prefix-key.js";

const initialEntries = 16;
const growthFactor = 2;

export class NlriBuilder {
  readonly afi: Afi;
  private readonly stride: number;
  private words: Uint32Array;
  private entries = 0;

  constructor(afi: Afi, capacity = initialEntries) {
    this.afi = afi;
    this.stride = strideOf(afi);
    this.words = new Uint32Array(Math.max(1, capacity) * this.stride);
  }

  get count(): number {
    return this.entries;
  }

  push(key: PrefixKey, pathId: number): void {
    const at = this.entries * this.stride;
    if (at + this.stride > this.words.length) {
      const bigger = new Uint32Array(this.words.length * growthFactor);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[at] = pathId >>> 0;
    writeKeyWords(key, this.words, at + 1);
    this.entries++;
  }

  /** The entries so far as an NlriList (a view: valid until the next push). */
  list(addPath: boolean): NlriList {
    return {
      afi: this.afi,
      addPath,
      count: this.entries,
      words: this.words.subarray(0, this.entries * this.stride),
    };
  }
}
