/**
 * Arbitrary and mutated bytes either decode or raise the typed wire error —
 * never another exception, never a hang. 100,000+ cases per CI run; run
 * `pnpm fuzz -- --seconds N` for longer campaigns.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadHexDir } from "../vectors/hex.js";
import {
  decodeOrTypedError,
  frameAndDecode,
  mutatedMessage,
  mutatedSeed,
  randomBytes,
  randomFrame,
} from "./fuzz-target.js";

const seeds = [...loadHexDir(new URL("../vectors/golden", import.meta.url).pathname).values()];

describe("fuzz: never anything but a typed BgpWireError", () => {
  it("random bodies behind a valid header (40,000 cases)", () => {
    fc.assert(
      fc.property(randomFrame, ({ bytes, ctx }) => {
        expect(["decoded", "wire-error"]).toContain(decodeOrTypedError(bytes, ctx));
      }),
      { numRuns: 40_000 },
    );
  });

  it("raw random bytes through the framer in random chunks (10,000 cases)", () => {
    fc.assert(
      fc.property(randomBytes, fc.array(fc.nat({ max: 200 }), { maxLength: 5 }), ({ bytes, ctx }, cuts) => {
        expect(["decoded", "wire-error"]).toContain(frameAndDecode(bytes, cuts, ctx));
      }),
      { numRuns: 10_000 },
    );
  });

  it("mutated generated messages (30,000 cases)", () => {
    fc.assert(
      fc.property(mutatedMessage, ({ bytes, ctx }) => {
        expect(["decoded", "wire-error"]).toContain(decodeOrTypedError(bytes, ctx));
      }),
      { numRuns: 30_000 },
    );
  });

  it("mutated golden vectors (30,000 cases)", () => {
    expect(seeds.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(mutatedSeed(seeds), ({ bytes, ctx }) => {
        expect(["decoded", "wire-error"]).toContain(decodeOrTypedError(bytes, ctx));
      }),
      { numRuns: 30_000 },
    );
  });
});
