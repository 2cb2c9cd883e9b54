/**
 * What ECMP the upstream router can build, from what ts-rr sent it: per
 * upstream and prefix the number of distinct next hops advertised (with
 * ADD-PATH one per LB node; without, 1), and per prefix whether the set of
 * next hops sent upstream (over all upstreams) changed since the last look.
 * Pure: fed snapshots of `speaker.advertised(upstream)`.
 */
import type { AdvertisedPath } from "@portlb/bgp";

export interface EcmpSnapshot {
  /** upstream address -> prefix -> distinct next hops sent. */
  readonly width: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Prefixes whose next-hop set (union over upstreams) changed since the previous snapshot. */
  readonly changed: readonly string[];
}

function key(hops: ReadonlySet<string>): string {
  return [...hops].sort().join(",");
}

export class EcmpTracker {
  /** prefix -> sorted, joined next-hop set last seen. */
  #last = new Map<string, string>();

  /** Takes what each upstream was sent; returns widths and the prefixes whose next-hop set changed. */
  observe(sent: ReadonlyMap<string, readonly AdvertisedPath[]>): EcmpSnapshot {
    const width = new Map<string, Map<string, number>>();
    const union = new Map<string, Set<string>>();
    for (const [upstream, paths] of sent) {
      const perPrefix = new Map<string, Set<string>>();
      for (const p of paths) {
        const hop = p.nextHop ?? "";
        let hops = perPrefix.get(p.prefix);
        if (hops === undefined) {
          hops = new Set();
          perPrefix.set(p.prefix, hops);
        }
        hops.add(hop);
        let all = union.get(p.prefix);
        if (all === undefined) {
          all = new Set();
          union.set(p.prefix, all);
        }
        all.add(hop);
      }
      width.set(upstream, new Map([...perPrefix].map(([prefix, hops]) => [prefix, hops.size])));
    }
    const changed: string[] = [];
    const next = new Map<string, string>();
    for (const [prefix, hops] of union) {
      const k = key(hops);
      next.set(prefix, k);
      if (this.#last.get(prefix) !== k) changed.push(prefix);
    }
    for (const prefix of this.#last.keys()) if (!next.has(prefix)) changed.push(prefix);
    this.#last = next;
    return { width, changed };
  }
}
