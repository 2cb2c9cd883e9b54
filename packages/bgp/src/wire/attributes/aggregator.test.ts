import { describe, expect, it } from "vitest";
import {
  AS_PATH_65001_4,
  attr,
  MANDATORY,
  NEXT_HOP,
  NLRI_1,
  ORIGIN_IGP,
  update,
} from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext, makeContext } from "../context.js";
import { decodeUpdate } from "../update.js";

const ctx4 = makeContext({ fourOctetAs: true });
const MANDATORY_4 = ORIGIN_IGP + AS_PATH_65001_4 + NEXT_HOP;
const decode = (a: string, ctx = defaultContext) =>
  decodeUpdate(update({ attrs: (ctx.fourOctetAs ? MANDATORY_4 : MANDATORY) + a, nlri: NLRI_1 }), ctx);

describe("ATOMIC_AGGREGATE", () => {
  it("decodes", () => {
    expect(decode(attr(0x40, 6, "")).attributes.atomicAggregate).toBe(true);
  });

  it.each([
    ["length 1", attr(0x40, 6, "00")],
    ["Optional flag set", attr(0xc0, 6, "")],
  ])("%s is discarded (RFC 7606 §7.6)", (_n, hex) => {
    const m = decode(hex);
    expect(m.attributes.atomicAggregate).toBeUndefined();
    expect(m.issues).toEqual([expect.objectContaining({ action: "attribute-discard", attrType: 6 })]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });
});

describe("AGGREGATOR", () => {
  it("decodes 6 octets on a 2-octet session and 8 on a 4-octet one", () => {
    expect(decode(attr(0xc0, 7, "fde9 c6120009")).attributes.aggregator).toEqual({
      asn: 65001,
      address: "198.18.0.9",
    });
    expect(decode(attr(0xc0, 7, "fa56ea01 c6120009"), ctx4).attributes.aggregator).toEqual({
      asn: 4200000001,
      address: "198.18.0.9",
    });
  });

  it.each([
    [
      "length 8 on a 2-octet session",
      attr(0xc0, 7, "fa56ea01c6120009"),
      defaultContext,
      UpdateMessageSubcode.AttributeLengthError,
    ],
    [
      "length 6 on a 4-octet session",
      attr(0xc0, 7, "fde9c6120009"),
      ctx4,
      UpdateMessageSubcode.AttributeLengthError,
    ],
    [
      "AS 0 (RFC 7607)",
      attr(0xc0, 7, "0000c6120009"),
      defaultContext,
      UpdateMessageSubcode.OptionalAttributeError,
    ],
    [
      "not transitive",
      attr(0x80, 7, "fde9c6120009"),
      defaultContext,
      UpdateMessageSubcode.AttributeFlagsError,
    ],
  ])("%s is discarded (RFC 7606 §7.7)", (_n, hex, ctx, subcode) => {
    const m = decode(hex, ctx);
    expect(m.attributes.aggregator).toBeUndefined();
    expect(m.issues).toEqual([
      expect.objectContaining({ action: "attribute-discard", attrType: 7, subcode }),
    ]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });
});
