import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, update } from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext } from "../context.js";
import { decodeUpdate } from "../update.js";
import {
  formatCommunity,
  GRACEFUL_SHUTDOWN,
  NO_ADVERTISE,
  NO_EXPORT,
  NO_EXPORT_SUBCONFED,
  NO_PEER,
  parseCommunity,
} from "./communities.js";
import { encodeAttributes } from "./encode-attributes.js";

const decode = (a: string) => decodeUpdate(update({ attrs: MANDATORY + a, nlri: NLRI_1 }), defaultContext);

describe("COMMUNITIES", () => {
  it("decodes a list of 32-bit values", () => {
    const m = decode(attr(0xc0, 8, "fde90001 ffffff01 ffff0000"));
    expect(m.attributes.communities).toEqual([((65001 << 16) | 1) >>> 0, NO_EXPORT, GRACEFUL_SHUTDOWN]);
  });

  it.each([
    ["length 0", attr(0xc0, 8, "")],
    ["length 5", attr(0xc0, 8, "fde9000101")],
    ["length 2", attr(0xc0, 8, "fde9")],
    ["not transitive", attr(0x80, 8, "fde90001")],
  ])("%s is treat-as-withdraw (RFC 7606 §7.8)", (_n, hex) => {
    const m = decode(hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: 8 })]);
    expect(m.attributes.communities).toBeUndefined();
  });

  it("reports a bad length with Attribute Length Error", () => {
    expect(decode(attr(0xc0, 8, "fde900")).issues?.[0]?.subcode).toBe(
      UpdateMessageSubcode.AttributeLengthError,
    );
  });

  it("writes nothing for an empty list (a zero-length attribute would be malformed)", () => {
    expect(encodeAttributes({ communities: [] }, defaultContext)).toEqual(new Uint8Array(0));
  });
});

describe("community text", () => {
  it("names the well-known communities", () => {
    expect(GRACEFUL_SHUTDOWN).toBe(0xffff0000);
    expect(formatCommunity(GRACEFUL_SHUTDOWN)).toBe("graceful-shutdown");
    expect(formatCommunity(NO_EXPORT)).toBe("no-export");
    expect(formatCommunity(NO_ADVERTISE)).toBe("no-advertise");
    expect(formatCommunity(NO_EXPORT_SUBCONFED)).toBe("no-export-subconfed");
    expect(formatCommunity(NO_PEER)).toBe("no-peer");
    expect(formatCommunity((65000 << 16) | 1)).toBe("65000:1");
  });

  it("parses both forms", () => {
    expect(parseCommunity("65000:1")).toBe(((65000 << 16) | 1) >>> 0);
    expect(parseCommunity("65535:0")).toBe(GRACEFUL_SHUTDOWN);
    expect(parseCommunity("no-export")).toBe(NO_EXPORT);
    expect(parseCommunity("NO-EXPORT")).toBe(NO_EXPORT);
    expect(parseCommunity("0:0")).toBe(0);
  });

  it.each(["65536:1", "1:65536", "65000", "a:b", "", "1:2:3", "-1:2"])("rejects %j", (t) => {
    expect(() => parseCommunity(t)).toThrow(RangeError);
  });
});
