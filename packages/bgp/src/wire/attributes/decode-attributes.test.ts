import { describe, expect, it } from "vitest";
import {
  AS_PATH_65001,
  attr,
  MANDATORY,
  NEXT_HOP,
  NLRI_1,
  ORIGIN_IGP,
  update,
} from "../../../../../test/vectors/update-kit.js";
import { UpdateMessageSubcode } from "../constants.js";
import { defaultContext } from "../context.js";
import { UpdateMessageError } from "../errors.js";
import { nlriToEntries } from "../nlri.js";
import { decodeUpdate } from "../update.js";

const decode = (attrs: string, nlri = NLRI_1) => decodeUpdate(update({ attrs, nlri }), defaultContext);

function resetOf(fn: () => unknown): UpdateMessageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UpdateMessageError) return e;
    throw e;
  }
  throw new Error("no session reset");
}

describe("the attribute walk (RFC 7606)", () => {
  it("discards later occurrences of a repeated attribute (§3.g)", () => {
    const m = decode(MANDATORY + attr(0x80, 4, "00000001") + attr(0x80, 4, "00000002"));
    expect(m.attributes.med).toBe(1);
    expect(m.issues).toEqual([expect.objectContaining({ action: "attribute-discard", attrType: 4 })]);
    expect(m.treatAsWithdraw).toBeUndefined();
  });

  it("resets on a repeated MP_REACH_NLRI or MP_UNREACH_NLRI with Malformed Attribute List (§3.g)", () => {
    const unreach = attr(0x80, 15, "000201");
    const err = resetOf(() => decode(unreach + unreach, ""));
    expect(err.subcode).toBe(UpdateMessageSubcode.MalformedAttributeList);
  });

  it("decodes an attribute with Extended Length on a short value (legal)", () => {
    const m = decode(attr(0x50, 1, "02") + AS_PATH_65001 + attr(0x50, 3, "c6120001"));
    expect(m.attributes.origin).toBe(2);
    expect(m.attributes.nextHop).toBe("198.18.0.1");
    expect(m.issues).toEqual([]);
  });

  it("treats an attribute that overruns the attribute field as withdraw (§4) and still finds the NLRI", () => {
    // COMMUNITIES claims 8 octets, 4 remain in the field.
    const m = decode(`${MANDATORY}c00808fde90001`);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([expect.objectContaining({ code: "ERR_BGP_UPDATE_ATTRIBUTE_OVERRUN" })]);
    expect(nlriToEntries(m.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 0 }]);
  });

  it.each([
    ["1 octet", "40"],
    ["2 octets", "4001"],
    ["3 octets with Extended Length", "500100"],
  ])("treats an attribute header cut short at %s as withdraw (§4)", (_n, tail) => {
    const m = decode(MANDATORY + tail);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues?.[0]?.code).toBe("ERR_BGP_UPDATE_ATTRIBUTE_OVERRUN");
  });

  it("resets when an MP attribute overruns, since its NLRI cannot be read (§3.h)", () => {
    const err = resetOf(() => decode(`${MANDATORY}800e20000201`, ""));
    expect(err.subcode).toBe(UpdateMessageSubcode.AttributeLengthError);
    expect(Buffer.from(err.data).toString("hex")).toBe("800e20000201");
  });

  it("reports every issue and marks treat-as-withdraw when any one asks for it (§3.f)", () => {
    const m = decode(attr(0x40, 1, "07") + AS_PATH_65001 + NEXT_HOP + attr(0x40, 6, "00"));
    expect(m.issues?.map((i) => i.action)).toEqual(["treat-as-withdraw", "attribute-discard"]);
    expect(m.treatAsWithdraw).toBe(true);
  });

  it.each([
    ["ORIGIN", AS_PATH_65001 + NEXT_HOP, 1],
    ["AS_PATH", ORIGIN_IGP + NEXT_HOP, 2],
    ["NEXT_HOP", ORIGIN_IGP + AS_PATH_65001, 3],
  ])("treats a missing %s as withdraw when NLRI are present (§3.d)", (_n, attrs, type) => {
    const m = decode(attrs);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.issues).toEqual([
      expect.objectContaining({ attrType: type, subcode: UpdateMessageSubcode.MissingWellKnownAttribute }),
    ]);
  });

  it("does not ask for NEXT_HOP when the only NLRI are in MP_REACH_NLRI (RFC 4760 §3)", () => {
    const mp = attr(0x80, 14, "0002 01 10 20010db8000000000000000000000001 00 30 20010db80001");
    const m = decode(mp + ORIGIN_IGP + AS_PATH_65001, "");
    expect(m.issues).toEqual([]);
  });

  it("asks for no attribute when there are no NLRI", () => {
    expect(decode("", "").issues).toEqual([]);
  });

  it("terminates and stays in bounds on every truncation of a valid attribute list", () => {
    const full = MANDATORY + attr(0x80, 4, "00000001") + attr(0xc0, 8, "fde90001") + attr(0x50, 99, "00");
    for (let cut = 0; cut <= full.length; cut += 2) {
      try {
        decode(full.slice(0, cut), "");
      } catch (e) {
        expect(e).toBeInstanceOf(UpdateMessageError);
      }
    }
  });
});
