import { describe, expect, it } from "vitest";
import { AS_PATH_65001, attr, NLRI_1, ORIGIN_IGP, update } from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext, familyKey, Ipv4Unicast, Ipv6Unicast, makeContext } from "../context.js";
import { UpdateMessageError } from "../errors.js";
import { nlriToEntries } from "../nlri.js";
import { decodeUpdate } from "../update.js";

const base = ORIGIN_IGP + AS_PATH_65001;
const decode = (mp: string, ctx = defaultContext, nlri = "") =>
  decodeUpdate(update({ attrs: mp + base, nlri }), ctx);
const GLOBAL = "20010db8000000000000000000000001";
const LINK_LOCAL = "fe800000000000000000000000000001";
/** 2001:db8:1::/48 */
const V6_PREFIX = "30 20010db80001";

describe("MP_REACH_NLRI (RFC 4760 §3)", () => {
  it("decodes IPv6 unicast with a 16-octet next hop", () => {
    const m = decode(attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 ${V6_PREFIX}`));
    expect(m.mpReach).toMatchObject({ afi: 2, safi: 1, nextHop: "2001:db8::1" });
    expect(m.mpReach?.linkLocalNextHop).toBeUndefined();
    expect(nlriToEntries(m.mpReach!.nlri)).toEqual([{ prefix: "2001:db8:1::/48", pathId: 0 }]);
    expect(m.issues).toEqual([]);
  });

  it("decodes a 32-octet next hop as global + link-local (RFC 2545 §3)", () => {
    const m = decode(attr(0x80, 14, `0002 01 20 ${GLOBAL}${LINK_LOCAL} 00 ${V6_PREFIX}`));
    expect(m.mpReach).toMatchObject({ nextHop: "2001:db8::1", linkLocalNextHop: "fe80::1" });
  });

  it("decodes IPv4 unicast with an IPv4 next hop, and with an IPv6 one (RFC 8950)", () => {
    const v4 = decode(attr(0x80, 14, "0001 01 04 c6120001 00 18cb0071"));
    expect(v4.mpReach).toMatchObject({ afi: 1, safi: 1, nextHop: "198.18.0.1" });
    const v6nh = decode(attr(0x80, 14, `0001 01 10 ${GLOBAL} 00 18cb0071`));
    expect(v6nh.mpReach).toMatchObject({ afi: 1, nextHop: "2001:db8::1" });
    expect(nlriToEntries(v6nh.mpReach!.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 0 }]);
  });

  it("reads path identifiers when ADD-PATH receive is on for the family only", () => {
    const ctx = makeContext({ addPathReceive: new Set([Ipv6Unicast]) });
    const m = decode(attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 00000009 ${V6_PREFIX}`), ctx);
    expect(m.mpReach!.nlri.addPath).toBe(true);
    expect(nlriToEntries(m.mpReach!.nlri)).toEqual([{ prefix: "2001:db8:1::/48", pathId: 9 }]);
    const v4only = makeContext({ addPathReceive: new Set([Ipv4Unicast]) });
    expect(decode(attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 ${V6_PREFIX}`), v4only).mpReach!.nlri.addPath).toBe(
      false,
    );
  });

  it.each([
    ["a next-hop length of 4 for IPv6", `0002 01 04 c6120001 00 ${V6_PREFIX}`],
    ["a next-hop length of 15", `0002 01 0f ${GLOBAL.slice(2)} 00`],
    ["a next-hop length past the attribute", "0002 01 20 20010db8 00"],
    ["a next-hop length of 0", `0002 01 00 00 ${V6_PREFIX}`],
    ["no Reserved octet", `0002 01 10 ${GLOBAL}`],
    ["a prefix length of 129", `0002 01 10 ${GLOBAL} 00 81 20010db8000000000000000000000000`],
    ["a prefix running past the attribute", `0002 01 10 ${GLOBAL} 00 40 20010db8`],
    ["the Transitive flag", `0002 01 10 ${GLOBAL} 00`, 0xc0],
  ])("%s disables the AFI/SAFI (RFC 7606 §7.11)", (_n, value, flags = 0x80) => {
    const m = decode(attr(flags, 14, value));
    expect(m.mpReach).toBeUndefined();
    expect(m.issues).toEqual([
      expect.objectContaining({ action: "afi-safi-disable", attrType: 14, afi: 2, safi: 1 }),
    ]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });

  it("reports a family it cannot parse as AFI/SAFI disable", () => {
    const m = decode(attr(0x80, 14, "0001 80 0c 0000000000000000c6120001 00"));
    expect(m.issues).toEqual([
      expect.objectContaining({
        action: "afi-safi-disable",
        afi: 1,
        safi: 128,
        code: "ERR_BGP_UPDATE_UNSUPPORTED_FAMILY",
      }),
    ]);
  });

  it("resets the session when not even the AFI/SAFI can be read", () => {
    const frame = update({ attrs: attr(0x80, 14, "0002") + base });
    const err = (() => {
      try {
        decodeUpdate(frame, defaultContext);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UpdateMessageError);
    expect((err as UpdateMessageError).subcode).toBe(UpdateMessageSubcode.OptionalAttributeError);
    expect(Buffer.from((err as UpdateMessageError).data).toString("hex")).toBe("800e020002");
  });

  it("keeps IPv4 NLRI in the NLRI field usable when MP_REACH_NLRI is malformed", () => {
    const ctx = makeContext({});
    const m = decode(attr(0x80, 14, "0002 01 04 c6120001 00") + attr(0x40, 3, "c6120001"), ctx, NLRI_1);
    expect(nlriToEntries(m.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 0 }]);
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(familyKey(m.issues![0]!.afi!, m.issues![0]!.safi!)).toBe(Ipv6Unicast);
  });
});
