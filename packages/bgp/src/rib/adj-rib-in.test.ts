import { describe, expect, it } from "vitest";
import {
  Afi,
  decodeMessage,
  emptyNlri,
  MessageType,
  makeContext,
  nlriFromPrefixes,
  type PathAttributes,
  type PrefixEntry,
  packUpdates,
  Safi,
  type UpdateMessage,
} from "../wire/index.js";
import { AdjRibIn } from "./adj-rib-in.js";
import { AttrInterner } from "./attr-intern.js";
import { LocRib } from "./loc-rib.js";
import { makePeerRef } from "./path.js";
import { accept, modify, reject } from "./policy.js";
import { type PrefixKey, prefixKeyFromText, prefixKeyToText } from "./prefix-key.js";

const attrsA: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: "198.18.0.1" };
const attrsB: PathAttributes = { ...attrsA, med: 10 };
const ibgpPeer = makePeerRef({ id: 1, address: "198.18.0.1", asn: 65000, bgpId: "198.18.0.1", ibgp: true });
const ebgpPeer = makePeerRef({ id: 2, address: "198.18.0.2", asn: 65001, bgpId: "198.18.0.2", ibgp: false });

function announce(
  prefixes: readonly (string | PrefixEntry)[],
  attrs = attrsA,
  addPath = false,
): UpdateMessage {
  return {
    type: MessageType.Update,
    withdrawn: emptyNlri(Afi.Ipv4),
    attributes: attrs,
    nlri: nlriFromPrefixes(Afi.Ipv4, prefixes, addPath),
  };
}

function withdraw(prefixes: readonly (string | PrefixEntry)[], addPath = false): UpdateMessage {
  return {
    type: MessageType.Update,
    withdrawn: nlriFromPrefixes(Afi.Ipv4, prefixes, addPath),
    attributes: {},
    nlri: emptyNlri(Afi.Ipv4),
  };
}

const texts = (keys: readonly PrefixKey[]) => keys.map(prefixKeyToText);

describe("Adj-RIB-In", () => {
  it("applies announcements and withdrawals and reports the changed prefixes", () => {
    const interner = new AttrInterner();
    const sink = new LocRib();
    const rib = new AdjRibIn(ibgpPeer, interner, { sink });
    expect(texts(rib.apply(announce(["203.0.113.0/24", "203.0.113.10/32"])))).toEqual([
      "203.0.113.0/24",
      "203.0.113.10/32",
    ]);
    expect(rib.pathCount).toBe(2);
    expect(interner.size).toBe(1);
    const p = rib.get(prefixKeyFromText("203.0.113.10/32"));
    expect(p?.attrs.attrs).toEqual(attrsA);
    expect(p?.peer).toBe(ibgpPeer);
    // The paths are the Loc-RIB's candidates, waiting for selection.
    expect(sink.candidates(prefixKeyFromText("203.0.113.10/32"))).toEqual([p]);
    expect(sink.pendingCount).toBe(2);

    // Same attributes again: nothing changed. New attributes: an implicit withdraw.
    expect(rib.apply(announce(["203.0.113.0/24"]))).toEqual([]);
    expect(texts(rib.apply(announce(["203.0.113.0/24"], attrsB)))).toEqual(["203.0.113.0/24"]);
    expect(rib.get(prefixKeyFromText("203.0.113.0/24"))?.attrs.attrs).toEqual(attrsB);
    expect(interner.size).toBe(2);

    expect(texts(rib.apply(withdraw(["203.0.113.0/24", "198.51.100.0/24"])))).toEqual(["203.0.113.0/24"]);
    expect(rib.pathCount).toBe(1);
    expect(interner.size).toBe(1);
    expect(texts(rib.clear())).toEqual(["203.0.113.10/32"]);
    expect(rib.pathCount).toBe(0);
    expect(interner.size).toBe(0);
  });

  it("RFC 7606 treat-as-withdraw: every NLRI of the UPDATE counts as withdrawn", () => {
    const rib = new AdjRibIn(ibgpPeer, new AttrInterner());
    rib.apply(announce(["203.0.113.0/24", "203.0.113.10/32"]));
    const bad: UpdateMessage = { ...announce(["203.0.113.0/24", "198.51.100.0/24"]), treatAsWithdraw: true };
    expect(texts(rib.apply(bad))).toEqual(["203.0.113.0/24"]);
    expect(rib.get(prefixKeyFromText("203.0.113.0/24"))).toBeUndefined();
    expect(rib.get(prefixKeyFromText("198.51.100.0/24"))).toBeUndefined();
    expect(rib.pathCount).toBe(1);
  });

  it("ADD-PATH: paths are keyed by (prefix, path id); withdrawal by id", () => {
    const rib = new AdjRibIn(ibgpPeer, new AttrInterner());
    const vip = "203.0.113.10/32";
    rib.apply(
      announce(
        [
          { prefix: vip, pathId: 1 },
          { prefix: vip, pathId: 2 },
          { prefix: vip, pathId: 3 },
        ],
        attrsA,
        true,
      ),
    );
    expect(rib.pathCount).toBe(3);
    expect(new Set(rib.all().map((p) => p.prefix)).size).toBe(1);
    expect(texts(rib.apply(withdraw([{ prefix: vip, pathId: 2 }], true)))).toEqual([vip]);
    const key = prefixKeyFromText(vip);
    expect(rib.get(key, 1)).toBeDefined();
    expect(rib.get(key, 2)).toBeUndefined();
    expect(rib.get(key, 3)).toBeDefined();
    rib.apply(withdraw([{ prefix: vip, pathId: 1 }], true));
    expect(rib.all().map((p) => p.pathId)).toEqual([3]);
  });

  it("graceful restart helper: mark stale, replace as re-announced, purge the rest", () => {
    const interner = new AttrInterner();
    const rib = new AdjRibIn(ibgpPeer, interner);
    rib.apply(announce(["203.0.113.0/24", "203.0.113.10/32", "198.51.100.0/24"]));
    expect(rib.markAllStale()).toBe(3);
    // Re-announced unchanged: the stale flag clears, no change to report.
    expect(rib.apply(announce(["203.0.113.0/24"]))).toEqual([]);
    // Re-announced changed: a change, not stale.
    expect(texts(rib.apply(announce(["203.0.113.10/32"], attrsB)))).toEqual(["203.0.113.10/32"]);
    expect(rib.staleCount).toBe(1);
    expect(rib.get(prefixKeyFromText("203.0.113.0/24"))?.stale).toBe(false);
    expect(texts(rib.purgeStale())).toEqual(["198.51.100.0/24"]);
    expect(rib.pathCount).toBe(2);
    expect(rib.staleCount).toBe(0);
    expect(rib.markAllStale(Afi.Ipv6)).toBe(0);
  });

  it("MP-BGP IPv6: the MP_REACH next hop goes into the AttrSet; keys are strings", () => {
    const interner = new AttrInterner();
    const rib = new AdjRibIn(ibgpPeer, interner);
    const { nextHop: _v4, ...common } = attrsA;
    const update: UpdateMessage = {
      type: MessageType.Update,
      withdrawn: emptyNlri(Afi.Ipv4),
      attributes: common,
      nlri: emptyNlri(Afi.Ipv4),
      mpReach: {
        afi: Afi.Ipv6,
        safi: Safi.Unicast,
        nextHop: "2001:db8::1",
        linkLocalNextHop: "fe80::1",
        nlri: nlriFromPrefixes(Afi.Ipv6, ["2001:db8:1::/48"]),
      },
    };
    const [key] = rib.apply(update);
    expect(typeof key).toBe("string");
    const p = rib.get(key!);
    expect(p?.attrs.attrs.nextHop).toBe("2001:db8::1");
    expect(p?.attrs.linkLocalNextHop).toBe("fe80::1");
    const unreach: UpdateMessage = {
      type: MessageType.Update,
      withdrawn: emptyNlri(Afi.Ipv4),
      attributes: {},
      nlri: emptyNlri(Afi.Ipv4),
      mpUnreach: { afi: Afi.Ipv6, safi: Safi.Unicast, nlri: nlriFromPrefixes(Afi.Ipv6, ["2001:db8:1::/48"]) },
    };
    expect(rib.apply(unreach)).toEqual([key]);
    expect(interner.size).toBe(0);
  });

  it("keeps the raw attribute octets of a decoded UPDATE", () => {
    const ctx = makeContext({ fourOctetAs: true });
    const [frame] = packUpdates(attrsA, nlriFromPrefixes(Afi.Ipv4, ["203.0.113.0/24"]), ctx);
    const update = decodeMessage(frame!, ctx) as UpdateMessage;
    const rib = new AdjRibIn(ibgpPeer, new AttrInterner(), { fourOctetAs: true });
    const [key] = rib.apply(update);
    const set = rib.get(key!)!.attrs;
    expect(set.raw).toEqual(update.rawAttributes);
    expect(set.rawFourOctetAs).toBe(true);
  });

  it("RFC 8212: an eBGP peer without import policy gets nothing in", () => {
    const rib = new AdjRibIn(ebgpPeer, new AttrInterner());
    expect(rib.apply(announce(["203.0.113.0/24"]))).toEqual([]);
    expect(rib.pathCount).toBe(0);
  });

  it("eBGP: LOCAL_PREF is ignored and AS_PATH loops are refused", () => {
    const rib = new AdjRibIn(ebgpPeer, new AttrInterner(), { importPolicy: () => accept, localAs: 65000 });
    const [key] = rib.apply(announce(["203.0.113.0/24"], { ...attrsA, localPref: 500 }));
    expect(rib.get(key!)?.attrs.localPref).toBeUndefined();
    const loop = { ...attrsA, asPath: [{ type: 2 as const, asns: [65001, 65000, 65002] }] };
    expect(texts(rib.apply(announce(["203.0.113.0/24"], loop)))).toEqual(["203.0.113.0/24"]);
    expect(rib.pathCount).toBe(0);
  });

  it("import policy per prefix: accept, reject (treated as withdrawn) or modify", () => {
    const interner = new AttrInterner();
    const rib = new AdjRibIn(ibgpPeer, interner, {
      importPolicy: (route) => {
        const text = prefixKeyToText(route.prefix);
        if (text.startsWith("198.51.100.")) return reject;
        if (text === "203.0.113.10/32") return modify({ ...route.attrs, localPref: 300 });
        return accept;
      },
    });
    rib.apply(announce(["203.0.113.0/24", "203.0.113.10/32", "198.51.100.0/24"]));
    expect(rib.pathCount).toBe(2);
    expect(rib.get(prefixKeyFromText("203.0.113.10/32"))?.attrs.localPref).toBe(300);
    expect(rib.get(prefixKeyFromText("203.0.113.0/24"))?.attrs.localPref).toBeUndefined();
    expect(interner.size).toBe(2);
  });
});
