/** Backoff grows exponentially, is capped, and jitter only ever shortens it within bounds. */
import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  const options = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };

  it("doubles per attempt and caps at maxMs (no jitter when random() = 0)", () => {
    expect([0, 1, 2, 3, 4, 10, 1000].map((a) => backoffDelay(a, options, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it("applies jitter as a reduction of at most `jitter` of the delay", () => {
    expect(backoffDelay(2, options, () => 0.999999)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, options);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it("treats out-of-range jitter and negative attempts sanely", () => {
    expect(backoffDelay(-3, { initialMs: 50, maxMs: 100, jitter: 7 }, () => 0)).toBe(50);
    expect(backoffDelay(0, { initialMs: 50, maxMs: 100, jitter: 7 }, () => 0.5)).toBe(25);
  });
});
