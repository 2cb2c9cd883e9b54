import { describe, expect, it } from "vitest";
import { attr, NEXT_HOP, NLRI_1, ORIGIN_IGP, update } from "../../../../../test/vectors/update-kit.js";
import { AsPathSegmentType, AsTrans, UpdateMessageSubcode } from "../constants.js";
import { defaultContext, makeContext } from "../context.js";
import { decodeUpdate } from "../update.js";
import { asPathCodec, type concatPaths, decodeSegments, pathLength } from "./as-path.js";
import { ByteWriter } from "./bytes.js";

const ctx4 = makeContext({ fourOctetAs: true });
const decode = (asPath: string, ctx = defaultContext) =>
  decodeUpdate(update({ attrs: ORIGIN_IGP + asPath + NEXT_HOP, nlri: NLRI_1 }), ctx);
const { AsSet, AsSequence, AsConfedSequence, AsConfedSet } = AsPathSegmentType;

function encodeHex(segments: Parameters<typeof concatPaths>[0], ctx = defaultContext): string {
  const w = new ByteWriter();
  asPathCodec.encode({ attrs: { asPath: segments } }, ctx, w);
  return Buffer.from(w.finish()).toString("hex");
}

describe("AS_PATH decode", () => {
  it("reads 2-octet ASNs on a 2-octet session", () => {
    const m = decode(attr(0x40, 2, "0202 fde9 fdea 0101 fdf2"));
    expect(m.attributes.asPath).toEqual([
      { type: AsSequence, asns: [65001, 65002] },
      { type: AsSet, asns: [65010] },
    ]);
  });

  it("reads 4-octet ASNs on a 4-octet session", () => {
    const m = decode(attr(0x40, 2, "0202 fa56ea01 0000fde9"), ctx4);
    expect(m.attributes.asPath).toEqual([{ type: AsSequence, asns: [4200000001, 65001] }]);
  });

  it("accepts an empty AS_PATH (iBGP origination)", () => {
    expect(decode(attr(0x40, 2, "")).attributes.asPath).toEqual([]);
  });

  it("keeps short adjacent segments as received, confederation segments included", () => {
    const m = decode(attr(0x40, 2, "0301fc00 0301fc01 0201fde9 0201fdea 0401fc02"));
    expect(m.attributes.asPath).toEqual([
      { type: AsConfedSequence, asns: [64512] },
      { type: AsConfedSequence, asns: [64513] },
      { type: AsSequence, asns: [65001] },
      { type: AsSequence, asns: [65002] },
      { type: AsConfedSet, asns: [64514] },
    ]);
  });

  it("reads a full 255-ASN AS_SEQUENCE followed by another as one sequence", () => {
    const full = `02ff${"fde9".repeat(255)}`;
    const m = decode(attr(0x50, 2, `${full}0201fdea0101fdeb`));
    expect(m.attributes.asPath).toEqual([
      { type: AsSequence, asns: [...new Array<number>(255).fill(65001), 65002] },
      { type: AsSet, asns: [65003] },
    ]);
  });

  it.each([
    ["unknown segment type 5", "0501fde9"],
    ["unknown segment type 0", "0001fde9"],
    ["segment of length zero", "0200"],
    ["segment overrunning the attribute", "0203fde9fdea"],
    ["one octet left after the last segment", "0201fde902"],
    ["AS 0 (RFC 7607)", "02010000"],
  ])("%s is treat-as-withdraw with Malformed AS_PATH (RFC 7606 §7.2)", (_n, value) => {
    const m = decode(attr(0x40, 2, value));
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([
      expect.objectContaining({
        action: "treat-as-withdraw",
        attrType: 2,
        subcode: UpdateMessageSubcode.MalformedAsPath,
      }),
    ]);
  });

  it("flags an odd length on a 4-octet session as malformed", () => {
    expect(decode(attr(0x40, 2, "0201fde9"), ctx4).treatAsWithdraw).toBe(true);
  });

  it("never reads past the attribute for any length octet", () => {
    const buf = Uint8Array.of(2, 255, 0, 1);
    expect(Array.isArray(decodeSegments(buf, 0, 4, 2))).toBe(false);
  });
});

describe("AS_PATH encode", () => {
  it("writes AS_TRANS for 4-octet ASNs on a 2-octet session", () => {
    expect(AsTrans).toBe(0x5ba0);
    expect(encodeHex([{ type: AsSequence, asns: [65001, 4200000001] }])).toBe("4002060202fde95ba0");
  });

  it("writes 4-octet ASNs on a 4-octet session", () => {
    expect(encodeHex([{ type: AsSequence, asns: [4200000001] }], ctx4)).toBe("4002060201fa56ea01");
  });

  it("splits a segment of more than 255 ASNs and uses the extended length when needed", () => {
    const asns = Array.from({ length: 300 }, (_, i) => 64512 + i);
    const hex = encodeHex([{ type: AsSequence, asns }]);
    // 2 + 255*2 + 2 + 45*2 = 604 octets: Extended Length form
    expect(hex.slice(0, 8)).toBe("5002025c");
    expect(hex.slice(8, 12)).toBe("02ff");
    expect(hex.slice(12 + 255 * 4, 12 + 255 * 4 + 4)).toBe("022d");
  });

  it("rejects an ASN out of range", () => {
    expect(() => encodeHex([{ type: AsSequence, asns: [2 ** 32] }], ctx4)).toThrow(RangeError);
  });
});

describe("pathLength", () => {
  it("counts a SET as one and confederation segments as none", () => {
    expect(
      pathLength([
        { type: AsConfedSequence, asns: [64512, 64513] },
        { type: AsSequence, asns: [1, 2, 3] },
        { type: AsSet, asns: [4, 5] },
      ]),
    ).toBe(4);
  });
});
