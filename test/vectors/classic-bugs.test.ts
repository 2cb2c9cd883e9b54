/**
 * Regression tests for the bugs BGP implementations are known for: long
 * AS paths, AS4_PATH merging, Extended Length on short attributes, length
 * fields that lie, empty/odd COMMUNITIES, bad MP next-hop lengths, and
 * update packing at the exact size limit.
 */
import { describe, expect, it } from "vitest";
import {
  Afi,
  BgpWireError,
  type CodecContext,
  decodeUpdate,
  defaultContext,
  encodeUpdate,
  makeContext,
  mergeAsPath,
  type NlriList,
  nlriFromPrefixes,
  nlriToEntries,
  type PathAttributes,
  packUpdates,
  type UpdateMessage,
} from "../../packages/bgp/src/wire/index.js";
import { AS_PATH_65001, attr, MANDATORY, NLRI_1, ORIGIN_IGP, update } from "./update-kit.js";

const ctx4 = makeContext({ fourOctetAs: true });
const seq = (...asns: number[]) => ({ type: 2 as const, asns });
const empty4 = nlriFromPrefixes(Afi.Ipv4, []);

function msgWithPath(asns: number[]): UpdateMessage {
  return {
    type: 2,
    withdrawn: empty4,
    attributes: { origin: 0, asPath: [seq(...asns)], nextHop: "198.18.0.1" },
    nlri: nlriFromPrefixes(Afi.Ipv4, ["203.0.113.0/24"]),
  };
}

describe("AS_PATH longer than 255 ASNs", () => {
  const asns = Array.from({ length: 600 }, (_, i) => 4200000000 + i);

  it.each([
    ["2-octet", defaultContext],
    ["4-octet", ctx4],
  ])("is split into segments of at most 255 on a %s session and decodes back", (_n, ctx) => {
    const bytes = encodeUpdate(msgWithPath(asns), ctx);
    // AS_PATH starts after header(19) + 0000 + attr length(2) + ORIGIN(4): flags, type, 2-octet length.
    const at = 19 + 2 + 2 + 4;
    expect(bytes[at]).toBe(0x50);
    const size = ctx.fourOctetAs ? 4 : 2;
    expect([bytes[at + 4], bytes[at + 5]]).toEqual([2, 255]);
    expect([bytes[at + 4 + 2 + 255 * size], bytes[at + 4 + 2 + 255 * size + 1]]).toEqual([2, 255]);
    expect([bytes[at + 4 + 2 * (2 + 255 * size)], bytes[at + 4 + 2 * (2 + 255 * size) + 1]]).toEqual([2, 90]);
    const back = decodeUpdate(bytes, ctx);
    expect(back.attributes.asPath).toEqual([seq(...asns)]);
    expect(back.issues).toEqual([]);
  });
});

describe("AS4_PATH merge (RFC 6793 §4.2.3)", () => {
  it("prepends what an OLD speaker added in front of AS4_PATH", () => {
    expect(mergeAsPath([seq(65001, 65002, 23456, 23456)], [seq(4200000001, 4200000002)])).toEqual([
      seq(65001, 65002, 4200000001, 4200000002),
    ]);
  });

  it("ignores an AS4_PATH longer than AS_PATH instead of trusting it", () => {
    const attrs = ORIGIN_IGP + attr(0x40, 2, "0201 fde9") + attr(0x40, 3, "c6120001");
    const as4 = attr(0xc0, 17, "0203 fa56ea01 fa56ea02 fa56ea03");
    const m = decodeUpdate(update({ attrs: attrs + as4, nlri: NLRI_1 }), defaultContext);
    expect(m.attributes.asPath).toEqual([seq(65001)]);
    expect(m.issues).toEqual([]);
  });

  it("round-trips a path with 4-octet ASNs through a 2-octet session", () => {
    const msg = msgWithPath([65001, 4200000001, 65002, 4200000002]);
    expect(decodeUpdate(encodeUpdate(msg, defaultContext), defaultContext).attributes.asPath).toEqual(
      msg.attributes.asPath,
    );
  });
});

describe("Extended Length flag on short attributes", () => {
  it("decodes every attribute kind with a 2-octet length under 256", () => {
    const attrs =
      attr(0x50, 1, "00") +
      attr(0x50, 2, "0201fde9") +
      attr(0x50, 3, "c6120001") +
      attr(0x90, 4, "00000005") +
      attr(0xd0, 8, "fde90001") +
      attr(0xd0, 99, "");
    const m = decodeUpdate(update({ attrs, nlri: NLRI_1 }), defaultContext);
    expect(m.issues).toEqual([]);
    expect(m.attributes).toMatchObject({ origin: 0, asPath: [seq(65001)], nextHop: "198.18.0.1", med: 5 });
    // Re-encoded in the canonical (short) form.
    expect(encodeUpdate(m, defaultContext).length).toBe(m.rawAttributes!.length - 6 + 19 + 4 + 4);
  });
});

describe("length fields that lie", () => {
  const good = update({ withdrawn: "18c63364", attrs: MANDATORY, nlri: NLRI_1 });

  it("never crashes, hangs or reads out of bounds for any Withdrawn / Total Attribute Length", () => {
    for (let wl = 0; wl <= 0xffff; wl = wl < 64 ? wl + 1 : wl * 2 + 1) {
      for (let al = 0; al <= 0xffff; al = al < 64 ? al + 1 : al * 2 + 1) {
        const frame = good.slice();
        frame[19] = wl >>> 8;
        frame[20] = wl & 0xff;
        const at = 21 + Math.min(wl, frame.length - 23);
        frame[at] = al >>> 8;
        frame[at + 1] = al & 0xff;
        try {
          decodeUpdate(frame, defaultContext);
        } catch (e) {
          expect(e).toBeInstanceOf(BgpWireError);
        }
      }
    }
  });

  it("resets on a Withdrawn Routes Length that underflows into the attribute length", () => {
    const frame = good.slice();
    frame[20] = 0; // claims 0 withdrawn octets: 18c6 is then read as the attribute length
    expect(() => decodeUpdate(frame, defaultContext)).toThrow(
      expect.objectContaining({ subcode: 1, code: "ERR_BGP_UPDATE_ATTRIBUTE_LENGTH" }),
    );
  });

  it("treats a Total Attribute Length one short as withdraw, then resets on the NLRI it exposes", () => {
    // Length 17 of 18: NEXT_HOP overruns (RFC 7606 §4); its last octet becomes an NLRI length.
    const frame = good.slice();
    frame[26] = 17;
    expect(() => decodeUpdate(frame, defaultContext)).toThrow(expect.objectContaining({ subcode: 10 }));
  });

  it("treats an attribute overrunning the Total Attribute Length as withdraw when the NLRI still parse", () => {
    // MED claims 4 octets but the field ends after 2; the NLRI after the field are intact.
    const m = decodeUpdate(update({ attrs: `${MANDATORY}8004040000`, nlri: NLRI_1 }), defaultContext);
    expect(m.treatAsWithdraw).toBe(true);
    expect(nlriToEntries(m.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 0 }]);
  });
});

describe("COMMUNITIES of length 0 and of odd length", () => {
  it.each(["", "fd", "fde900", "fde90001fd"])("%j is treat-as-withdraw, never a crash", (value) => {
    const m = decodeUpdate(update({ attrs: MANDATORY + attr(0xc0, 8, value), nlri: NLRI_1 }), defaultContext);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.attributes.communities).toBeUndefined();
  });
});

describe("MP_REACH_NLRI with a bad next-hop length", () => {
  const GLOBAL = "20010db8000000000000000000000001";
  it.each([
    ["0", "00"],
    ["4 for IPv6", "04c6120001"],
    ["15", `0f${GLOBAL.slice(2)}`],
    ["33", `21${GLOBAL}${GLOBAL}00`],
    ["255 (past the attribute)", `ff${GLOBAL}`],
  ])("next-hop length %s disables IPv6 unicast and keeps the session", (_n, nh) => {
    const mp = attr(0x80, 14, `0002 01 ${nh} 00 30 20010db80001`);
    const m = decodeUpdate(update({ attrs: mp + ORIGIN_IGP + AS_PATH_65001 }), defaultContext);
    expect(m.mpReach).toBeUndefined();
    expect(m.issues).toEqual([expect.objectContaining({ action: "afi-safi-disable", afi: 2, safi: 1 })]);
  });
});

describe("packing at the size limit", () => {
  function slash32s(n: number): NlriList {
    return nlriFromPrefixes(
      Afi.Ipv4,
      Array.from({ length: n }, (_, i) => `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`),
    );
  }

  function checkMaximal(msgs: Uint8Array[], max: number, entry: number): void {
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(max);
    for (const m of msgs.slice(0, -1)) expect(m.length + entry).toBeGreaterThan(max);
  }

  it("fills 4096-octet UPDATEs exactly (IPv4 NLRI field)", () => {
    // 23 + 18 attribute octets + 811 * 5 = 4096
    const attrs: PathAttributes = { origin: 0, asPath: [seq(65001)], nextHop: "198.18.0.1" };
    const msgs = packUpdates(attrs, slash32s(811 * 2 + 1), defaultContext);
    expect(msgs.map((m) => m.length)).toEqual([4096, 4096, 41 + 5]);
    const total = msgs.reduce((n, m) => n + decodeUpdate(m, defaultContext).nlri.count, 0);
    expect(total).toBe(811 * 2 + 1);
  });

  it("fills 65535-octet UPDATEs exactly with extended messages (RFC 8654)", () => {
    // 23 + 32 attribute octets + 13096 * 5 = 65535
    const ctx: CodecContext = makeContext({ extendedMessage: true });
    const attrs: PathAttributes = {
      origin: 0,
      asPath: [seq(65001)],
      nextHop: "198.18.0.1",
      atomicAggregate: true,
      communities: [1, 2],
    };
    const msgs = packUpdates(attrs, slash32s(13096 + 10), ctx);
    expect(msgs.map((m) => m.length)).toEqual([65535, 55 + 50]);
    expect(decodeUpdate(msgs[0]!, ctx).nlri.count).toBe(13096);
    expect(() => decodeUpdate(msgs[0]!, ctx)).not.toThrow();
  });

  it("fills 4096-octet UPDATEs exactly with IPv6 in MP_REACH_NLRI", () => {
    // 23 + MP_REACH header 4 + (2+1+1+16+1) + 575 * 7 + 23 other attribute octets = 4096
    const attrs: PathAttributes = {
      origin: 0,
      asPath: [seq(65001, 65002)],
      localPref: 100,
      atomicAggregate: true,
    };
    const list = nlriFromPrefixes(
      Afi.Ipv6,
      Array.from({ length: 600 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
    );
    const msgs = packUpdates(attrs, list, defaultContext, { nextHop: "2001:db8::1" });
    expect(msgs[0]!.length).toBe(4096);
    expect(decodeUpdate(msgs[0]!, defaultContext).mpReach?.nlri.count).toBe(575);
  });

  it("never goes over with mixed prefix lengths, and each message is as full as it can be", () => {
    const prefixes = Array.from(
      { length: 5000 },
      (_, i) => `100.${64 + (i % 64)}.${(i >> 6) & 255}.0/${17 + (i % 8)}`,
    );
    const list = nlriFromPrefixes(Afi.Ipv4, prefixes);
    const attrs: PathAttributes = { origin: 0, asPath: [seq(65001)], nextHop: "198.18.0.1" };
    const msgs = packUpdates(attrs, list, defaultContext);
    checkMaximal(msgs, 4096, 4);
    expect(msgs.reduce((n, m) => n + decodeUpdate(m, defaultContext).nlri.count, 0)).toBe(5000);
  });
});
