import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Afi,
  type CodecContext,
  decodeMessage,
  defaultContext,
  encodeAttributes,
  Header,
  Ipv4Unicast,
  isEndOfRib,
  makeContext,
  mirrorContext,
  nlriToEntries,
  type PathAttributes,
  type UpdateMessage,
} from "../wire/index.js";
import { AdjRibOut, type OutPath } from "./adj-rib-out.js";
import { AttrInterner } from "./attr-intern.js";
import type { AttrSet } from "./attr-set.js";
import { ipv4Key, type PrefixKey, prefixKeyFromText, prefixKeyToText } from "./prefix-key.js";

const attrs = (n: number): PathAttributes => ({
  origin: 0,
  asPath: [{ type: 2, asns: [65001] }],
  nextHop: `198.18.0.${n}`,
});

/** What a receiving peer ends up with: "prefix#pathId" -> next hop. */
type PeerTable = Map<string, string>;

function receive(
  messages: readonly Uint8Array[],
  ctx: CodecContext,
  table: PeerTable = new Map(),
): PeerTable {
  const rx = mirrorContext(ctx);
  for (const m of messages) {
    expect(m.length).toBeLessThanOrEqual(Header.maxMessageLength);
    const u = decodeMessage(m, rx) as UpdateMessage;
    for (const list of [u.withdrawn, u.mpUnreach?.nlri])
      for (const e of list === undefined ? [] : nlriToEntries(list)) table.delete(`${e.prefix}#${e.pathId}`);
    const hop = u.mpReach?.nextHop ?? u.attributes.nextHop ?? "";
    for (const list of [u.nlri, u.mpReach?.nlri])
      for (const e of list === undefined ? [] : nlriToEntries(list))
        table.set(`${e.prefix}#${e.pathId}`, hop);
  }
  return table;
}

/** N distinct /24s from the benchmark range 100.64.0.0/10. */
function slash24s(n: number): PrefixKey[] {
  const base = (100 << 24) | (64 << 16);
  return Array.from({ length: n }, (_, i) => ipv4Key((base + (i << 8)) >>> 0, 24));
}

function rig(ctx: CodecContext = defaultContext, afi: Afi = Afi.Ipv4) {
  const interner = new AttrInterner();
  const out = new AdjRibOut({ afi, ctx, interner });
  /** An interned set whose only reference is the caller's, released right away (the RIB keeps its own). */
  const set = (a: PathAttributes): AttrSet => {
    const s = interner.intern(a);
    interner.release(s);
    return s;
  };
  return { interner, out, set };
}

const p = prefixKeyFromText("203.0.113.10/32");

describe("Adj-RIB-Out coalescing", () => {
  it("announce, change and withdraw of a new prefix before a flush send nothing", () => {
    const { out, set, interner } = rig();
    out.advertise(p, set(attrs(1)));
    out.advertise(p, set(attrs(2)));
    out.withdraw(p);
    expect(out.flush().messages).toEqual([]);
    expect(out.size).toBe(0);
    expect(interner.size).toBe(0);
  });

  it("many changes before a flush become one message with the final state", () => {
    const { out, set } = rig();
    out.advertise(p, set(attrs(1)));
    out.advertise(p, set(attrs(2)));
    out.withdraw(p);
    out.advertise(p, set(attrs(3)));
    const { messages } = out.flush();
    expect(messages).toHaveLength(1);
    expect(receive(messages, defaultContext)).toEqual(new Map([["203.0.113.10/32#0", "198.18.0.3"]]));
  });

  it("a change back to what the peer already has sends nothing", () => {
    const { out, set } = rig();
    out.advertise(p, set(attrs(1)));
    out.flush();
    out.advertise(p, set(attrs(2)));
    out.advertise(p, set(attrs(1)));
    expect(out.flush().messages).toEqual([]);
    out.withdraw(p);
    const { messages, withdrawn } = out.flush();
    expect(withdrawn).toBe(1);
    expect(messages).toHaveLength(1);
    expect(out.size).toBe(0);
  });

  it("maxPrefixes bounds one flush; the rest stays pending", () => {
    const { out, set } = rig();
    const keys = slash24s(10);
    for (const k of keys) out.advertise(k, set(attrs(1)));
    expect(out.flush({ maxPrefixes: 4 }).announced).toBe(4);
    expect(out.pendingCount).toBe(6);
    expect(out.flush().announced).toBe(6);
  });
});

describe("Adj-RIB-Out packing", () => {
  it("N prefixes with one attribute set -> ceil(N / capacity) UPDATEs of at most 4096 octets", () => {
    const { out, set } = rig();
    const n = 5000;
    const keys = slash24s(n);
    for (const k of keys) out.advertise(k, set(attrs(1)));
    const { messages, announced } = out.flush();
    const attrLength = encodeAttributes(attrs(1), defaultContext).length;
    const slash24Octets = 4;
    const capacity = Math.floor((Header.maxMessageLength - Header.length - 4 - attrLength) / slash24Octets);
    expect(announced).toBe(n);
    expect(messages).toHaveLength(Math.ceil(n / capacity));
    const table = receive(messages, defaultContext);
    expect(new Set(table.keys())).toEqual(new Set(keys.map((k) => `${prefixKeyToText(k)}#0`)));

    for (const k of keys) out.withdraw(k);
    const w = out.flush();
    const withdrawCapacity = Math.floor((Header.maxMessageLength - Header.length - 4) / slash24Octets);
    expect(w.messages).toHaveLength(Math.ceil(n / withdrawCapacity));
    expect(receive(w.messages, defaultContext, table).size).toBe(0);
  });

  it("groups prefixes by attribute set: one UPDATE per set when they fit", () => {
    const { out, set } = rig();
    const keys = slash24s(30);
    keys.forEach((k, i) => {
      out.advertise(k, set(attrs(1 + (i % 3))));
    });
    const { messages } = out.flush();
    expect(messages).toHaveLength(3);
    const table = receive(messages, defaultContext);
    keys.forEach((k, i) => {
      expect(table.get(`${prefixKeyToText(k)}#0`)).toBe(`198.18.0.${1 + (i % 3)}`);
    });
  });

  it("IPv6 goes in MP_REACH_NLRI / MP_UNREACH_NLRI", () => {
    const { out, set } = rig(defaultContext, Afi.Ipv6);
    const k = prefixKeyFromText("2001:db8:1::/48");
    out.advertise(k, set({ ...attrs(1), nextHop: "2001:db8::1" }));
    const table = receive(out.flush().messages, defaultContext);
    expect(table).toEqual(new Map([["2001:db8:1::/48#0", "2001:db8::1"]]));
    out.withdraw(k);
    expect(receive(out.flush().messages, defaultContext, table).size).toBe(0);
  });

  it("attributes that cannot be sent are reported and withdrawn, not thrown", () => {
    const { out, set } = rig(defaultContext, Afi.Ipv6);
    const k = prefixKeyFromText("2001:db8:1::/48");
    const { nextHop: _none, ...noNextHop } = attrs(1);
    out.advertise(k, set(noNextHop));
    const r = out.flush();
    expect(r.failed).toEqual([k]);
    expect(r.announced).toBe(0);
    expect(out.size).toBe(0);
  });
});

describe("Adj-RIB-Out ADD-PATH send (RFC 7911)", () => {
  const ctx = makeContext({ addPathSend: new Set([Ipv4Unicast]) });
  const src = (peerId: number, pathId = 0) => peerId * 2 ** 32 + pathId;

  it("a path id per source, stable while others come and go; withdraw by id", () => {
    const { out, set } = rig(ctx);
    const paths = (...ns: number[]): OutPath[] => ns.map((n) => ({ source: src(n), attrs: set(attrs(n)) }));
    out.setPaths(p, paths(1, 2, 3));
    const table = receive(out.flush().messages, ctx);
    expect(table).toEqual(
      new Map([
        ["203.0.113.10/32#1", "198.18.0.1"],
        ["203.0.113.10/32#2", "198.18.0.2"],
        ["203.0.113.10/32#3", "198.18.0.3"],
      ]),
    );
    // Source 2 goes: only its id is withdrawn.
    out.setPaths(p, paths(3, 1));
    const r = out.flush();
    expect(r).toMatchObject({ withdrawn: 1, announced: 0 });
    receive(r.messages, ctx, table);
    expect([...table.keys()].sort()).toEqual(["203.0.113.10/32#1", "203.0.113.10/32#3"]);
    // Source 4 arrives: it takes the lowest free id; 1 and 3 keep theirs.
    out.setPaths(p, paths(1, 3, 4));
    receive(out.flush().messages, ctx, table);
    expect(table.get("203.0.113.10/32#2")).toBe("198.18.0.4");
    expect(out.advertisedPaths(p).map((s) => s.id)).toEqual([1, 3, 2]);
    // Source 3 changes attributes: re-announced under the same id.
    out.setPaths(p, [...paths(1, 4), { source: src(3), attrs: set(attrs(9)) }]);
    const change = out.flush();
    expect(change).toMatchObject({ withdrawn: 0, announced: 1 });
    receive(change.messages, ctx, table);
    expect(table.get("203.0.113.10/32#3")).toBe("198.18.0.9");
    out.setPaths(p, []);
    expect(receive(out.flush().messages, ctx, table).size).toBe(0);
  });

  it("with pathIdOf, identifiers are a function of the source, whatever the history", () => {
    const pathIdOf = (source: number) => source / 2 ** 32 + 1;
    const interner = new AttrInterner();
    const a = new AdjRibOut({ afi: Afi.Ipv4, ctx, interner, pathIdOf });
    const b = new AdjRibOut({ afi: Afi.Ipv4, ctx, interner, pathIdOf });
    const set = (n: number) => interner.intern(attrs(n));
    a.setPaths(
      p,
      [1, 2].map((n) => ({ source: src(n), attrs: set(n) })),
    );
    a.flush();
    a.setPaths(
      p,
      [2, 3].map((n) => ({ source: src(n), attrs: set(n) })),
    );
    a.flush();
    b.setPaths(
      p,
      [3, 2].map((n) => ({ source: src(n), attrs: set(n) })),
    );
    b.flush();
    const ids = (o: AdjRibOut) =>
      o
        .advertisedPaths(p)
        .map((s) => s.id)
        .sort();
    expect(ids(a)).toEqual([3, 4]);
    expect(ids(b)).toEqual(ids(a));
  });

  it("maxPaths sends only the first N paths", () => {
    const interner = new AttrInterner();
    const out = new AdjRibOut({ afi: Afi.Ipv4, ctx, interner, maxPaths: 2 });
    const s = (n: number) => {
      const x = interner.intern(attrs(n));
      interner.release(x);
      return x;
    };
    out.setPaths(
      p,
      [1, 2, 3].map((n) => ({ source: src(n), attrs: s(n) })),
    );
    expect(receive(out.flush().messages, ctx).size).toBe(2);
  });

  it("a peer without ADD-PATH gets only the best (first) path", () => {
    const { out, set } = rig();
    out.setPaths(p, [
      { source: src(1), attrs: set(attrs(1)) },
      { source: src(2), attrs: set(attrs(2)) },
    ]);
    expect(receive(out.flush().messages, defaultContext)).toEqual(
      new Map([["203.0.113.10/32#0", "198.18.0.1"]]),
    );
  });
});

describe("Adj-RIB-Out End-of-RIB and route refresh", () => {
  it("End-of-RIB follows the initial table once it is all flushed", () => {
    const { out, set } = rig();
    for (const k of slash24s(10)) out.advertise(k, set(attrs(1)));
    out.queueEndOfRib();
    const eor = (m: Uint8Array) => isEndOfRib(decodeMessage(m) as UpdateMessage);
    expect(out.flush({ maxPrefixes: 5 }).messages.map(eor)).toEqual([null]);
    const last = out.flush().messages;
    expect(last.map(eor)).toEqual([null, { afi: Afi.Ipv4, safi: 1 }]);
    expect(out.flush().messages).toEqual([]);
  });

  it("an empty initial table is just End-of-RIB; IPv6 uses MP_UNREACH_NLRI", () => {
    const { out } = rig(defaultContext, Afi.Ipv6);
    out.queueEndOfRib();
    const [eor] = out.flush().messages;
    expect(isEndOfRib(decodeMessage(eor!) as UpdateMessage)).toEqual({ afi: Afi.Ipv6, safi: 1 });
  });

  it("snapshot re-sends the whole table once, pending changes included", () => {
    const { out, set } = rig();
    const keys = slash24s(100);
    for (const k of keys) out.advertise(k, set(attrs(1)));
    out.flush();
    out.withdraw(keys[0]!);
    out.advertise(keys[1]!, set(attrs(2)));
    const r = out.snapshot();
    expect(r.withdrawn).toBe(1);
    expect(r.announced).toBe(99);
    const table = receive(r.messages, defaultContext);
    expect(table.size).toBe(99);
    expect(table.get(`${prefixKeyToText(keys[1]!)}#0`)).toBe("198.18.0.2");
  });

  it("withdrawing what the peer does not have queues nothing (and drops what was pending)", () => {
    const { out, set, interner } = rig();
    for (const k of slash24s(1000)) out.withdraw(k);
    out.setPaths(p, []);
    expect(out.pendingCount).toBe(0);
    out.advertise(p, set(attrs(1)));
    out.withdraw(p);
    expect(out.pendingCount).toBe(0);
    expect(interner.size).toBe(0);
    expect(out.flush().messages).toEqual([]);
  });

  it("encodeAdvertised re-sends what the peer has for a slice of keys, pending changes left alone", () => {
    const { out, set } = rig();
    const keys = slash24s(100);
    for (const k of keys) out.advertise(k, set(attrs(1)));
    out.flush();
    out.withdraw(keys[0]!);
    const all = out.advertisedKeys();
    expect(all).toHaveLength(100);
    const table = receive(
      [...out.encodeAdvertised(all, 0, 50), ...out.encodeAdvertised(all, 50)],
      defaultContext,
    );
    expect(table.size).toBe(100);
    expect(out.pendingCount).toBe(1);
    expect(out.flush().withdrawn).toBe(1);
  });

  it("clear() releases every reference", () => {
    const { out, set, interner } = rig();
    for (const k of slash24s(5)) out.advertise(k, set(attrs(1)));
    out.flush();
    out.advertise(p, set(attrs(2)));
    out.clear();
    expect(interner.size).toBe(0);
  });
});

describe("Adj-RIB-Out property", () => {
  const op = fc.record({
    prefix: fc.integer({ min: 0, max: 7 }),
    paths: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
    flush: fc.boolean(),
  });

  it.each([
    ["without ADD-PATH", defaultContext],
    ["with ADD-PATH", makeContext({ addPathSend: new Set([Ipv4Unicast]) })],
  ] as const)("the peer's table after flushing == the final desired state (%s)", (_n, ctx) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { out, set, interner } = rig(ctx);
        const keys = slash24s(8);
        const desired = new Map<PrefixKey, number[]>();
        const peer: PeerTable = new Map();
        for (const o of ops) {
          const k = keys[o.prefix]!;
          const sources = [...new Set(o.paths)];
          out.setPaths(
            k,
            sources.map((n) => ({ source: n, attrs: set(attrs(n)) })),
          );
          desired.set(k, sources);
          if (o.flush) receive(out.flush().messages, ctx, peer);
        }
        receive(out.flush().messages, ctx, peer);
        const expected = new Set<string>();
        for (const [k, sources] of desired) {
          const sent = ctx.addPathSend.size > 0 ? sources : sources.slice(0, 1);
          for (const n of sent) expected.add(`${prefixKeyToText(k)}@198.18.0.${n}`);
        }
        const got = new Set([...peer].map(([id, hop]) => `${id.slice(0, id.indexOf("#"))}@${hop}`));
        expect(got).toEqual(expected);
        // Path ids are unique per prefix.
        expect(peer.size).toBe(expected.size);
        out.clear();
        expect(interner.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
