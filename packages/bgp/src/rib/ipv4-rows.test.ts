import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grown, Ipv4Rows } from "./ipv4-rows.js";
import { ipv4Key } from "./prefix-key.js";

/** Rows with one column, as the RIB's tables have. */
class Names extends Ipv4Rows {
  names: (string | undefined)[] = [];
  protected clearRow(at: number): void {
    this.names[at] = undefined;
  }
  protected growColumns(cap: number): void {
    this.names = grown(this.names, cap);
  }
  protected resetColumns(): void {
    this.names = [];
  }
}

const key = (i: number): number => ipv4Key((0x0a000000 + i * 256) >>> 0, 24);

describe("Ipv4Rows", () => {
  it("hands out rows in arrival order, and a row stays put while the table grows", () => {
    const t = new Names();
    const rows: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const at = t.claim(key(i));
      expect(t.added).toBe(true);
      t.names[at] = `n${i}`;
      rows.push(at);
    }
    expect(rows.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < 10_000; i++) {
      expect(t.find(key(i))).toBe(rows[i]);
      expect(t.names[rows[i]!]).toBe(`n${i}`);
    }
    expect(t.claim(key(7))).toBe(rows[7]);
    expect(t.added).toBe(false);
    expect(t.size).toBe(10_000);
  });

  it("takes freed rows again and clears their columns", () => {
    const t = new Names();
    for (let i = 0; i < 100; i++) t.names[t.claim(key(i))] = `n${i}`;
    const at = t.find(key(42));
    t.free(at);
    expect(t.find(key(42))).toBe(-1);
    expect(t.names[at]).toBeUndefined();
    expect(t.keys[at]).toBeLessThan(0);
    const again = t.claim(key(1000));
    expect(again).toBe(at);
    expect(t.names[again]).toBeUndefined();
    expect(t.size).toBe(100);
    const seen: number[] = [];
    t.forEachRow((_row, k) => seen.push(k));
    expect(seen.sort((a, b) => a - b)).toEqual(
      [...Array.from({ length: 100 }, (_, i) => key(i)).filter((k) => k !== key(42)), key(1000)].sort(
        (a, b) => a - b,
      ),
    );
  });

  it("rebuilds its index under churn without losing keys (deleted entries dropped)", () => {
    const t = new Names();
    const live = new Set<number>();
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 200; i++) {
        const k = key(round * 200 + i);
        t.claim(k);
        live.add(k);
      }
      for (const k of [...live].slice(0, 150)) {
        t.free(t.find(k));
        live.delete(k);
      }
    }
    expect(t.size).toBe(live.size);
    for (const k of live) expect(t.find(k)).toBeGreaterThanOrEqual(0);
    // Freed rows are reused: the rows never exceed the most ever live at once (plus one growth step).
    expect(t.capacity).toBeLessThanOrEqual(4096);
    t.clearRows();
    expect(t.size).toBe(0);
    expect(t.find(key(0))).toBe(-1);
  });

  it("a key found absent and then claimed is found (the remembered absence is forgotten)", () => {
    const t = new Names();
    for (let i = 0; i < 100; i++) t.claim(key(i));
    expect(t.find(key(500))).toBe(-1);
    const at = t.claim(key(500));
    expect(t.added).toBe(true);
    expect(t.find(key(500))).toBe(at);
    t.free(at);
    expect(t.find(key(500))).toBe(-1);
    expect(t.find(key(500))).toBe(-1);
    expect(t.claim(key(500))).toBeGreaterThanOrEqual(0);
    expect(t.find(key(500))).toBe(t.claim(key(500)));
  });

  it("free after find deletes that entry even when the index was rebuilt in between", () => {
    for (let n = 1; n <= 200; n++) {
      const t = new Names();
      for (let i = 0; i < n; i++) t.claim(key(i));
      const target = n >> 1;
      const at = t.find(key(target));
      // Growing the rows rebuilds the index: the slot `find` met now holds anything.
      for (let i = n; i < 5 * n + 20; i++) t.claim(key(i));
      t.free(at);
      expect(t.find(key(target))).toBe(-1);
      for (let i = 0; i < 5 * n + 20; i++) if (i !== target) expect(t.keys[t.find(key(i))]).toBe(key(i));
      expect(t.size).toBe(5 * n + 19);
    }
  });

  it("property: any mix of claim, find + free and free without find keeps every live key at its row", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("claim" as const), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant("take" as const), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant("free" as const), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant("miss" as const), n: fc.integer({ min: 1, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { maxLength: 30 }), (seed, ops) => {
        let x = seed >>> 0;
        const random = (): number => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return x;
        };
        const randomKey = (): number => ipv4Key(random(), 8 + (random() % 25));
        const t = new Names();
        const model = new Map<number, number>(); // key -> row
        const pick = (): number => [...model.keys()][random() % model.size]!;
        for (const o of ops) {
          for (let i = 0; i < o.n; i++) {
            if (o.kind === "claim") {
              const k = randomKey();
              const at = t.claim(k);
              expect(t.added).toBe(!model.has(k));
              if (model.has(k)) expect(at).toBe(model.get(k));
              model.set(k, at);
              t.names[at] = String(k);
            } else if (o.kind === "miss") {
              const k = randomKey();
              expect(t.find(k)).toBe(model.get(k) ?? -1);
            } else if (model.size > 0) {
              const k = pick();
              // "take": the row found, then freed (the remembered slot); "free": another row found last.
              if (o.kind === "free") t.find(randomKey());
              const at = o.kind === "take" ? t.find(k) : model.get(k)!;
              expect(at).toBe(model.get(k));
              t.free(at);
              model.delete(k);
              expect(t.find(k)).toBe(-1);
            }
          }
          expect(t.size).toBe(model.size);
        }
        for (const [k, at] of model) {
          expect(t.find(k)).toBe(at);
          expect(t.names[at]).toBe(String(k));
        }
        let rows = 0;
        t.forEachRow((at, k) => {
          rows++;
          expect(model.get(k)).toBe(at);
        });
        expect(rows).toBe(model.size);
      }),
      { numRuns: 200 },
    );
  });
});
