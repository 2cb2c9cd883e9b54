import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, update } from "../../../../../test/vectors/update-kit.js";
import { defaultContext } from "../context.js";
import { decodeUpdate } from "../update.js";

const decode = (a: string) => decodeUpdate(update({ attrs: MANDATORY + a, nlri: NLRI_1 }), defaultContext);

describe("ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 §8)", () => {
  it("decode", () => {
    const m = decode(attr(0x80, 9, "c6120007") + attr(0x80, 10, "c6120064 c6120065"));
    expect(m.attributes.originatorId).toBe("198.18.0.7");
    expect(m.attributes.clusterList).toEqual(["198.18.0.100", "198.18.0.101"]);
  });

  it.each([
    ["ORIGINATOR_ID of length 3", attr(0x80, 9, "c61200"), 9],
    ["ORIGINATOR_ID of length 8", attr(0x80, 9, "c6120007c6120007"), 9],
    ["ORIGINATOR_ID with the Transitive flag", attr(0xc0, 9, "c6120007"), 9],
    ["CLUSTER_LIST of length 0", attr(0x80, 10, ""), 10],
    ["CLUSTER_LIST of length 6", attr(0x80, 10, "c6120064c612"), 10],
    ["CLUSTER_LIST with well-known flags", attr(0x40, 10, "c6120064"), 10],
  ])("%s is treat-as-withdraw (RFC 7606 §7.9, §7.10)", (_n, hex, type) => {
    const m = decode(hex);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ action: "treat-as-withdraw", attrType: type })]);
  });
});
