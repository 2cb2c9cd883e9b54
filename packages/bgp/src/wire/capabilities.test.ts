import { describe, expect, it } from "vitest";
import {
  capabilityCode,
  capabilityName,
  capabilityRows,
  decodeCapabilities,
  decodeCapability,
  encodeCapability,
} from "./capabilities.js";
import { CapabilityCode, ErrorCode, OpenMessageSubcode } from "./constants.js";
import { OpenMessageError } from "./errors.js";
import type { Capability } from "./messages.js";

/** Runs `fn` and returns what it threw (failing the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

function expectMalformed(tlv: number[]): void {
  const bytes = Uint8Array.from(tlv);
  const err = thrown(() => decodeCapabilities(bytes, 0, bytes.length));
  expect(err).toBeInstanceOf(OpenMessageError);
  const e = err as OpenMessageError;
  expect(e.errorCode).toBe(ErrorCode.OpenMessage);
  expect(e.subcode).toBe(OpenMessageSubcode.Unspecific);
  expect(e.code).toBe("ERR_BGP_OPEN_MALFORMED_CAPABILITY");
  expect([...e.data]).toEqual(tlv);
}

describe("capability table", () => {
  it("has one row per capability code in constants.ts, under that code", () => {
    for (const code of Object.values(CapabilityCode)) {
      expect(capabilityRows.get(code)?.code).toBe(code);
    }
    expect(capabilityRows.size).toBe(Object.values(CapabilityCode).length);
  });

  it("looks each row up again by its kind (the table is keyed consistently)", () => {
    for (const [code, row] of capabilityRows) {
      expect(capabilityCode({ kind: row.kind } as Capability)).toBe(code);
    }
  });

  it("names known codes as the IANA registry does and unknown ones by number", () => {
    expect(capabilityName(CapabilityCode.GracefulRestart)).toBe("Graceful Restart Capability");
    expect(capabilityName(CapabilityCode.AddPath)).toBe("ADD-PATH Capability");
    expect(capabilityName(200)).toBe("capability 200");
  });

  it("gives every kind its code", () => {
    expect(capabilityCode({ kind: "enhanced-route-refresh" })).toBe(CapabilityCode.EnhancedRouteRefresh);
    expect(capabilityCode({ kind: "unknown", code: 73, value: new Uint8Array(0) })).toBe(73);
  });
});

describe("malformed known capabilities -> OPEN Message Error / Unspecific, data = the TLV", () => {
  const cases: [string, number[]][] = [
    ["multiprotocol, length 3 (RFC 4760 §8: 4)", [1, 3, 0, 1, 0]],
    ["multiprotocol, length 5", [1, 5, 0, 1, 0, 1, 0]],
    ["route refresh, length 1 (RFC 2918 §2: 0)", [2, 1, 0]],
    ["extended next hop, length 0 (RFC 8950 §3: one or more 6-octet tuples)", [5, 0]],
    ["extended next hop, length 4", [5, 4, 0, 1, 0, 1]],
    ["extended next hop, length 8", [5, 8, 0, 1, 0, 1, 0, 2, 0, 1]],
    ["extended message, length 1 (RFC 8654 §3: 0)", [6, 1, 0]],
    ["graceful restart, length 0 (RFC 4724 §3: 2 + 4n)", [64, 0]],
    ["graceful restart, length 1", [64, 1, 0]],
    ["graceful restart, length 5", [64, 5, 0, 120, 0, 1, 1]],
    ["4-octet AS, length 2 (RFC 6793 §3: 4)", [65, 2, 0xfd, 0xe9]],
    ["4-octet AS, length 5", [65, 5, 0, 0, 0xfd, 0xe9, 0]],
    ["ADD-PATH, length 0 (RFC 7911 §4: one or more 4-octet tuples)", [69, 0]],
    ["ADD-PATH, length 3", [69, 3, 0, 1, 1]],
    ["ADD-PATH, length 5", [69, 5, 0, 1, 1, 3, 0]],
    ["enhanced route refresh, length 1 (RFC 7313 §3.1: 0)", [70, 1, 0]],
  ];
  for (const [name, tlv] of cases) it(name, () => expectMalformed(tlv));

  it("names the TLV in the data even when it sits after a good one", () => {
    const bytes = Uint8Array.of(2, 0, 65, 2, 0xfd, 0xe9);
    const err = thrown(() => decodeCapabilities(bytes, 0, bytes.length)) as OpenMessageError;
    expect([...err.data]).toEqual([65, 2, 0xfd, 0xe9]);
  });

  it("a truncated TLV header: data = the octets present", () => expectMalformed([1]));
  it("a TLV running past its parameter: data = the octets present", () => expectMalformed([1, 4, 0, 1]));

  it("reads only inside [start, end) of a larger buffer", () => {
    // The 4-octet AS value continues past `end`: that is a TLV running past its parameter.
    const buf = Uint8Array.of(0xaa, 65, 4, 0, 0, 0xfd, 0xe9, 0xbb);
    const err = thrown(() => decodeCapabilities(buf, 1, 5)) as OpenMessageError;
    expect(err.subcode).toBe(OpenMessageSubcode.Unspecific);
    expect([...err.data]).toEqual([65, 4, 0, 0]);
    expect(decodeCapabilities(buf, 1, 7)).toEqual([{ kind: "four-octet-as", asn: 65001 }]);
  });
});

describe("lenient decoding the RFCs ask for", () => {
  it("ADD-PATH with a Send/Receive value outside 1..3 is kept as unknown (RFC 7911 §4)", () => {
    for (const direction of [0, 4, 255]) {
      const tlv = Uint8Array.of(69, 8, 0, 1, 1, 3, 0, 2, 1, direction);
      expect(decodeCapability(69, tlv.subarray(2), tlv)).toEqual({
        kind: "unknown",
        code: 69,
        value: tlv.slice(2),
      });
    }
  });

  it("multiprotocol ignores the reserved octet (RFC 4760 §8)", () => {
    const tlv = Uint8Array.of(1, 4, 0, 2, 0xff, 1);
    expect(decodeCapability(1, tlv.subarray(2), tlv)).toEqual({ kind: "multiprotocol", afi: 2, safi: 1 });
  });

  it("graceful restart ignores reserved flag bits (RFC 4724 §3)", () => {
    const tlv = Uint8Array.of(64, 6, 0x30, 0x78, 0, 1, 1, 0x7f);
    expect(decodeCapability(64, tlv.subarray(2), tlv)).toEqual({
      kind: "graceful-restart",
      restarting: false,
      notification: false,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, forwarding: false }],
    });
  });

  it("an unknown capability keeps a copy of its value, not a view of the frame", () => {
    const buf = Uint8Array.of(239, 2, 0xab, 0xcd);
    const [cap] = decodeCapabilities(buf, 0, buf.length);
    buf[2] = 0;
    expect(cap).toEqual({ kind: "unknown", code: 239, value: Uint8Array.of(0xab, 0xcd) });
  });
});

describe("encodeCapability range checks", () => {
  const bad: [string, Capability][] = [
    ["AFI over 65535", { kind: "multiprotocol", afi: 65536, safi: 1 }],
    ["SAFI over 255", { kind: "multiprotocol", afi: 1, safi: 256 }],
    [
      "restart time over 12 bits",
      { kind: "graceful-restart", restarting: false, notification: false, restartTime: 4096, families: [] },
    ],
    ["ASN over 32 bits", { kind: "four-octet-as", asn: 2 ** 32 }],
    ["negative ASN", { kind: "four-octet-as", asn: -1 }],
    ["fractional ASN", { kind: "four-octet-as", asn: 1.5 }],
    [
      "extended next hop SAFI over 65535",
      { kind: "extended-next-hop", entries: [{ afi: 1, safi: 65536, nextHopAfi: 2 }] },
    ],
    ["ADD-PATH Send/Receive 0", { kind: "add-path", families: [{ afi: 1, safi: 1, direction: 0 as 1 }] }],
    ["unknown value over 255 octets", { kind: "unknown", code: 239, value: new Uint8Array(256) }],
    ["unknown code over 255", { kind: "unknown", code: 256, value: new Uint8Array(0) }],
    [
      "a value over 255 octets from a known kind",
      { kind: "add-path", families: new Array(64).fill({ afi: 1, safi: 1, direction: 3 }) },
    ],
  ];
  for (const [name, cap] of bad) it(name, () => expect(() => encodeCapability(cap)).toThrow(RangeError));

  it("accepts the largest values", () => {
    expect([...encodeCapability({ kind: "four-octet-as", asn: 0xffffffff })]).toEqual([
      65, 4, 255, 255, 255, 255,
    ]);
    expect([...encodeCapability({ kind: "unknown", code: 255, value: new Uint8Array(255) })].length).toBe(
      257,
    );
  });
});
