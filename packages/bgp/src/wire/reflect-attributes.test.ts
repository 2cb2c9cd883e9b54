import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, update } from "../../../../test/vectors/update-kit.js";
import { defaultContext } from "./context.js";
import { reflectAttributes } from "./reflect-attributes.js";
import { decodeUpdate } from "./update.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const opts = { originatorId: "198.18.0.7", clusterId: "198.18.0.100" };
const LOCAL_PREF = attr(0x40, 5, "00000064");
const COMMUNITIES = attr(0xc0, 8, "fde90001");

function rawOf(attrs: string): Uint8Array {
  return decodeUpdate(update({ attrs, nlri: NLRI_1 }), defaultContext).rawAttributes!;
}

describe("reflectAttributes (RFC 4456 §8)", () => {
  it("adds ORIGINATOR_ID and a CLUSTER_LIST in type-code order, copying the rest", () => {
    const out = reflectAttributes(rawOf(MANDATORY + LOCAL_PREF + COMMUNITIES), opts);
    expect(hex(out)).toBe(`${MANDATORY + LOCAL_PREF + COMMUNITIES}800904c6120007800a04c6120064`);
  });

  it("keeps an existing ORIGINATOR_ID and prepends to an existing CLUSTER_LIST", () => {
    const raw = rawOf(
      MANDATORY +
        attr(0x80, 9, "c6120001") +
        attr(0x80, 10, "c6120065") +
        attr(0xc0, 32, "000000010000000200000003"),
    );
    expect(hex(reflectAttributes(raw, opts))).toBe(
      `${MANDATORY}800904c6120001800a08c6120064c6120065c0200c000000010000000200000003`,
    );
  });

  it("appends both at the end when every attribute has a lower type code", () => {
    expect(hex(reflectAttributes(rawOf(MANDATORY), opts))).toBe(`${MANDATORY}800904c6120007800a04c6120064`);
  });

  it("switches CLUSTER_LIST to Extended Length when it grows past 255 octets", () => {
    const ids = "c6120065".repeat(63);
    const out = reflectAttributes(rawOf(MANDATORY + attr(0x80, 10, ids)), opts);
    expect(hex(out)).toBe(`${MANDATORY}800904c6120007900a0100c6120064${ids}`);
  });

  it("drops unknown optional non-transitive attributes and marks unknown transitive ones Partial", () => {
    const raw = rawOf(MANDATORY + attr(0x80, 99, "01") + attr(0xc0, 100, "02"));
    expect(hex(reflectAttributes(raw, opts))).toBe(`${MANDATORY}800904c6120007800a04c6120064e0640102`);
  });

  it("leaves its input untouched and rejects a malformed list", () => {
    const raw = rawOf(MANDATORY);
    const before = hex(raw);
    reflectAttributes(raw, opts);
    expect(hex(raw)).toBe(before);
    expect(() => reflectAttributes(Uint8Array.of(0x40, 1, 5, 0), opts)).toThrow(RangeError);
    expect(() => reflectAttributes(Uint8Array.of(0x50, 1), opts)).toThrow(RangeError);
  });
});
