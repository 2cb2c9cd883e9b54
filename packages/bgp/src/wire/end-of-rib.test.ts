import { describe, expect, it } from "vitest";
import { attr, update } from "../../../../test/vectors/update-kit.js";
import { Afi, Safi } from "./constants.js";
import { defaultContext } from "./context.js";
import { endOfRib, isEndOfRib } from "./end-of-rib.js";
import { decodeUpdate, encodeUpdate } from "./update.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("End-of-RIB (RFC 4724 §2)", () => {
  it("is the empty 23-octet UPDATE for IPv4 unicast", () => {
    expect(hex(encodeUpdate(endOfRib(Afi.Ipv4, Safi.Unicast), defaultContext))).toBe(
      `${"ff".repeat(16)}0017020000 0000`.replace(/ /g, ""),
    );
    expect(isEndOfRib(decodeUpdate(update({}), defaultContext))).toEqual({ afi: 1, safi: 1 });
  });

  it("is an empty MP_UNREACH_NLRI for other families", () => {
    expect(hex(encodeUpdate(endOfRib(Afi.Ipv6, Safi.Unicast), defaultContext))).toBe(
      `${"ff".repeat(16)}001d02 0000 0006 800f03000201`.replace(/ /g, ""),
    );
    expect(isEndOfRib(decodeUpdate(update({ attrs: attr(0x80, 15, "000201") }), defaultContext))).toEqual({
      afi: 2,
      safi: 1,
    });
    expect(isEndOfRib(endOfRib(Afi.Ipv4, Safi.Multicast))).toEqual({ afi: 1, safi: 2 });
  });

  it("is not an UPDATE that carries anything", () => {
    const ctx = defaultContext;
    expect(isEndOfRib(decodeUpdate(update({ withdrawn: "18cb0071" }), ctx))).toBeNull();
    expect(isEndOfRib(decodeUpdate(update({ attrs: attr(0x40, 1, "00") }), ctx))).toBeNull();
    expect(
      isEndOfRib(decodeUpdate(update({ attrs: attr(0x80, 15, "000201 30 20010db80001") }), ctx)),
    ).toBeNull();
    expect(
      isEndOfRib(decodeUpdate(update({ attrs: attr(0x80, 15, "000201") + attr(0x40, 1, "00") }), ctx)),
    ).toBeNull();
  });
});
