import { describe, expect, it } from "vitest";
import { AS_PATH_65001, attr, NEXT_HOP, NLRI_1, update } from "../../../../../test/vectors/update-kit.js";
import { Origin, UpdateMessageSubcode } from "../constants.js";
import { defaultContext } from "../context.js";
import { decodeUpdate, encodeUpdate } from "../update.js";

const rest = AS_PATH_65001 + NEXT_HOP;
const decode = (origin: string) =>
  decodeUpdate(update({ attrs: origin + rest, nlri: NLRI_1 }), defaultContext);

describe("ORIGIN", () => {
  it.each([
    [0, Origin.Igp],
    [1, Origin.Egp],
    [2, Origin.Incomplete],
  ])("decodes value %i", (v, origin) => {
    const m = decode(attr(0x40, 1, v.toString(16).padStart(2, "0")));
    expect(m.attributes.origin).toBe(origin);
    expect(m.issues).toEqual([]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });

  it.each([
    ["undefined value 3", attr(0x40, 1, "03"), UpdateMessageSubcode.InvalidOriginAttribute],
    ["length 2", attr(0x40, 1, "0000"), UpdateMessageSubcode.AttributeLengthError],
    ["length 0", attr(0x40, 1, ""), UpdateMessageSubcode.AttributeLengthError],
    ["Optional flag set", attr(0xc0, 1, "00"), UpdateMessageSubcode.AttributeFlagsError],
    ["Transitive flag clear", attr(0x00, 1, "00"), UpdateMessageSubcode.AttributeFlagsError],
  ])("%s is treat-as-withdraw (RFC 7606 §7.1, §3.c)", (_name, hex, subcode) => {
    const m = decode(hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([
      expect.objectContaining({ action: "treat-as-withdraw", attrType: 1, subcode }),
    ]);
    expect(m.attributes.origin).toBeUndefined();
    expect(m.rawAttributes).toBeUndefined();
  });

  it("ignores the Partial bit on a well-known attribute and re-encodes without it", () => {
    const m = decode(attr(0x60, 1, "02"));
    expect(m.attributes.origin).toBe(Origin.Incomplete);
    expect(m.issues).toEqual([]);
    const again = decodeUpdate(encodeUpdate(m, defaultContext), defaultContext);
    expect(again.rawAttributes?.[0]).toBe(0x40);
  });
});
