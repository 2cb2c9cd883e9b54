import { describe, expect, it } from "vitest";
import { AttrType } from "../constants.js";
import { attributeCodec, encodeOrder } from "./table.js";

describe("the attribute table", () => {
  it("has one row per type code, MP attributes first, then ascending", () => {
    const types = encodeOrder.map((r) => r.type);
    expect(types.slice(0, 2)).toEqual([AttrType.MpReachNlri, AttrType.MpUnreachNlri]);
    const rest = types.slice(2);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(new Set(types).size).toBe(types.length);
    for (const t of Object.values(AttrType)) expect(attributeCodec(t)?.type).toBe(t);
  });

  it.each([
    ["ORIGIN", 0x40, "treat-as-withdraw"],
    ["AS_PATH", 0x40, "treat-as-withdraw"],
    ["NEXT_HOP", 0x40, "treat-as-withdraw"],
    ["MULTI_EXIT_DISC", 0x80, "treat-as-withdraw"],
    ["LOCAL_PREF", 0x40, "treat-as-withdraw"],
    ["ATOMIC_AGGREGATE", 0x40, "attribute-discard"],
    ["AGGREGATOR", 0xc0, "attribute-discard"],
    ["COMMUNITIES", 0xc0, "treat-as-withdraw"],
    ["ORIGINATOR_ID", 0x80, "treat-as-withdraw"],
    ["CLUSTER_LIST", 0x80, "treat-as-withdraw"],
    ["MP_REACH_NLRI", 0x80, "afi-safi-disable"],
    ["MP_UNREACH_NLRI", 0x80, "afi-safi-disable"],
    ["EXTENDED_COMMUNITIES", 0xc0, "treat-as-withdraw"],
    ["AS4_PATH", 0xc0, "attribute-discard"],
    ["AS4_AGGREGATOR", 0xc0, "attribute-discard"],
    ["LARGE_COMMUNITY", 0xc0, "treat-as-withdraw"],
  ])("%s: flags 0x%s, malformed -> %s", (name, flags, action) => {
    const row = encodeOrder.find((r) => r.name === name);
    expect(row?.flags).toBe(flags);
    expect(row?.onMalformed).toBe(action);
    expect(row?.code).toBe(`ERR_BGP_UPDATE_MALFORMED_${name}`);
  });
});
