/** EXTENDED_COMMUNITIES (extended-communities.ts) and LARGE_COMMUNITY (large-communities.ts). */
import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, update } from "../../../../../test/vectors/update-kit.js";
import { defaultContext } from "../context.js";
import { decodeUpdate } from "../update.js";
import { encodeAttributes } from "./encode-attributes.js";
import { formatLargeCommunity, parseLargeCommunity } from "./large-communities.js";

const decode = (a: string) => decodeUpdate(update({ attrs: MANDATORY + a, nlri: NLRI_1 }), defaultContext);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("EXTENDED_COMMUNITIES (RFC 4360)", () => {
  it("decodes 8-octet values and encodes them back", () => {
    const m = decode(attr(0xc0, 16, "0002fde900000001 4300000000000000"));
    expect(m.attributes.extendedCommunities?.map(hex)).toEqual(["0002fde900000001", "4300000000000000"]);
    expect(
      hex(encodeAttributes({ extendedCommunities: m.attributes.extendedCommunities! }, defaultContext)),
    ).toBe("c010100002fde9000000014300000000000000");
  });

  it.each([
    ["length 0", attr(0xc0, 16, "")],
    ["length 12", attr(0xc0, 16, "0002fde900000001 00000000")],
    ["not transitive", attr(0x80, 16, "0002fde900000001")],
  ])("%s is treat-as-withdraw (RFC 7606 §7.14)", (_n, h) => {
    const m = decode(h);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: 16 })]);
  });

  it("rejects a value that is not 8 octets on encode", () => {
    expect(() => encodeAttributes({ extendedCommunities: [new Uint8Array(7)] }, defaultContext)).toThrow(
      RangeError,
    );
  });
});

describe("LARGE_COMMUNITY (RFC 8092)", () => {
  it("decodes 12-octet values", () => {
    const m = decode(attr(0xc0, 32, "fa56ea01 00000001 00000002"));
    expect(m.attributes.largeCommunities).toEqual([
      { globalAdmin: 4200000001, localData1: 1, localData2: 2 },
    ]);
  });

  it.each([
    ["length 0", attr(0xc0, 32, "")],
    ["length 8", attr(0xc0, 32, "fa56ea01 00000001")],
    ["length 13", attr(0xc0, 32, "fa56ea01 00000001 00000002 00")],
  ])("%s is treat-as-withdraw (RFC 8092 §6)", (_n, h) => {
    const m = decode(h);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: 32 })]);
  });

  it("keeps duplicates (RFC 8092 §6: not malformed)", () => {
    const m = decode(attr(0xc0, 32, "000000010000000200000003 000000010000000200000003"));
    expect(m.attributes.largeCommunities).toHaveLength(2);
    expect(m.issues).toEqual([]);
  });

  it("formats and parses text", () => {
    expect(formatLargeCommunity({ globalAdmin: 4200000001, localData1: 1, localData2: 2 })).toBe(
      "4200000001:1:2",
    );
    expect(parseLargeCommunity("4200000001:1:2")).toEqual({
      globalAdmin: 4200000001,
      localData1: 1,
      localData2: 2,
    });
    expect(() => parseLargeCommunity("4294967296:1:2")).toThrow(RangeError);
    expect(() => parseLargeCommunity("1:2")).toThrow(RangeError);
  });
});
