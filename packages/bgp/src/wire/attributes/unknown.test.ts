import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, update } from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext } from "../context.js";
import { UpdateMessageError } from "../errors.js";
import type { PathAttributes } from "../messages.js";
import { decodeUpdate } from "../update.js";
import { encodeAttributes } from "./encode-attributes.js";
import { passOnUnknown } from "./unknown.js";

const decode = (a: string) => decodeUpdate(update({ attrs: MANDATORY + a, nlri: NLRI_1 }), defaultContext);

describe("unknown attributes", () => {
  it("keeps an unknown optional attribute raw, flags as received", () => {
    const m = decode(attr(0xe0, 99, "010203") + attr(0x80, 200, ""));
    expect(m.attributes.unknown).toEqual([
      { flags: 0xe0, type: 99, value: Uint8Array.of(1, 2, 3) },
      { flags: 0x80, type: 200, value: new Uint8Array(0) },
    ]);
    expect(m.issues).toEqual([]);
  });

  it("resets the session on an unrecognized well-known attribute (RFC 4271 §6.3)", () => {
    try {
      decode(attr(0x40, 99, "01"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UpdateMessageError);
      const err = e as UpdateMessageError;
      expect(err.subcode).toBe(UpdateMessageSubcode.UnrecognizedWellKnownAttribute);
      expect(Buffer.from(err.data).toString("hex")).toBe("40630101");
    }
  });

  it("encodes unknown attributes in type-code order, recomputing Extended Length", () => {
    const attrs: PathAttributes = {
      origin: 0,
      communities: [1],
      unknown: [
        { flags: 0xd0, type: 99, value: Uint8Array.of(7) },
        { flags: 0xc0, type: 12, value: new Uint8Array(300) },
      ],
    };
    const out = Buffer.from(encodeAttributes(attrs, defaultContext)).toString("hex");
    expect(out).toBe(`40010100 c00804 00000001 d00c012c${"00".repeat(300)} c0630107`.replace(/ /g, ""));
  });
});

describe("passOnUnknown (RFC 4271 §5, §9.1.2)", () => {
  it("drops unknown optional non-transitive attributes and sets Partial on transitive ones", () => {
    const attrs: PathAttributes = {
      origin: 0,
      unknown: [
        { flags: 0x80, type: 100, value: Uint8Array.of(1) },
        { flags: 0xc0, type: 101, value: Uint8Array.of(2) },
        { flags: 0xe0, type: 102, value: Uint8Array.of(3) },
      ],
    };
    expect(passOnUnknown(attrs)).toEqual({
      origin: 0,
      unknown: [
        { flags: 0xe0, type: 101, value: Uint8Array.of(2) },
        { flags: 0xe0, type: 102, value: Uint8Array.of(3) },
      ],
    });
  });

  it("removes the list when nothing is left, and returns the same object when nothing changes", () => {
    expect(
      passOnUnknown({ med: 1, unknown: [{ flags: 0x80, type: 100, value: new Uint8Array(0) }] }),
    ).toEqual({
      med: 1,
    });
    const same: PathAttributes = { unknown: [{ flags: 0xe0, type: 100, value: new Uint8Array(0) }] };
    expect(passOnUnknown(same)).toBe(same);
    const none: PathAttributes = { origin: 0 };
    expect(passOnUnknown(none)).toBe(none);
  });
});
