import { describe, expect, it } from "vitest";
import { attr, NEXT_HOP, NLRI_1, ORIGIN_IGP, update } from "../../../../../test/vectors/update-kit.js";
import { AsPathSegmentType } from "../constants.js";
import { defaultContext, makeContext } from "../context.js";
import type { AsPathSegment } from "../messages.js";
import { decodeUpdate } from "../update.js";
import { mergeAsPath } from "./as4.js";
import { encodeAttributes } from "./encode-attributes.js";

const { AsSet, AsSequence, AsConfedSequence } = AsPathSegmentType;
const seq = (...asns: number[]): AsPathSegment => ({ type: AsSequence, asns });
const decode = (attrs: string, ctx = defaultContext) =>
  decodeUpdate(update({ attrs: ORIGIN_IGP + attrs + NEXT_HOP, nlri: NLRI_1 }), ctx);

describe("mergeAsPath (RFC 6793 §4.2.3)", () => {
  it("replaces AS_TRANS when both have the same length", () => {
    expect(mergeAsPath([seq(23456, 65002)], [seq(4200000001, 65002)])).toEqual([seq(4200000001, 65002)]);
  });

  it("keeps the ASNs an old speaker prepended", () => {
    expect(mergeAsPath([seq(65001, 23456, 23456)], [seq(4200000001, 4200000002)])).toEqual([
      seq(65001, 4200000001, 4200000002),
    ]);
  });

  it("ignores an AS4_PATH longer than AS_PATH", () => {
    expect(mergeAsPath([seq(65001)], [seq(4200000001, 4200000002)])).toEqual([seq(65001)]);
  });

  it("counts an AS_SET as one and takes it whole", () => {
    const asPath: AsPathSegment[] = [seq(65001), { type: AsSet, asns: [1, 2, 3] }, seq(23456)];
    expect(mergeAsPath(asPath, [seq(4200000001)])).toEqual([
      seq(65001),
      { type: AsSet, asns: [1, 2, 3] },
      seq(4200000001),
    ]);
  });

  it("carries a leading confederation segment along", () => {
    const confed: AsPathSegment = { type: AsConfedSequence, asns: [64512] };
    expect(mergeAsPath([confed, seq(65001, 23456)], [seq(4200000001)])).toEqual([
      confed,
      seq(65001, 4200000001),
    ]);
  });
});

describe("AS4_PATH / AS4_AGGREGATOR decode", () => {
  const asPath = attr(0x40, 2, "0203 fde9 5ba0 5ba0");
  const as4Path = attr(0xc0, 17, "0202 fa56ea01 fa56ea02");
  const aggTrans = attr(0xc0, 7, "5ba0 c6120002");
  const as4Agg = attr(0xc0, 18, "fa56ea02 c6120002");

  it("merges both on a 2-octet session", () => {
    const m = decode(asPath + aggTrans + as4Path + as4Agg);
    expect(m.attributes.asPath).toEqual([seq(65001, 4200000001, 4200000002)]);
    expect(m.attributes.aggregator).toEqual({ asn: 4200000002, address: "198.18.0.2" });
    expect(m.issues).toEqual([]);
  });

  it("ignores both when AGGREGATOR is not AS_TRANS", () => {
    const m = decode(asPath + attr(0xc0, 7, "fde9 c6120002") + as4Path + as4Agg);
    expect(m.attributes.asPath).toEqual([seq(65001, 23456, 23456)]);
    expect(m.attributes.aggregator).toEqual({ asn: 65001, address: "198.18.0.2" });
  });

  it("discards them on a 4-octet session (§4.1)", () => {
    const ctx4 = makeContext({ fourOctetAs: true });
    const m = decode(attr(0x40, 2, "0201 0000fde9") + attr(0xc0, 17, "0201 fa56ea01"), ctx4);
    expect(m.attributes.asPath).toEqual([seq(65001)]);
    expect(m.issues).toEqual([
      expect.objectContaining({
        action: "attribute-discard",
        attrType: 17,
        code: "ERR_BGP_UPDATE_AS4_FROM_NEW_SPEAKER",
      }),
    ]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });

  it.each([
    ["AS4_PATH with a confederation segment", attr(0xc0, 17, "0301 fa56ea01"), 17],
    ["AS4_PATH with a truncated ASN", attr(0xc0, 17, "0201 fa56ea"), 17],
    ["AS4_PATH with AS 0", attr(0xc0, 17, "0201 00000000"), 17],
    ["AS4_AGGREGATOR of length 6", attr(0xc0, 18, "fa56 c6120002"), 18],
    ["AS4_AGGREGATOR with AS 0", attr(0xc0, 18, "00000000 c6120002"), 18],
    ["AS4_PATH that is not transitive", attr(0x80, 17, "0201 fa56ea01"), 17],
  ])("%s is discarded (RFC 6793 §6)", (_n, hex, type) => {
    const m = decode(asPath + hex);
    expect(m.issues).toEqual([expect.objectContaining({ action: "attribute-discard", attrType: type })]);
    expect(m.attributes.asPath).toEqual([seq(65001, 23456, 23456)]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });
});

describe("AS4_PATH / AS4_AGGREGATOR encode (RFC 6793 §4.2.2)", () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

  it("adds both on a 2-octet session when an ASN needs 4 octets, without confederation segments", () => {
    const out = encodeAttributes(
      {
        asPath: [{ type: AsConfedSequence, asns: [64512] }, seq(4200000001, 65002)],
        aggregator: { asn: 4200000001, address: "198.18.0.2" },
      },
      defaultContext,
    );
    expect(hex(out)).toBe(
      "40020a" +
        "0301fc00" +
        "02025ba0fdea" +
        "c00706" +
        "5ba0c6120002" +
        "c0110a" +
        "0202fa56ea010000fdea" +
        "c01208" +
        "fa56ea01c6120002",
    );
  });

  it("adds neither when every ASN fits in 2 octets, nor on a 4-octet session", () => {
    const attrs = { asPath: [seq(65001)], aggregator: { asn: 65001, address: "198.18.0.2" } };
    expect(hex(encodeAttributes(attrs, defaultContext))).toBe("4002040201fde9c00706fde9c6120002");
    const wide = { asPath: [seq(4200000001)], aggregator: { asn: 4200000001, address: "198.18.0.2" } };
    expect(hex(encodeAttributes(wide, makeContext({ fourOctetAs: true })))).toBe(
      "4002060201fa56ea01c00708fa56ea01c6120002",
    );
  });
});
