import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AsPathSegmentType, type PathAttributes, parseIpv4 } from "../wire/index.js";
import { AdjRibIn } from "./adj-rib-in.js";
import { AttrInterner } from "./attr-intern.js";
import { type DecisionOptions, defaultDecisionOptions } from "./decision.js";
import { LocRib, LocRibChange, samePath } from "./loc-rib.js";
import { makePeerRef, type Path, type PeerRef } from "./path.js";
import { accept } from "./policy.js";
import { type PrefixKey, prefixKeyFromText } from "./prefix-key.js";

const vip = prefixKeyFromText("203.0.113.10/32");
const seq = (...asns: number[]) => ({ type: AsPathSegmentType.AsSequence, asns });

function peer(n: number, ibgp = true, asn = ibgp ? 65000 : 65100 + n): PeerRef {
  return makePeerRef({ id: n, address: `198.19.0.${n}`, asn, bgpId: `198.19.0.${n}`, ibgp });
}

function lbAttrs(n: number, extra: Partial<PathAttributes> = {}): PathAttributes {
  return { origin: 0, asPath: [], nextHop: `198.18.0.${n}`, localPref: 100, ...extra };
}

/** One Loc-RIB fed by one Adj-RIB-In per peer. */
function setup(peers: number) {
  const interner = new AttrInterner();
  const loc = new LocRib();
  const ins = Array.from(
    { length: peers },
    (_, i) => new AdjRibIn(peer(i + 1), interner, { sink: loc, importPolicy: () => accept }),
  );
  const set = (p: number, attrs: PathAttributes) => ins[p - 1]!.announce(vip, 0, interner.intern(attrs));
  return { interner, loc, ins, set };
}

const all = LocRibChange.Best | LocRibChange.Multipath;

/** Routes as comparable values (the Loc-RIB makes single-candidate IPv4 Paths on request). */
const routeSet = (paths: readonly Path[]) =>
  paths
    .map((p) => ({ peer: p.peer.id, pathId: p.pathId, attrs: p.attrs }))
    .sort((a, b) => a.peer - b.peer || a.pathId - b.pathId);

describe("Loc-RIB", () => {
  it("reports best and multipath changes exactly", () => {
    const { loc, ins, set } = setup(4);
    set(2, lbAttrs(2));
    expect(loc.update(vip)).toBe(all);
    expect(loc.update(vip)).toBe(LocRibChange.None);
    const p2 = loc.best(vip)!;

    // An equal-cost path with a higher router id: joins the ECMP set, best unchanged.
    set(3, lbAttrs(3));
    expect(loc.update(vip)).toBe(LocRibChange.Multipath);
    expect(samePath(loc.best(vip), p2)).toBe(true);
    expect(loc.multipath(vip)).toHaveLength(2);

    // A lower router id: new best, the set grows.
    set(1, lbAttrs(1));
    expect(loc.update(vip)).toBe(all);
    expect(loc.best(vip)?.peer.id).toBe(1);
    expect(loc.multipath(vip)).toHaveLength(3);

    // A worse path (lower LOCAL_PREF): a candidate, but neither best nor ECMP.
    set(4, lbAttrs(4, { localPref: 50 }));
    expect(loc.update(vip)).toBe(LocRibChange.None);
    expect(loc.candidates(vip)).toHaveLength(4);

    // The ECMP member 3 leaves: multipath only.
    ins[2]!.withdraw(vip, 0);
    expect(loc.update(vip)).toBe(LocRibChange.Multipath);

    // The best's attributes change but it stays best and ECMP: both report (a new Path).
    set(1, lbAttrs(1, { med: 0 }));
    expect(loc.update(vip)).toBe(all);

    // Best prefers itself by LOCAL_PREF: the ECMP set shrinks to one.
    set(1, lbAttrs(1, { localPref: 200 }));
    expect(loc.update(vip)).toBe(all);
    expect(loc.multipath(vip)).toEqual([loc.best(vip)]);

    ins[0]!.withdraw(vip, 0);
    ins[1]!.withdraw(vip, 0);
    expect(loc.update(vip)).toBe(all);
    expect(loc.best(vip)?.peer.id).toBe(4);
    ins[3]!.withdraw(vip, 0);
    expect(loc.update(vip)).toBe(all | LocRibChange.Gone);
    expect(loc.size).toBe(0);
    expect(loc.best(vip)).toBeUndefined();
  });

  it("stale flags survive a prefix going from one candidate to several and back (IPv4 slots, IPv6 paths)", () => {
    for (const text of ["203.0.113.10/32", "2001:db8::10/128"]) {
      const key = prefixKeyFromText(text);
      const interner = new AttrInterner();
      const loc = new LocRib();
      const [a, b] = [1, 2].map(
        (n) => new AdjRibIn(peer(n), interner, { sink: loc, importPolicy: () => accept }),
      );
      const attrsA = interner.intern(lbAttrs(1));
      a!.announce(key, 0, attrsA);
      expect(a!.markAllStale()).toBe(1);
      expect(loc.candidates(key)[0]?.stale).toBe(true);
      // A second candidate: the stale path moves into a multi-candidate entry.
      const attrsB = interner.intern(lbAttrs(2));
      b!.announce(key, 0, attrsB);
      interner.release(attrsB);
      expect(loc.candidates(key).map((p) => [p.peer.id, p.stale])).toEqual([
        [1, true],
        [2, false],
      ]);
      // Back to one candidate: still stale, still found by the peer's purge list.
      expect(b!.clear()).toEqual([key]);
      expect(loc.candidates(key).map((p) => [p.peer.id, p.stale])).toEqual([[1, true]]);
      expect(loc.routesOf(a!.peer, true)).toEqual({ keys: [key], pathIds: [0] });
      // Re-announced unchanged: no change, not stale any more, nothing left to purge.
      expect(a!.announce(key, 0, attrsA)).toBe(false);
      expect(a!.staleCount).toBe(0);
      expect(a!.purgeStale()).toEqual([]);
      expect(loc.best(key)?.stale).toBe(false);
      expect(a!.clear()).toEqual([key]);
      expect(loc.size).toBe(0);
      expect(interner.size).toBe(1); // attrsA: the reference interned above
    }
  });

  it("changes between two updates collapse: announce + withdraw reports nothing", () => {
    const { loc, ins, set } = setup(2);
    set(1, lbAttrs(1));
    ins[0]!.withdraw(vip, 0);
    expect(loc.update(vip)).toBe(LocRibChange.None);
    expect(loc.size).toBe(0);

    set(1, lbAttrs(1));
    loc.update(vip);
    const before = loc.best(vip);
    set(2, lbAttrs(2));
    ins[1]!.withdraw(vip, 0);
    expect(loc.update(vip)).toBe(LocRibChange.None);
    expect(samePath(loc.best(vip), before)).toBe(true);
  });

  it("reads are current before update() (selection is lazy but never stale)", () => {
    const { loc, set } = setup(2);
    set(2, lbAttrs(2));
    set(1, lbAttrs(1));
    expect(loc.best(vip)?.peer.id).toBe(1);
    expect(loc.update(vip)).toBe(all);
  });

  it("updateAll reports every pending prefix once", () => {
    const { interner, loc, ins } = setup(1);
    const keys = ["203.0.113.1/32", "203.0.113.2/32", "203.0.113.3/32"].map(prefixKeyFromText);
    for (const k of keys) ins[0]!.announce(k, 0, interner.intern(lbAttrs(1)));
    const seen: PrefixKey[] = [];
    loc.updateAll((k, change) => {
      expect(change).toBe(all);
      seen.push(k);
    });
    expect(seen.sort()).toEqual([...keys].sort());
    expect([...loc.keys()]).toHaveLength(3);
  });
});

// --- brute force: RFC 4271 §9.1.2.2 read literally, straight from PathAttributes --------

function lengthOf(a: PathAttributes): number {
  let n = 0;
  for (const s of a.asPath ?? [])
    n += s.type === AsPathSegmentType.AsSequence ? s.asns.length : s.type === AsPathSegmentType.AsSet ? 1 : 0;
  return n;
}

function neighbour(a: PathAttributes): number {
  const first = (a.asPath ?? []).find(
    (s) => s.type === AsPathSegmentType.AsSequence || s.type === AsPathSegmentType.AsSet,
  );
  return first?.type === AsPathSegmentType.AsSequence ? first.asns[0]! : -1;
}

function bruteBest(paths: readonly Path[], opts: DecisionOptions): { best?: Path; multipath: Path[] } {
  const keep = (s: Path[], f: (p: Path) => number) => s.filter((p) => f(p) === Math.min(...s.map(f)));
  let s = [...paths];
  if (s.length === 0) return { multipath: [] };
  s = keep(s, (p) => -(p.attrs.attrs.localPref ?? opts.defaultLocalPref));
  s = keep(s, (p) => lengthOf(p.attrs.attrs));
  s = keep(s, (p) => p.attrs.attrs.origin ?? 2);
  const med = (p: Path) => p.attrs.attrs.med ?? 0;
  s = s.filter(
    (p) =>
      !s.some(
        (q) =>
          (opts.alwaysCompareMed || neighbour(q.attrs.attrs) === neighbour(p.attrs.attrs)) && med(q) < med(p),
      ),
  );
  if (s.some((p) => !p.peer.ibgp)) s = s.filter((p) => !p.peer.ibgp);
  const multipath = s;
  const rid = (p: Path) =>
    p.attrs.attrs.originatorId ? parseIpv4(p.attrs.attrs.originatorId) : p.peer.bgpIdValue;
  s = keep(s, rid);
  s = keep(s, (p) => p.attrs.attrs.clusterList?.length ?? 0);
  s = keep(s, (p) => parseIpv4(p.peer.address));
  s = keep(s, (p) => p.pathId);
  return s[0] === undefined ? { multipath } : { best: s[0], multipath };
}

describe("Loc-RIB property", () => {
  const arbAttrs = fc.record({
    localPref: fc.constantFrom(undefined, 100, 100, 200),
    len: fc.constantFrom(0, 1, 1, 2),
    firstAs: fc.constantFrom(65001, 65002),
    origin: fc.constantFrom(0, 0, 0, 1, 2),
    med: fc.constantFrom(undefined, 0, 5, 10),
    originator: fc.constantFrom(undefined, undefined, "198.19.0.0", "198.19.0.9"),
    clusters: fc.integer({ min: 0, max: 2 }),
  });
  const arbOp = fc.record({
    peer: fc.integer({ min: 1, max: 4 }),
    prefix: fc.integer({ min: 0, max: 2 }),
    pathId: fc.integer({ min: 0, max: 1 }),
    attrs: fc.option(arbAttrs, { nil: undefined }),
    updateNow: fc.boolean(),
  });

  it.each([
    ["MED within the neighbour AS", defaultDecisionOptions],
    ["always-compare-med", { ...defaultDecisionOptions, alwaysCompareMed: true }],
  ] as const)("after random announce/withdraw sequences, best == brute force (%s)", (_n, opts) => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 60 }), (ops) => {
        const interner = new AttrInterner();
        const loc = new LocRib(opts);
        const ins = [1, 2, 3, 4].map(
          (n) => new AdjRibIn(peer(n, n !== 4), interner, { sink: loc, importPolicy: () => accept }),
        );
        const keys = [0, 1, 2].map((i) => prefixKeyFromText(`203.0.113.${i}/32`));
        const reported = new Map<PrefixKey, Path | undefined>();
        const check = (k: PrefixKey) => {
          const flags = loc.update(k);
          const best = loc.best(k);
          const before = reported.get(k);
          expect((flags & LocRibChange.Best) !== 0).toBe(!samePath(before, best));
          expect((flags & LocRibChange.Gone) !== 0).toBe(before !== undefined && best === undefined);
          reported.set(k, best);
        };
        for (const op of ops) {
          const rib = ins[op.peer - 1]!;
          const k = keys[op.prefix]!;
          if (op.attrs === undefined) rib.withdraw(k, op.pathId);
          else {
            const a = op.attrs;
            const attrs: PathAttributes = {
              origin: a.origin as 0 | 1 | 2,
              asPath: a.len === 0 ? [] : [seq(...[a.firstAs, 65010, 65011].slice(0, a.len))],
              nextHop: `198.18.0.${op.peer}`,
              ...(a.localPref === undefined ? {} : { localPref: a.localPref }),
              ...(a.med === undefined ? {} : { med: a.med }),
              ...(a.originator === undefined ? {} : { originatorId: a.originator }),
              ...(a.clusters === 0 ? {} : { clusterList: ["198.19.1.1", "198.19.1.2"].slice(0, a.clusters) }),
            };
            const set = interner.intern(attrs);
            rib.announce(k, op.pathId, set);
            interner.release(set);
          }
          if (op.updateNow) check(k);
        }
        for (const k of keys) {
          check(k);
          const candidates = ins.flatMap((r) =>
            [0, 1].map((id) => r.get(k, id)).filter((p) => p !== undefined),
          );
          expect(routeSet(loc.candidates(k))).toEqual(routeSet(candidates));
          const brute = bruteBest(candidates, opts);
          expect(samePath(loc.best(k), brute.best)).toBe(true);
          expect(routeSet(loc.multipath(k))).toEqual(routeSet(brute.multipath));
        }
      }),
      { numRuns: 300 },
    );
  });
});
