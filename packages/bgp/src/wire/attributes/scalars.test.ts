/** NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF: fixed 4-octet values (next-hop.ts, med.ts, local-pref.ts). */
import { describe, expect, it } from "vitest";
import {
  AS_PATH_65001,
  attr,
  NEXT_HOP,
  NLRI_1,
  ORIGIN_IGP,
  update,
} from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext } from "../context.js";
import { decodeUpdate } from "../update.js";
import { encodeAttributes } from "./encode-attributes.js";

const decode = (attrs: string) => decodeUpdate(update({ attrs, nlri: NLRI_1 }), defaultContext);
const base = ORIGIN_IGP + AS_PATH_65001;

describe("NEXT_HOP (RFC 7606 §7.3)", () => {
  it("decodes", () => {
    expect(decode(base + NEXT_HOP).attributes.nextHop).toBe("198.18.0.1");
  });

  it.each([
    ["length 3", attr(0x40, 3, "c61200"), UpdateMessageSubcode.AttributeLengthError],
    ["length 5", attr(0x40, 3, "c612000100"), UpdateMessageSubcode.AttributeLengthError],
    ["Optional flag set", attr(0xc0, 3, "c6120001"), UpdateMessageSubcode.AttributeFlagsError],
  ])("%s is treat-as-withdraw", (_n, hex, subcode) => {
    const m = decode(base + hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([
      expect.objectContaining({ action: "treat-as-withdraw", attrType: 3, subcode }),
    ]);
  });

  it("rejects an IPv6 text next hop on encode (it belongs in MP_REACH_NLRI)", () => {
    expect(() => encodeAttributes({ nextHop: "2001:db8::1" }, defaultContext)).toThrow(RangeError);
  });
});

describe("MULTI_EXIT_DISC (RFC 7606 §7.4)", () => {
  it("decodes the full 32-bit range", () => {
    expect(decode(base + NEXT_HOP + attr(0x80, 4, "ffffffff")).attributes.med).toBe(0xffffffff);
  });

  it.each([
    ["length 2", attr(0x80, 4, "0001")],
    ["Transitive flag set", attr(0xc0, 4, "00000001")],
    ["well-known flags", attr(0x40, 4, "00000001")],
  ])("%s is treat-as-withdraw", (_n, hex) => {
    const m = decode(base + NEXT_HOP + hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: 4 })]);
  });
});

describe("LOCAL_PREF (RFC 7606 §7.5)", () => {
  it("decodes", () => {
    expect(decode(base + NEXT_HOP + attr(0x40, 5, "000000c8")).attributes.localPref).toBe(200);
  });

  it.each([
    ["length 0", attr(0x40, 5, "")],
    ["length 8", attr(0x40, 5, "000000c8000000c8")],
    ["Optional flag set", attr(0xc0, 5, "000000c8")],
  ])("%s is treat-as-withdraw", (_n, hex) => {
    const m = decode(base + NEXT_HOP + hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: 5 })]);
  });
});
