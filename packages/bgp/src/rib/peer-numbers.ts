/**
 * Small numbers for the peers of the Loc-RIB's IPv4 rows (ipv4-slots.ts):
 * a row keeps its peer as a number in a Uint32Array (4 octets, nothing for
 * the GC to trace) instead of a PeerRef in a JS array (8 octets). A number
 * names one PeerRef object (identity, as the RIB compares peers) for as long
 * as some row uses it, then is taken again; 0 is no peer.
 */
import type { PeerRef } from "./path.js";

export class PeerNumbers {
  #refs: (PeerRef | undefined)[] = [undefined];
  #uses: number[] = [0];
  #numbers = new Map<PeerRef, number>();
  #free: number[] = [];
  /** The last peer numbered (a table load numbers one peer a million times). */
  #lastRef: PeerRef | undefined = undefined;
  #lastNumber = 0;

  /** The peer named `n` (undefined for 0). */
  peer(n: number): PeerRef | undefined {
    return this.#refs[n];
  }

  /** The number of `peer` with one more use. */
  use(peer: PeerRef): number {
    let n: number | undefined;
    if (peer === this.#lastRef) n = this.#lastNumber;
    else {
      n = this.#numbers.get(peer);
      if (n === undefined) {
        n = this.#free.pop() ?? this.#refs.length;
        this.#refs[n] = peer;
        this.#uses[n] = 0;
        this.#numbers.set(peer, n);
      }
      this.#lastRef = peer;
      this.#lastNumber = n;
    }
    this.#uses[n]!++;
    return n;
  }

  /** One use of number `n` less (0: nothing); at none, the number is free again. */
  release(n: number): void {
    if (n === 0 || --this.#uses[n]! > 0) return;
    const peer = this.#refs[n]!;
    this.#numbers.delete(peer);
    this.#refs[n] = undefined;
    this.#free.push(n);
    if (peer === this.#lastRef) {
      this.#lastRef = undefined;
      this.#lastNumber = 0;
    }
  }

  /** Peers with a number (in use). */
  get size(): number {
    return this.#numbers.size;
  }
}
