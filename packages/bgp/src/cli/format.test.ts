import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../wire/codec.js";
import { Afi, AsPathSegmentType, MessageType, Origin, Safi, WellKnownCommunity } from "../wire/constants.js";
import { makeContext } from "../wire/context.js";
import { endOfRib } from "../wire/end-of-rib.js";
import { badMessageType, updateError } from "../wire/errors.js";
import type { BgpMessage, UpdateMessage } from "../wire/messages.js";
import { emptyNlri, nlriFromPrefixes } from "../wire/nlri.js";
import { buildOpen } from "../wire/open.js";
import type { DecodeRecord } from "./decode-records.js";
import {
  formatAsPath,
  formatError,
  formatExtendedCommunity,
  formatMessage,
  formatRecordText,
  recordToJson,
  toJsonValue,
} from "./format.js";
import { parseHex } from "./hex.js";

const ctx = makeContext({ fourOctetAs: true });

/** Through the wire and back, so the formatter sees what a decoder really returns. */
function roundTrip(msg: BgpMessage): BgpMessage {
  return decodeMessage(encodeMessage(msg, ctx), ctx);
}

const update: UpdateMessage = {
  type: MessageType.Update,
  withdrawn: nlriFromPrefixes(Afi.Ipv4, ["100.64.2.0/24"]),
  attributes: {
    origin: Origin.Igp,
    asPath: [
      { type: AsPathSegmentType.AsSequence, asns: [65001, 4200000001] },
      { type: AsPathSegmentType.AsSet, asns: [65010, 65011] },
    ],
    nextHop: "198.18.0.1",
    med: 50,
    localPref: 200,
    communities: [(65000 << 16) | 100, WellKnownCommunity.NoExport],
    extendedCommunities: [Uint8Array.of(0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 7)],
    largeCommunities: [{ globalAdmin: 4200000001, localData1: 1, localData2: 2 }],
  },
  nlri: nlriFromPrefixes(Afi.Ipv4, ["203.0.113.0/25", "100.64.1.0/24"]),
  mpReach: {
    afi: Afi.Ipv6,
    safi: Safi.Unicast,
    nextHop: "2001:db8:1::1",
    linkLocalNextHop: "fe80::1",
    nlri: nlriFromPrefixes(Afi.Ipv6, ["2001:db8:100::/48"]),
  },
};

describe("formatMessage", () => {
  it("prints an UPDATE as a block: withdrawn, attributes, MP_REACH, NLRI", () => {
    expect(formatMessage(roundTrip(update))).toBe(
      [
        "UPDATE",
        "  withdrawn: 100.64.2.0/24",
        "  attributes: origin IGP, as-path 65001 4200000001 {65010,65011}, next-hop 198.18.0.1, med 50, local-pref 200, communities 65000:100 NO_EXPORT, extended-communities rt 65000:7, large-communities 4200000001:1:2",
        "  mp-reach ipv6/unicast next-hop 2001:db8:1::1 fe80::1: 2001:db8:100::/48",
        "  nlri: 203.0.113.0/25 100.64.1.0/24",
      ].join("\n"),
    );
  });

  it("names End-of-RIB markers (RFC 4724 §2)", () => {
    expect(formatMessage(roundTrip(endOfRib(Afi.Ipv4, Safi.Unicast)))).toBe("UPDATE End-of-RIB ipv4/unicast");
    expect(formatMessage(roundTrip(endOfRib(Afi.Ipv6, Safi.Unicast)))).toBe("UPDATE End-of-RIB ipv6/unicast");
  });

  it("shows ADD-PATH identifiers and MP_UNREACH", () => {
    const msg: UpdateMessage = {
      type: MessageType.Update,
      withdrawn: emptyNlri(Afi.Ipv4),
      attributes: {},
      nlri: emptyNlri(Afi.Ipv4),
      mpUnreach: {
        afi: Afi.Ipv6,
        safi: Safi.Unicast,
        nlri: nlriFromPrefixes(Afi.Ipv6, [{ prefix: "2001:db8:101::/48", pathId: 4 }], true),
      },
    };
    expect(formatMessage(msg)).toBe("UPDATE\n  mp-unreach ipv6/unicast: 2001:db8:101::/48 (path 4)");
  });

  it("prints an OPEN with capability names", () => {
    const open = buildOpen({
      asn: 4200000001,
      holdTime: 90,
      bgpId: "198.18.0.1",
      capabilities: [
        { kind: "multiprotocol", afi: Afi.Ipv6, safi: Safi.Unicast },
        { kind: "route-refresh" },
        { kind: "add-path", families: [{ afi: Afi.Ipv4, safi: Safi.Unicast, direction: 3 }] },
        { kind: "unknown", code: 73, value: Uint8Array.of(1, 0x61, 0) },
      ],
    });
    expect(formatMessage(roundTrip(open))).toBe(
      "OPEN version 4, my AS 23456, hold time 90, id 198.18.0.1\n" +
        "  capabilities: mp ipv6/unicast, route-refresh, add-path ipv4/unicast send/receive, fqdn (73) 0x016100, 4-octet-as 4200000001",
    );
  });

  it("prints NOTIFICATION names and the shutdown communication, ROUTE-REFRESH subtypes, KEEPALIVE", () => {
    const note = decodeMessage(parseHex("ffffffffffffffffffffffffffffffff 001a 03 06 02 04 6d61696e"));
    expect(formatMessage(note)).toBe(
      'NOTIFICATION Cease/Administrative Shutdown (6/2) shutdown communication "main" data 0x046d61696e',
    );
    expect(formatMessage({ type: MessageType.RouteRefresh, afi: 2, safi: 1, subtype: 1 })).toBe(
      "ROUTE-REFRESH ipv6/unicast BoRR",
    );
    expect(formatMessage({ type: MessageType.RouteRefresh, afi: 1, safi: 1, subtype: 0 })).toBe(
      "ROUTE-REFRESH ipv4/unicast",
    );
    expect(formatMessage({ type: MessageType.Keepalive })).toBe("KEEPALIVE");
  });
});

describe("small formatters", () => {
  it("AS_PATH segment kinds", () => {
    expect(formatAsPath([])).toBe("(empty)");
    expect(
      formatAsPath([
        { type: AsPathSegmentType.AsConfedSequence, asns: [1, 2] },
        { type: AsPathSegmentType.AsConfedSet, asns: [3] },
      ]),
    ).toBe("(1 2) [3]");
  });

  it("extended communities: 2-octet AS, IPv4 and 4-octet AS route targets, else hex", () => {
    expect(formatExtendedCommunity(Uint8Array.of(0x01, 0x02, 198, 18, 0, 1, 0, 9))).toBe("rt 198.18.0.1:9");
    expect(formatExtendedCommunity(Uint8Array.of(0x02, 0x03, 0xfa, 0x56, 0xea, 0x01, 0, 9))).toBe(
      "soo 4200000001:9",
    );
    expect(formatExtendedCommunity(Uint8Array.of(0x03, 0x0c, 0, 0, 0, 0, 0, 8))).toBe("0x030c000000000008");
  });
});

describe("errors", () => {
  it("prints a wire error as the NOTIFICATION it would cause", () => {
    const err = updateError(11, "ERR_BGP_UPDATE_MALFORMED_AS_PATH", "bad segment", Uint8Array.of(0x40, 2, 0));
    expect(formatError(err)).toBe(
      "ERROR ERR_BGP_UPDATE_MALFORMED_AS_PATH: bad segment -> would send NOTIFICATION UPDATE Message Error/Malformed AS_PATH (3/11) data 0x400200",
    );
    expect(formatError(new Error("boom"))).toBe("ERROR boom");
  });
});

describe("records", () => {
  const flow = {
    connection: 2,
    src: { address: "2001:db8::1", port: 179 },
    dst: { address: "198.18.0.2", port: 40000 },
  };

  it("prefixes flow records with connection, relative time and endpoints", () => {
    const rec: DecodeRecord = {
      kind: "message",
      message: { type: MessageType.Keepalive },
      raw: new Uint8Array(19),
      context: ctx,
      time: 101.5,
      flow,
    };
    expect(formatRecordText(rec, 100)).toBe("[2] 1.500000 [2001:db8::1]:179 > 198.18.0.2:40000 KEEPALIVE");
    expect(formatRecordText({ kind: "gap", missing: 7, flow })).toMatch(/^\[2\] - .* GAP 7 octets missing/);
  });

  it("JSON: hex for octets, prefix arrays for NLRI, names for NOTIFICATIONs", () => {
    const msg = roundTrip(update);
    const json = recordToJson({
      kind: "message",
      message: msg,
      raw: Uint8Array.of(1, 2),
      context: ctx,
      flow,
    });
    expect(json).toMatchObject({ connection: 2, src: "[2001:db8::1]:179", type: "UPDATE", raw: "0102" });
    const m = json.message as Record<string, unknown>;
    expect(m.nlri).toEqual(["203.0.113.0/25", "100.64.1.0/24"]);
    expect(m.withdrawn).toEqual(["100.64.2.0/24"]);
    expect((m.mpReach as Record<string, unknown>).nlri).toEqual(["2001:db8:100::/48"]);
    expect((m.attributes as Record<string, unknown>).extendedCommunities).toEqual(["0002fde800000007"]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const err = recordToJson({ kind: "error", error: badMessageType(9), raw: Uint8Array.of(9) });
    expect(err).toEqual({
      type: "error",
      error: {
        code: "ERR_BGP_BAD_MESSAGE_TYPE",
        message: "bad message type 9",
        notification: { code: 1, subcode: 3, name: "Message Header Error/Bad Message Type", data: "09" },
      },
      raw: "09",
    });
    expect(
      recordToJson({
        kind: "message",
        message: endOfRib(Afi.Ipv6, Safi.Unicast),
        raw: new Uint8Array(0),
        context: ctx,
      }).endOfRib,
    ).toBe("ipv6/unicast");
  });

  it("toJsonValue keeps ADD-PATH identifiers", () => {
    expect(toJsonValue(nlriFromPrefixes(Afi.Ipv4, [{ prefix: "203.0.113.0/24", pathId: 9 }], true))).toEqual([
      { prefix: "203.0.113.0/24", pathId: 9 },
    ]);
  });
});
