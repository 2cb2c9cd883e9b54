import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Afi, nlriFromPrefixes, type PathAttributes } from "../wire/index.js";
import { AttrInterner, attrKey } from "./attr-intern.js";
import {
  afiOfKey,
  ipv4Key,
  keyAt,
  prefixKeyFromText,
  prefixKeyToText,
  prefixLengthOf,
  writeKeyWords,
} from "./prefix-key.js";

describe("prefix keys", () => {
  it.each(["0.0.0.0/0", "100.64.0.0/10", "203.0.113.10/32", "255.255.255.255/32"])(
    "IPv4 %s is a number and round-trips",
    (text) => {
      const key = prefixKeyFromText(text);
      expect(typeof key).toBe("number");
      expect(afiOfKey(key)).toBe(Afi.Ipv4);
      expect(prefixKeyToText(key)).toBe(text);
    },
  );

  it.each(["::/0", "2001:db8::/32", "2001:db8:1:2::/64", "2001:db8::1/128"])(
    "IPv6 %s is a 9-unit string and round-trips",
    (text) => {
      const key = prefixKeyFromText(text);
      expect(typeof key).toBe("string");
      expect((key as string).length).toBe(9);
      expect(afiOfKey(key)).toBe(Afi.Ipv6);
      expect(prefixKeyToText(key)).toBe(text);
    },
  );

  it("clears host bits, so equal prefixes are equal keys", () => {
    expect(prefixKeyFromText("203.0.113.77/24")).toBe(prefixKeyFromText("203.0.113.0/24"));
    expect(prefixKeyFromText("2001:db8::1/32")).toBe(prefixKeyFromText("2001:db8::/32"));
  });

  it("keyAt reads NlriList entries and writeKeyWords writes them back", () => {
    const texts4 = ["203.0.113.0/24", "198.51.100.7/32"];
    const v4 = nlriFromPrefixes(Afi.Ipv4, texts4);
    const texts6 = ["2001:db8::/48", "2001:db8:ffff::1/128"];
    const v6 = nlriFromPrefixes(Afi.Ipv6, texts6);
    for (const [list, texts] of [
      [v4, texts4],
      [v6, texts6],
    ] as const) {
      const stride = list.afi === Afi.Ipv4 ? 3 : 6;
      for (let i = 0; i < list.count; i++) {
        const key = keyAt(list, i);
        expect(prefixKeyToText(key)).toBe(texts[i]);
        const words = new Uint32Array(stride - 1);
        writeKeyWords(key, words, 0);
        expect([...words]).toEqual([...list.words.subarray(i * stride + 1, (i + 1) * stride)]);
      }
    }
  });

  it("property: every IPv4 and IPv6 prefix round-trips through key, words and text", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, len) => {
        const masked = len === 0 ? 0 : (a & (0xffffffff << (32 - len))) >>> 0;
        const key = ipv4Key(masked, len);
        expect(prefixLengthOf(key)).toBe(len);
        expect(prefixKeyFromText(prefixKeyToText(key))).toBe(key);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (g) => {
        const text = `${g.map((x) => x.toString(16)).join(":")}/128`;
        const key = prefixKeyFromText(text);
        expect(prefixLengthOf(key)).toBe(128);
        expect(prefixKeyFromText(prefixKeyToText(key))).toBe(key);
      }),
    );
  });
});

describe("attribute interning", () => {
  const attrs = (): PathAttributes => ({
    origin: 0,
    asPath: [{ type: 2, asns: [65001, 4200000000] }],
    nextHop: "198.18.0.1",
    communities: [(65001 << 16) | 100],
  });

  it("equal attributes (different objects) give one AttrSet, reference counted", () => {
    const t = new AttrInterner();
    const a = t.intern(attrs());
    const b = t.intern(attrs());
    expect(b).toBe(a);
    expect(a.refs).toBe(2);
    expect(t.size).toBe(1);
    t.release(a);
    expect(t.size).toBe(1);
    t.release(b);
    expect(t.size).toBe(0);
    expect(t.intern(attrs())).not.toBe(a);
  });

  it("next hops are part of the key (IPv6 too, and link-local)", () => {
    const v6 = { ...attrs(), nextHop: "2001:db8::1" };
    expect(attrKey(v6)).not.toBe(attrKey({ ...v6, nextHop: "2001:db8::2" }));
    expect(attrKey(v6)).not.toBe(attrKey(v6, "fe80::1"));
    expect(attrKey(attrs())).not.toBe(attrKey({ ...attrs(), med: 0 }));
  });

  it("keeps a copy of the raw octets and the session's 4-octet-AS setting", () => {
    const t = new AttrInterner();
    const raw = Uint8Array.of(0x40, 1, 1, 0);
    const set = t.intern(attrs(), { raw, rawFourOctetAs: true });
    raw[0] = 0;
    expect(set.raw?.[0]).toBe(0x40);
    expect(set.rawFourOctetAs).toBe(true);
  });

  it("the same object interned again skips the encode and finds the live set", () => {
    const t = new AttrInterner();
    const o = attrs();
    const a = t.intern(o);
    t.release(a);
    const b = t.intern(o);
    expect(b.refs).toBe(1);
    expect(t.lookup(b.key)).toBe(b);
  });
});
