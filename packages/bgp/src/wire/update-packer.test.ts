import { describe, expect, it } from "vitest";
import { Afi, Header } from "./constants.js";
import {
  type CodecContext,
  defaultContext,
  Ipv4Unicast,
  Ipv6Unicast,
  makeContext,
  mirrorContext,
} from "./context.js";
import type { PathAttributes } from "./messages.js";
import { type NlriList, nlriFromPrefixes, nlriToEntries, strideOf } from "./nlri.js";
import { decodeUpdate } from "./update.js";
import { packUpdates, packWithdrawals } from "./update-packer.js";

const attrs: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: "198.18.0.1" };

function v4(n: number, len = 32): NlriList {
  return nlriFromPrefixes(
    Afi.Ipv4,
    Array.from({ length: n }, (_, i) => `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/${len}`),
  );
}

function v6(n: number): NlriList {
  return nlriFromPrefixes(
    Afi.Ipv6,
    Array.from({ length: n }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
  );
}

function decodedCount(msgs: Uint8Array[], ctx: CodecContext): { nlri: string[]; ids: number[] } {
  const nlri: string[] = [];
  const ids: number[] = [];
  for (const m of msgs) {
    const u = decodeUpdate(m, mirrorContext(ctx));
    expect(u.issues).toEqual([]);
    for (const list of [u.nlri, u.withdrawn, u.mpReach?.nlri, u.mpUnreach?.nlri]) {
      if (list === undefined) continue;
      for (const e of nlriToEntries(list)) {
        nlri.push(e.prefix);
        ids.push(e.pathId);
      }
    }
  }
  return { nlri, ids };
}

describe("packUpdates", () => {
  it("fills every UPDATE but the last exactly to 4096 when prefixes divide evenly", () => {
    // 23 + 18 attribute octets leave 4055 octets: 811 /32 prefixes of 5 octets each
    const msgs = packUpdates(attrs, v4(2000), defaultContext);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(Header.maxMessageLength);
    expect(msgs[0]!.length).toBe(Header.maxMessageLength);
    expect(decodedCount(msgs, defaultContext).nlri).toEqual(nlriToEntries(v4(2000)).map((e) => e.prefix));
  });

  it("writes the attribute set once per message and NEXT_HOP for IPv4", () => {
    const [m] = packUpdates(attrs, v4(3), defaultContext);
    const u = decodeUpdate(m!, defaultContext);
    expect(u.attributes).toEqual(attrs);
  });

  it("puts IPv6 prefixes in one MP_REACH_NLRI per message, without NEXT_HOP", () => {
    const msgs = packUpdates(attrs, v6(1500), defaultContext, {
      nextHop: "2001:db8::1",
      linkLocalNextHop: "fe80::1",
    });
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(Header.maxMessageLength);
      const u = decodeUpdate(m, defaultContext);
      expect(u.attributes.nextHop).toBeUndefined();
      expect(u.mpReach).toMatchObject({
        afi: 2,
        safi: 1,
        nextHop: "2001:db8::1",
        linkLocalNextHop: "fe80::1",
      });
    }
    expect(decodedCount(msgs, defaultContext).nlri).toHaveLength(1500);
  });

  it("takes the IPv6 next hop from attrs.nextHop when opts has none", () => {
    const [m] = packUpdates({ ...attrs, nextHop: "2001:db8::2" }, v6(1), defaultContext);
    expect(decodeUpdate(m!, defaultContext).mpReach?.nextHop).toBe("2001:db8::2");
    expect(() => packUpdates({ origin: 0, asPath: [] }, v6(1), defaultContext)).toThrow(RangeError);
  });

  it("sends IPv4 prefixes in MP_REACH_NLRI with an IPv6 next hop (RFC 8950)", () => {
    const [m] = packUpdates(attrs, v4(2), defaultContext, { nextHop: "2001:db8::1" });
    const u = decodeUpdate(m!, defaultContext);
    expect(u.nlri.count).toBe(0);
    expect(u.mpReach).toMatchObject({ afi: 1, safi: 1, nextHop: "2001:db8::1" });
    expect(u.mpReach?.nlri.count).toBe(2);
  });

  it("writes path identifiers per ctx.addPathSend", () => {
    const ctx = makeContext({ addPathSend: new Set([Ipv4Unicast, Ipv6Unicast]) });
    const list = nlriFromPrefixes(Afi.Ipv4, [
      { prefix: "203.0.113.1/32", pathId: 1 },
      { prefix: "203.0.113.1/32", pathId: 2 },
    ]);
    expect(decodedCount(packUpdates(attrs, list, ctx), ctx).ids).toEqual([1, 2]);
  });

  it("uses the 3-octet MP_REACH header when the value fits 255 octets, and the 4-octet one above", () => {
    const small = packUpdates(attrs, v6(5), defaultContext, { nextHop: "2001:db8::1" })[0]!;
    expect(small[23]).toBe(0x80);
    const big = packUpdates(attrs, v6(100), defaultContext, { nextHop: "2001:db8::1" })[0]!;
    expect(big[23]).toBe(0x90);
  });

  it("returns nothing for an empty list and refuses attributes that leave no room", () => {
    expect(packUpdates(attrs, v4(0), defaultContext)).toEqual([]);
    const huge: PathAttributes = { ...attrs, communities: Array.from({ length: 1100 }, (_, i) => i) };
    expect(() => packUpdates(huge, v4(1), defaultContext)).toThrow(RangeError);
  });
});

describe("packWithdrawals", () => {
  it("packs IPv4 into the Withdrawn Routes field up to the limit", () => {
    const msgs = packWithdrawals(v4(3000, 24), defaultContext);
    // 4 octets per /24: (4096 - 23) / 4 = 1018 per message, 4095 octets
    expect(msgs.map((m) => m.length)).toEqual([4095, 4095, 23 + 964 * 4]);
    expect(decodedCount(msgs, defaultContext).nlri).toHaveLength(3000);
  });

  it("packs IPv6 into MP_UNREACH_NLRI", () => {
    const msgs = packWithdrawals(v6(1200), defaultContext);
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(4096);
      const u = decodeUpdate(m, defaultContext);
      expect(u.mpUnreach).toMatchObject({ afi: 2, safi: 1 });
      expect(Object.keys(u.attributes)).toEqual([]);
    }
    expect(decodedCount(msgs, defaultContext).nlri).toHaveLength(1200);
    expect(strideOf(Afi.Ipv6)).toBe(6);
  });
});
