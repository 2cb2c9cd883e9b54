import { describe, expect, it } from "vitest";
import { attr, update } from "../../../../../test/vectors/update-kit.js";
import { defaultContext, Ipv6Unicast, makeContext } from "../context.js";
import { UpdateMessageError } from "../errors.js";
import { nlriToEntries } from "../nlri.js";
import { decodeUpdate } from "../update.js";

const decode = (value: string, ctx = defaultContext, flags = 0x80) =>
  decodeUpdate(update({ attrs: attr(flags, 15, value) }), ctx);

describe("MP_UNREACH_NLRI (RFC 4760 §4)", () => {
  it("decodes withdrawn IPv6 prefixes without any other attribute", () => {
    const m = decode("0002 01 30 20010db80001 40 20010db800020000");
    expect(m.mpUnreach).toMatchObject({ afi: 2, safi: 1 });
    expect(nlriToEntries(m.mpUnreach!.nlri).map((e) => e.prefix)).toEqual([
      "2001:db8:1::/48",
      "2001:db8:2::/64",
    ]);
    expect(m.issues).toEqual([]);
  });

  it("reads path identifiers per ADD-PATH receive", () => {
    const ctx = makeContext({ addPathReceive: new Set([Ipv6Unicast]) });
    const m = decode("0002 01 00000005 30 20010db80001", ctx);
    expect(nlriToEntries(m.mpUnreach!.nlri)).toEqual([{ prefix: "2001:db8:1::/48", pathId: 5 }]);
  });

  it.each([
    ["a prefix length of 200", "0002 01 c8 20010db8"],
    ["a truncated prefix", "0002 01 40 20010db8"],
    ["a path identifier cut short", "0002 01 000000"],
    ["the Transitive flag", "0002 01", 0xc0],
  ])("%s disables the AFI/SAFI", (_n, value, flags = 0x80) => {
    const ctx = makeContext({ addPathReceive: new Set(_n.includes("identifier") ? [Ipv6Unicast] : []) });
    const m = decode(value, ctx, flags);
    expect(m.mpUnreach).toBeUndefined();
    expect(m.issues).toEqual([
      expect.objectContaining({ action: "afi-safi-disable", attrType: 15, afi: 2, safi: 1 }),
    ]);
  });

  it("resets the session when shorter than an AFI/SAFI", () => {
    expect(() => decode("0002")).toThrow(UpdateMessageError);
  });
});
