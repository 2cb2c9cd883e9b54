import { describe, expect, it } from "vitest";
import { AsPathSegmentType, Origin, type PathAttributes } from "../wire/index.js";
import { AttrInterner } from "./attr-intern.js";
import {
  comparePaths,
  type DecisionOptions,
  DecisionStep,
  decidingStep,
  defaultDecisionOptions,
  multipathEqual,
  selectBest,
} from "./decision.js";
import { localPeerRef, makePeerRef, Path, type PeerRefInit } from "./path.js";
import { prefixKeyFromText } from "./prefix-key.js";

const interner = new AttrInterner();
const prefix = prefixKeyFromText("203.0.113.10/32");
const seq = (...asns: number[]) => ({ type: AsPathSegmentType.AsSequence, asns });
const base: PathAttributes = { origin: Origin.Igp, asPath: [seq(65001)], nextHop: "198.18.0.1" };

interface PeerSpec extends Partial<PeerRefInit> {
  readonly pathId?: number;
}

let nextPeerId = 1;
function path(attrs: Partial<PathAttributes>, peer: PeerSpec = {}): Path {
  const ref = makePeerRef({
    id: peer.id ?? nextPeerId++,
    address: peer.address ?? "198.18.0.1",
    asn: peer.asn ?? 65001,
    bgpId: peer.bgpId ?? "198.18.0.1",
    ibgp: peer.ibgp ?? false,
  });
  return new Path(prefix, peer.pathId ?? 0, ref, interner.intern({ ...base, ...attrs }));
}

const alwaysCompare: DecisionOptions = { ...defaultDecisionOptions, alwaysCompareMed: true };
const ibgp = { ibgp: true, asn: 65000 };

interface Row {
  readonly name: string;
  /** The preferred path. */
  readonly a: Path;
  readonly b: Path;
  readonly step: DecisionStep;
  readonly opts?: DecisionOptions;
}

// Each "decisive" row makes b better at a LATER step, so only the named step can pick a.
// Each "skipped" row makes a and b equal at a step, so the next step decides.
const rows: Row[] = [
  {
    name: "LOCAL_PREF decisive (beats a shorter AS_PATH)",
    a: path({ localPref: 200, asPath: [seq(65001, 65002)] }, ibgp),
    b: path({ localPref: 100 }, ibgp),
    step: DecisionStep.LocalPref,
  },
  {
    name: "LOCAL_PREF missing = 100 (iBGP default): skipped, AS_PATH decides",
    a: path({}, ibgp),
    b: path({ localPref: 100, asPath: [seq(65001, 65002)] }, ibgp),
    step: DecisionStep.AsPathLength,
  },
  {
    name: "AS_PATH length decisive (beats a lower ORIGIN)",
    a: path({ origin: Origin.Incomplete, asPath: [seq(65001)] }),
    b: path({ origin: Origin.Igp, asPath: [seq(65001, 65002)] }),
    step: DecisionStep.AsPathLength,
  },
  {
    name: "AS_SET counts 1",
    a: path({ asPath: [seq(65001), { type: AsPathSegmentType.AsSet, asns: [65010, 65011, 65012] }] }),
    b: path({ asPath: [seq(65001, 65002, 65003)], origin: Origin.Igp }),
    step: DecisionStep.AsPathLength,
  },
  {
    name: "confederation segments count 0",
    a: path({ asPath: [{ type: AsPathSegmentType.AsConfedSequence, asns: [64512, 64513] }, seq(65001)] }),
    b: path({ asPath: [seq(65001, 65002)] }),
    step: DecisionStep.AsPathLength,
  },
  {
    name: "AS_PATH equal length: skipped, ORIGIN decides",
    a: path({ asPath: [seq(65001, 65002)], origin: Origin.Igp }),
    b: path({ asPath: [seq(65001, 65003)], origin: Origin.Egp }),
    step: DecisionStep.Origin,
  },
  {
    name: "ORIGIN decisive (beats a lower MED)",
    a: path({ origin: Origin.Igp, med: 50 }),
    b: path({ origin: Origin.Egp, med: 10 }),
    step: DecisionStep.Origin,
  },
  {
    name: "ORIGIN equal: skipped, MED decides",
    a: path({ origin: Origin.Egp, med: 10 }),
    b: path({ origin: Origin.Egp, med: 20 }),
    step: DecisionStep.Med,
  },
  {
    name: "MED decisive within one neighbour AS (beats eBGP over iBGP)",
    a: path({ med: 10 }, ibgp),
    b: path({ med: 20 }),
    step: DecisionStep.Med,
  },
  {
    name: "missing MED counts as 0",
    a: path({}, ibgp),
    b: path({ med: 5 }),
    step: DecisionStep.Med,
  },
  {
    name: "MED not compared across neighbour ASes: eBGP over iBGP decides",
    a: path({ med: 20, asPath: [seq(65002)] }),
    b: path({ med: 10, asPath: [seq(65001)] }, ibgp),
    step: DecisionStep.ExternalOverInternal,
  },
  {
    name: "always-compare-med: MED compared across neighbour ASes",
    a: path({ med: 10, asPath: [seq(65001)] }, ibgp),
    b: path({ med: 20, asPath: [seq(65002)] }),
    step: DecisionStep.Med,
    opts: alwaysCompare,
  },
  {
    name: "equal MED: skipped, eBGP over iBGP decides",
    a: path({ med: 10 }, { bgpId: "198.18.0.9" }),
    b: path({ med: 10 }, { ...ibgp, bgpId: "198.18.0.1" }),
    step: DecisionStep.ExternalOverInternal,
  },
  {
    name: "locally originated counts as not-iBGP",
    a: new Path(prefix, 0, localPeerRef("198.18.0.200", 65000), interner.intern({ ...base })),
    b: path({}, { ...ibgp, bgpId: "198.18.0.1" }),
    step: DecisionStep.ExternalOverInternal,
  },
  {
    name: "both iBGP: skipped, BGP Identifier decides",
    a: path({}, { ...ibgp, bgpId: "198.18.0.1", address: "198.18.0.9" }),
    b: path({}, { ...ibgp, bgpId: "198.18.0.2", address: "198.18.0.1" }),
    step: DecisionStep.BgpIdentifier,
  },
  {
    name: "BGP Identifier compared as a number, decisive over CLUSTER_LIST",
    a: path({ clusterList: ["198.18.0.100", "198.18.0.101"] }, { ...ibgp, bgpId: "198.18.0.9" }),
    b: path({}, { ...ibgp, bgpId: "198.18.0.10" }),
    step: DecisionStep.BgpIdentifier,
  },
  {
    name: "ORIGINATOR_ID stands in for the BGP Identifier (RFC 4456 §9)",
    a: path({ originatorId: "198.18.0.1" }, { ...ibgp, bgpId: "198.18.0.50" }),
    b: path({}, { ...ibgp, bgpId: "198.18.0.2" }),
    step: DecisionStep.BgpIdentifier,
  },
  {
    name: "same ORIGINATOR_ID: skipped, CLUSTER_LIST length decides",
    a: path(
      { originatorId: "198.18.0.1", clusterList: ["198.18.0.100"] },
      { ...ibgp, bgpId: "198.18.0.7", address: "198.18.0.9" },
    ),
    b: path(
      { originatorId: "198.18.0.1", clusterList: ["198.18.0.100", "198.18.0.101"] },
      { ...ibgp, bgpId: "198.18.0.8", address: "198.18.0.1" },
    ),
    step: DecisionStep.ClusterListLength,
  },
  {
    name: "equal CLUSTER_LIST: skipped, peer address decides (numerically)",
    a: path({}, { ...ibgp, address: "198.18.0.9" }),
    b: path({}, { ...ibgp, address: "198.18.0.10" }),
    step: DecisionStep.PeerAddress,
  },
  {
    name: "IPv6 peer addresses compared numerically",
    a: path({}, { ...ibgp, address: "2001:db8::9" }),
    b: path({}, { ...ibgp, address: "2001:db8::a" }),
    step: DecisionStep.PeerAddress,
  },
  {
    name: "same peer: lowest received path id (ADD-PATH)",
    ...(() => {
      const a = path({}, { ...ibgp, id: 500, pathId: 1 });
      const b = new Path(prefix, 2, a.peer, interner.intern({ ...base, nextHop: "198.18.0.2" }));
      return { a, b };
    })(),
    step: DecisionStep.PathId,
  },
];

describe("decision process (RFC 4271 §9.1.2.2, RFC 4456 §9)", () => {
  it.each(rows)("$name", ({ a, b, step, opts }) => {
    expect(decidingStep(a, b, opts)).toBe(step);
    expect(comparePaths(a, b, opts)).toBe(-1);
    expect(comparePaths(b, a, opts)).toBe(1);
    expect(selectBest([a, b], opts)?.best).toBe(a);
    expect(selectBest([b, a], opts)?.best).toBe(a);
  });

  it("a path compared with itself is a tie", () => {
    const a = path({});
    expect(comparePaths(a, a)).toBe(0);
    expect(decidingStep(a, a)).toBeUndefined();
  });

  it("follows the RFC's elimination where pairwise MED comparison is cyclic", () => {
    // A<B by MED (same AS), B<C by router id, C<A by router id: no total order.
    const A = path({ asPath: [seq(65001)], med: 10 }, { ...ibgp, bgpId: "198.18.0.1" });
    const B = path({ asPath: [seq(65001)], med: 5 }, { ...ibgp, bgpId: "198.18.0.3" });
    const C = path({ asPath: [seq(65002)], med: 0 }, { ...ibgp, bgpId: "198.18.0.2" });
    expect(comparePaths(B, A)).toBe(-1);
    expect(comparePaths(C, B)).toBe(-1);
    expect(comparePaths(A, C)).toBe(-1);
    // §9.1.2.2 c) removes A (B has a lower MED from the same AS); then f) picks C over B.
    for (const order of [
      [A, B, C],
      [A, C, B],
      [B, A, C],
      [B, C, A],
      [C, A, B],
      [C, B, A],
    ])
      expect(selectBest(order)?.best).toBe(C);
  });

  it("selects nothing from nothing and the only candidate from one", () => {
    expect(selectBest([])).toBeUndefined();
    const a = path({});
    expect(selectBest([a])).toEqual({ best: a, multipath: [a] });
  });
});

describe("multipath (ECMP) set", () => {
  it("multipathEqual holds when paths differ only after the IGP-cost step", () => {
    const a = path({}, { ...ibgp, bgpId: "198.18.0.1", address: "198.18.0.1" });
    const b = path(
      { nextHop: "198.18.0.2", clusterList: ["198.18.0.100"] },
      { ...ibgp, bgpId: "198.18.0.2", address: "198.18.0.2" },
    );
    expect(multipathEqual(a, b)).toBe(true);
  });

  it.each([
    ["LOCAL_PREF", { localPref: 200 }],
    ["AS_PATH length", { asPath: [seq(65001, 65002)] }],
    ["ORIGIN", { origin: Origin.Egp }],
    ["MED in the same neighbour AS", { med: 7 }],
  ] as const)("multipathEqual fails on a different %s", (_n, diff) => {
    const a = path({}, ibgp);
    const b = path(diff, ibgp);
    expect(multipathEqual(a, b)).toBe(false);
  });

  it("eBGP and iBGP paths are never multipath-equal", () => {
    expect(multipathEqual(path({}), path({}, ibgp))).toBe(false);
  });

  it("MED of different neighbour ASes is ignored unless always-compare-med", () => {
    const a = path({ asPath: [seq(65001)], med: 1 }, ibgp);
    const b = path({ asPath: [seq(65002)], med: 2 }, ibgp);
    expect(multipathEqual(a, b)).toBe(true);
    expect(multipathEqual(a, b, alwaysCompare)).toBe(false);
  });

  it("selectBest returns every equal-cost path and the tie-broken best", () => {
    const lb = (n: number, extra: Partial<PathAttributes> = {}) =>
      path(
        { nextHop: `198.18.0.${n}`, ...extra },
        { ...ibgp, bgpId: `198.19.0.${n}`, address: `198.19.0.${n}` },
      );
    const p3 = lb(3);
    const p1 = lb(1);
    const p2 = lb(2);
    const longer = lb(0, { asPath: [seq(65001, 65002)] });
    const lowPref = lb(4, { localPref: 50 });
    const sel = selectBest([p3, longer, p1, lowPref, p2]);
    expect(sel?.best).toBe(p1);
    expect(new Set(sel?.multipath)).toEqual(new Set([p1, p2, p3]));
    for (const p of sel?.multipath ?? []) expect(multipathEqual(sel!.best, p)).toBe(true);
  });
});
