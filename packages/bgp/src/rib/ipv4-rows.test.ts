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
});
