import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipv4Key, type PrefixKey, prefixKeyFromText } from "./prefix-key.js";
import { PrefixMap } from "./prefix-map.js";

describe("PrefixMap", () => {
  it("holds IPv4 and IPv6 keys side by side", () => {
    const m = new PrefixMap<string>();
    const v4 = prefixKeyFromText("203.0.113.0/24");
    const v6 = prefixKeyFromText("2001:db8::/32");
    m.set(v4, "a");
    m.set(v6, "b");
    expect(m.size).toBe(2);
    expect(m.get(v4)).toBe("a");
    expect(m.get(v6)).toBe("b");
    expect(m.delete(v4)).toBe(true);
    expect(m.delete(v4)).toBe(false);
    expect(m.has(v4)).toBe(false);
    expect([...m.entries()]).toEqual([[v6, "b"]]);
  });

  it("swap stores a value and returns the previous one (IPv4 and IPv6)", () => {
    const m = new PrefixMap<string>();
    for (const key of [prefixKeyFromText("203.0.113.0/24"), prefixKeyFromText("2001:db8::/32")]) {
      expect(m.swap(key, "a")).toBeUndefined();
      expect(m.swap(key, "b")).toBe("a");
      expect(m.get(key)).toBe("b");
    }
    expect(m.size).toBe(2);
  });

  it("deleting while iterating visits every entry once", () => {
    const m = new PrefixMap<number>();
    for (let i = 0; i < 1000; i++) m.set(ipv4Key(i << 8, 24), i);
    const seen: number[] = [];
    for (const [k, v] of m.entries()) {
      seen.push(v);
      m.delete(k);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(m.size).toBe(0);
  });

  it("keepCapacity: a queue emptied and refilled (also while iterating) keeps working", () => {
    const m = new PrefixMap<number>({ keepCapacity: true });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20000; i++) m.set(ipv4Key((i + round) << 8, 24), i);
      let seen = 0;
      for (const [k] of m.entries()) {
        m.delete(k);
        seen++;
      }
      expect(seen).toBe(20000);
      expect(m.size).toBe(0);
      expect(m.has(ipv4Key(round << 8, 24))).toBe(false);
    }
    m.set(ipv4Key(7 << 8, 24), 7);
    expect(m.get(ipv4Key(7 << 8, 24))).toBe(7);
  });

  it("a big table emptied by deletes is freed and still works", () => {
    const m = new PrefixMap<number>();
    const n = 20000;
    for (let i = 0; i < n; i++) m.set(ipv4Key(i << 8, 24), i);
    for (let i = 0; i < n; i++) expect(m.take(ipv4Key(i << 8, 24))).toBe(i);
    expect(m.size).toBe(0);
    m.set(ipv4Key(7 << 8, 24), 7);
    expect(m.setIfAbsent(ipv4Key(7 << 8, 24), 8)).toBe(false);
    expect([...m.entries()]).toEqual([[ipv4Key(7 << 8, 24), 7]]);
  });

  it("property: behaves like a Map under random set/delete churn (tombstones, rehash)", () => {
    const op = fc.record({
      key: fc.oneof(
        fc.integer({ min: 0, max: 300 }).map((i) => ipv4Key((i * 0x01010101) >>> 0, 32) as PrefixKey),
        fc.integer({ min: 0, max: 20 }).map((i) => prefixKeyFromText(`2001:db8::${i.toString(16)}/128`)),
      ),
      del: fc.boolean(),
      value: fc.integer(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const m = new PrefixMap<number>();
        const ref = new Map<PrefixKey, number>();
        for (const o of ops) {
          if (o.del) expect(m.delete(o.key)).toBe(ref.delete(o.key));
          else {
            m.set(o.key, o.value);
            ref.set(o.key, o.value);
          }
          expect(m.get(o.key)).toBe(ref.get(o.key));
        }
        expect(m.size).toBe(ref.size);
        expect(new Map(m.entries())).toEqual(ref);
        let n = 0;
        m.forEach((v, k) => {
          expect(ref.get(k)).toBe(v);
          n++;
        });
        expect(n).toBe(ref.size);
      }),
      { numRuns: 200 },
    );
  });
});
