import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Afi } from "./constants.js";
import {
  decodeNlri,
  encodeNlri,
  formatIpv6Words,
  NlriSyntaxError,
  nlriFromPrefixes,
  nlriLength,
  nlriToEntries,
  nlriToPrefixes,
  parseIpv6,
  parsePrefix,
} from "./nlri.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

describe("NLRI", () => {
  it("decodes IPv4 prefixes of every byte width and clears host bits", () => {
    // 0.0.0.0/0, 10/8 ... written with host bits set in the last octet of /23
    const bytes = hex("00 08 cb 10 cb00 17 cb0071 18 cb0071 20 cb00710a");
    const list = decodeNlri(bytes, 0, bytes.length, Afi.Ipv4, false);
    expect(nlriToPrefixes(list)).toEqual([
      "0.0.0.0/0",
      "203.0.0.0/8",
      "203.0.0.0/16",
      "203.0.112.0/23",
      "203.0.113.0/24",
      "203.0.113.10/32",
    ]);
  });

  it("decodes ADD-PATH path identifiers", () => {
    const bytes = hex("00000001 20 cb00710a 0000ffff 18 cb0071");
    const list = decodeNlri(bytes, 0, bytes.length, Afi.Ipv4, true);
    expect(nlriToEntries(list)).toEqual([
      { prefix: "203.0.113.10/32", pathId: 1 },
      { prefix: "203.0.113.0/24", pathId: 0xffff },
    ]);
  });

  it("decodes IPv6 prefixes", () => {
    const bytes = hex(
      "20 20010db8 40 20010db800010002 80 20010db8000000000000000000000001 41 20010db80000000180",
    );
    const list = decodeNlri(bytes, 0, bytes.length, Afi.Ipv6, false);
    expect(nlriToPrefixes(list)).toEqual([
      "2001:db8::/32",
      "2001:db8:1:2::/64",
      "2001:db8::1/128",
      "2001:db8:0:1:8000::/65",
    ]);
  });

  it("rejects a length beyond the family and a prefix running past the end", () => {
    expect(() => decodeNlri(hex("21 cb00710a00"), 0, 6, Afi.Ipv4, false)).toThrow(NlriSyntaxError);
    expect(() => decodeNlri(hex("81"), 0, 1, Afi.Ipv6, false)).toThrow(/exceeds 128/);
    expect(() => decodeNlri(hex("18 cb00"), 0, 3, Afi.Ipv4, false)).toThrow(/past the end/);
    expect(() => decodeNlri(hex("000000"), 0, 3, Afi.Ipv4, true)).toThrow(/truncated/);
  });

  it("formats IPv6 per RFC 5952", () => {
    expect(formatIpv6Words(0x20010db8, 0, 0, 1)).toBe("2001:db8::1");
    expect(formatIpv6Words(0x20010db8, 0, 1, 0)).toBe("2001:db8::1:0:0");
    expect(formatIpv6Words(0x20010db8, 0x00010000, 0, 0x10000)).toBe("2001:db8:1::1:0");
    expect(formatIpv6Words(0, 0, 0, 0)).toBe("::");
    expect(formatIpv6Words(0x20010db8, 0x00010001, 0x00010001, 0x00010001)).toBe("2001:db8:1:1:1:1:1:1");
    expect([...parseIpv6("::ffff:198.51.100.1")]).toEqual([0, 0, 0xffff, 0xc6336401]);
    expect(formatIpv6Words(0, 0, 0xffff, 0xc6336401)).toBe("::ffff:198.51.100.1");
    expect(() => parseIpv6("1::2::3")).toThrow(RangeError);
    expect(() => parsePrefix("198.51.100.0/33")).toThrow(RangeError);
  });

  it("round-trips generated prefixes through encode and decode", () => {
    const v4 = fc.record({
      a: fc.integer({ min: 0, max: 0xffffffff }),
      len: fc.integer({ min: 0, max: 32 }),
      id: fc.integer({ min: 0, max: 0xffffffff }),
    });
    fc.assert(
      fc.property(fc.array(v4, { maxLength: 50 }), fc.boolean(), (entries, addPath) => {
        const words = new Uint32Array(entries.length * 3);
        entries.forEach((e, i) => {
          words[i * 3] = addPath ? e.id : 0;
          words[i * 3 + 1] = e.len === 0 ? 0 : (e.a & (0xffffffff << (32 - e.len))) >>> 0;
          words[i * 3 + 2] = e.len;
        });
        const list = { afi: Afi.Ipv4, addPath, count: entries.length, words };
        const out = new Uint8Array(nlriLength(list));
        expect(encodeNlri(list, out, 0)).toBe(out.length);
        const back = decodeNlri(out, 0, out.length, Afi.Ipv4, addPath);
        expect([...back.words]).toEqual([...words]);
      }),
    );
    const v6 = fc.tuple(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 128 }),
    );
    fc.assert(
      fc.property(fc.array(v6, { maxLength: 20 }), (entries) => {
        const text = entries.map(([g, len]) => `${g.map((x) => x.toString(16)).join(":")}/${len}`);
        const list = nlriFromPrefixes(Afi.Ipv6, text);
        const out = new Uint8Array(nlriLength(list));
        encodeNlri(list, out, 0);
        const back = decodeNlri(out, 0, out.length, Afi.Ipv6, false);
        expect(nlriToPrefixes(back)).toEqual(nlriToPrefixes(list));
        expect(nlriToPrefixes(nlriFromPrefixes(Afi.Ipv6, nlriToPrefixes(back)))).toEqual(
          nlriToPrefixes(back),
        );
      }),
    );
  });
});
