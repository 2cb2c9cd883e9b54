import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AsTrans, ErrorCode, MessageHeaderSubcode, MessageType, OpenMessageSubcode } from "./constants.js";
import { BgpWireError, MessageHeaderError, OpenMessageError } from "./errors.js";
import type { Capability, OpenMessage } from "./messages.js";
import { buildOpen, decodeOpen, encodeOpen, openAsn } from "./open.js";

/** A whole message: marker, length (from the body unless overridden), type OPEN, body. */
function frame(body: readonly number[], length = 19 + body.length): Uint8Array {
  return Uint8Array.from([...new Array<number>(16).fill(0xff), length >>> 8, length & 0xff, 1, ...body]);
}

interface Fixed {
  version?: number;
  hold?: number;
  id?: readonly number[];
}
/** Version, My AS 65001, Hold Time, BGP Identifier: the 9 octets before Opt Parm Len. */
function fixed({ version = 4, hold = 90, id = [198, 18, 0, 1] }: Fixed = {}): number[] {
  return [version, 0xfd, 0xe9, hold >>> 8, hold & 0xff, ...id];
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

function openErrorOf(bytes: Uint8Array): OpenMessageError {
  const err = thrown(() => decodeOpen(bytes));
  expect(err).toBeInstanceOf(OpenMessageError);
  expect((err as OpenMessageError).errorCode).toBe(ErrorCode.OpenMessage);
  return err as OpenMessageError;
}

const fourOctet65001 = [65, 4, 0, 0, 0xfd, 0xe9];
const routeRefresh = [2, 0];
const ipv4Unicast = [1, 4, 0, 1, 0, 1];

describe("decodeOpen: RFC 4271 §6.2 / RFC 6286 checks", () => {
  it("version other than 4 -> Unsupported Version Number, data = 2-octet version 4", () => {
    for (const version of [3, 5, 0, 255]) {
      const err = openErrorOf(frame([...fixed({ version }), 0]));
      expect(err.subcode).toBe(OpenMessageSubcode.UnsupportedVersionNumber);
      expect(err.code).toBe("ERR_BGP_OPEN_UNSUPPORTED_VERSION");
      expect([...err.data]).toEqual([0, 4]);
    }
  });

  it("Hold Time 1 or 2 -> Unacceptable Hold Time, no data", () => {
    for (const hold of [1, 2]) {
      const err = openErrorOf(frame([...fixed({ hold }), 0]));
      expect(err.subcode).toBe(OpenMessageSubcode.UnacceptableHoldTime);
      expect(err.code).toBe("ERR_BGP_OPEN_UNACCEPTABLE_HOLD_TIME");
      expect(err.data.length).toBe(0);
    }
  });

  it("Hold Time 0, 3 and 65535 are accepted", () => {
    for (const hold of [0, 3, 65535]) expect(decodeOpen(frame([...fixed({ hold }), 0])).holdTime).toBe(hold);
  });

  it("BGP Identifier 0 -> Bad BGP Identifier, no data (RFC 6286 §2.2)", () => {
    const err = openErrorOf(frame([...fixed({ id: [0, 0, 0, 0] }), 0]));
    expect(err.subcode).toBe(OpenMessageSubcode.BadBgpIdentifier);
    expect(err.code).toBe("ERR_BGP_OPEN_BAD_BGP_IDENTIFIER");
    expect(err.data.length).toBe(0);
  });

  it("the version is checked before anything else", () => {
    const err = openErrorOf(frame([...fixed({ version: 3, hold: 1, id: [0, 0, 0, 0] }), 7, 1, 5]));
    expect(err.subcode).toBe(OpenMessageSubcode.UnsupportedVersionNumber);
  });

  it("an optional parameter other than Capabilities -> Unsupported Optional Parameter, no data", () => {
    for (const params of [
      [1, 2, 0, 0], // type 1, the deprecated authentication parameter
      [2, 2, ...routeRefresh, 3, 0], // a good one, then type 3
      [2, 2, ...routeRefresh, 255, 0], // 255 is only the RFC 9072 marker in FIRST place
    ]) {
      const err = openErrorOf(frame([...fixed(), params.length, ...params]));
      expect(err.subcode).toBe(OpenMessageSubcode.UnsupportedOptionalParameter);
      expect(err.code).toBe("ERR_BGP_OPEN_UNSUPPORTED_OPTIONAL_PARAMETER");
      expect(err.data.length).toBe(0);
    }
  });

  it("a malformed capability inside the OPEN -> Unspecific, data = that TLV", () => {
    // A Multiprotocol capability of length 2 (RFC 4760 §8 says 4).
    const bad = openErrorOf(frame([...fixed(), 6, 2, 4, 1, 2, 0, 1]));
    expect(bad.subcode).toBe(OpenMessageSubcode.Unspecific);
    expect(bad.code).toBe("ERR_BGP_OPEN_MALFORMED_CAPABILITY");
    expect([...bad.data]).toEqual([1, 2, 0, 1]);
  });
});

describe("decodeOpen: length inconsistencies are errors, never out-of-bounds reads", () => {
  const lengthErrors: [string, number[]][] = [
    ["Opt Parm Len past the end of the message", [...fixed(), 9, 2, 6, ...fourOctet65001.slice(0, 5)]],
    ["Opt Parm Len short of the end of the message", [...fixed(), 2, 2, 0, 0xee]],
    ["a parameter header cut short", [...fixed(), 1, 2]],
    ["a parameter running past the optional parameters", [...fixed(), 4, 2, 3, ...routeRefresh]],
    ["RFC 9072: the extended length cut short", [...fixed(), 255, 255, 0]],
    [
      "RFC 9072: Extended Opt. Parm. Length past the end",
      [...fixed(), 255, 255, 0, 10, 2, 0, 6, ...fourOctet65001],
    ],
    [
      "RFC 9072: Extended Opt. Parm. Length short of the end",
      [...fixed(), 255, 255, 0, 8, 2, 0, 6, ...fourOctet65001],
    ],
    ["RFC 9072: a 2-octet parameter length cut short", [...fixed(), 255, 255, 0, 2, 2, 0]],
    [
      "RFC 9072: a parameter running past the parameters",
      [...fixed(), 255, 255, 0, 5, 2, 0, 7, ...routeRefresh],
    ],
  ];
  for (const [name, body] of lengthErrors) {
    it(`${name} -> OPEN Message Error / Unspecific, no data`, () => {
      const err = openErrorOf(frame(body));
      expect(err.subcode).toBe(OpenMessageSubcode.Unspecific);
      expect(err.code).toBe("ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH");
      expect(err.data.length).toBe(0);
    });
  }

  it("a frame under 29 octets -> Message Header Error / Bad Message Length, data = the length", () => {
    const short = frame([4, 0xfd, 0xe9, 0, 90, 198, 18, 0, 1]);
    const err = thrown(() => decodeOpen(short)) as MessageHeaderError;
    expect(err).toBeInstanceOf(MessageHeaderError);
    expect(err.subcode).toBe(MessageHeaderSubcode.BadMessageLength);
    expect([...err.data]).toEqual([0, 28]);
  });

  it("a Length field that disagrees with the frame -> Bad Message Length, data = that field", () => {
    const err = thrown(() => decodeOpen(frame([...fixed(), 0], 40))) as MessageHeaderError;
    expect(err).toBeInstanceOf(MessageHeaderError);
    expect([...err.data]).toEqual([0, 40]);
  });

  it("arbitrary bodies either decode or raise a BgpWireError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.boolean(), (tail, extended) => {
        const body = [...fixed(), ...(extended ? [255, 255] : []), ...tail];
        try {
          decodeOpen(frame(body));
        } catch (err) {
          expect(err).toBeInstanceOf(BgpWireError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("every truncation of a valid OPEN (Length patched to match) fails cleanly", () => {
    const full = [...fixed(), 14, 2, 12, ...ipv4Unicast, ...fourOctet65001];
    for (let n = 9; n < full.length; n++) {
      expect(() => decodeOpen(frame(full.slice(0, n)))).toThrow(BgpWireError);
    }
  });
});

describe("decodeOpen: parameter forms", () => {
  it("flattens several parameters of several capabilities each, in order", () => {
    const params = [2, 8, ...routeRefresh, ...fourOctet65001, 2, 8, ...ipv4Unicast, 70, 0];
    expect(decodeOpen(frame([...fixed(), params.length, ...params])).capabilities).toEqual([
      { kind: "route-refresh" },
      { kind: "four-octet-as", asn: 65001 },
      { kind: "multiprotocol", afi: 1, safi: 1 },
      { kind: "enhanced-route-refresh" },
    ]);
  });

  it("accepts an empty Capabilities parameter", () => {
    expect(decodeOpen(frame([...fixed(), 2, 2, 0])).capabilities).toEqual([]);
  });

  it("RFC 9072: any non-zero Non-Ext OP Len with type 255 selects the extended form", () => {
    const open = decodeOpen(frame([...fixed(), 7, 255, 0, 9, 2, 0, 6, ...fourOctet65001]));
    expect(open.capabilities).toEqual([{ kind: "four-octet-as", asn: 65001 }]);
  });

  it("RFC 9072: several 2-octet-length parameters", () => {
    const params = [2, 0, 2, ...routeRefresh, 2, 0, 6, ...fourOctet65001];
    const open = decodeOpen(frame([...fixed(), 255, 255, 0, params.length, ...params]));
    expect(open.capabilities).toEqual([{ kind: "route-refresh" }, { kind: "four-octet-as", asn: 65001 }]);
  });
});

describe("encodeOpen", () => {
  const base: OpenMessage = {
    type: MessageType.Open,
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: "198.18.0.1",
    capabilities: [],
  };
  const unknown = (valueLength: number): Capability => ({
    kind: "unknown",
    code: 239,
    value: new Uint8Array(valueLength).fill(0x5a),
  });

  it("uses the classic form up to 255 octets of optional parameters", () => {
    // TLV of 253 octets + 2-octet parameter header = 255.
    const msg = { ...base, capabilities: [unknown(251)] };
    const bytes = encodeOpen(msg);
    expect(bytes.length).toBe(29 + 255);
    expect([bytes[28], bytes[29], bytes[30]]).toEqual([255, 2, 253]);
    expect(decodeOpen(bytes)).toEqual(msg);
  });

  it("switches to the RFC 9072 form at 256 octets", () => {
    const msg = { ...base, capabilities: [unknown(252)] };
    const bytes = encodeOpen(msg);
    expect(bytes.length).toBe(29 + 3 + 3 + 254);
    // Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length 257, type 2, length 254.
    expect([...bytes.subarray(28, 35)]).toEqual([255, 255, 1, 1, 2, 0, 254]);
    expect(decodeOpen(bytes)).toEqual(msg);
  });

  it("refuses an OPEN over 4096 octets (RFC 8654 §4 keeps OPEN at 4096)", () => {
    const msg = { ...base, capabilities: new Array<Capability>(16).fill(unknown(255)) };
    expect(() => encodeOpen(msg)).toThrow(RangeError);
  });

  it("range-checks the fixed fields", () => {
    expect(() => encodeOpen({ ...base, myAs: 65536 })).toThrow(RangeError);
    expect(() => encodeOpen({ ...base, holdTime: -1 })).toThrow(RangeError);
    expect(() => encodeOpen({ ...base, version: 256 })).toThrow(RangeError);
    expect(() => encodeOpen({ ...base, bgpId: "198.18.0" })).toThrow(RangeError);
  });
});

describe("openAsn and buildOpen", () => {
  it("openAsn prefers the 4-octet AS capability over My Autonomous System", () => {
    const open = buildOpen({ asn: 4200000000, holdTime: 90, bgpId: "198.18.0.1" });
    expect(openAsn(open)).toBe(4200000000);
    expect(openAsn({ ...open, myAs: 64512, capabilities: [] })).toBe(64512);
  });

  it("puts AS_TRANS in My AS for a 4-octet ASN and adds the capability carrying it", () => {
    const open = buildOpen({
      asn: 4200000000,
      holdTime: 90,
      bgpId: "198.18.0.1",
      capabilities: [{ kind: "route-refresh" }],
    });
    expect(open).toEqual({
      type: MessageType.Open,
      version: 4,
      myAs: AsTrans,
      holdTime: 90,
      bgpId: "198.18.0.1",
      capabilities: [{ kind: "route-refresh" }, { kind: "four-octet-as", asn: 4200000000 }],
    });
    expect(openAsn(decodeOpen(encodeOpen(open)))).toBe(4200000000);
  });

  it("keeps a 2-octet ASN in My AS and the capabilities as given", () => {
    const caps: Capability[] = [{ kind: "four-octet-as", asn: 65001 }];
    const open = buildOpen({ asn: 65001, holdTime: 0, bgpId: "198.18.0.1", capabilities: caps });
    expect(open.myAs).toBe(65001);
    expect(open.capabilities).toEqual(caps);
    expect(buildOpen({ asn: 65535, holdTime: 3, bgpId: "198.18.0.1" }).myAs).toBe(65535);
  });

  it("rejects what a peer would reject", () => {
    const ok = { asn: 65001, holdTime: 90, bgpId: "198.18.0.1" };
    for (const bad of [
      { ...ok, asn: 0 },
      { ...ok, asn: 2 ** 32 },
      { ...ok, holdTime: 1 },
      { ...ok, holdTime: 2 },
      { ...ok, holdTime: 65536 },
      { ...ok, bgpId: "0.0.0.0" },
      { ...ok, bgpId: "not an address" },
      { ...ok, capabilities: [{ kind: "four-octet-as", asn: 65002 } as const] },
    ]) {
      expect(() => buildOpen(bad)).toThrow(RangeError);
    }
  });
});
