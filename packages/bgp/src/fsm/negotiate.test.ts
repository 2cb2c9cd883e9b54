import { describe, expect, it } from "vitest";
import {
  type Capability,
  familyKey,
  Ipv4Unicast,
  Ipv6Unicast,
  MessageType,
  type OpenMessage,
} from "../wire/index.js";
import { familiesOf, negotiate, peerAsOf } from "./negotiate.js";
import type { FsmConfig } from "./types.js";

const base: FsmConfig = {
  localAs: 65001,
  routerId: "198.18.0.1",
  peerAs: 65001,
  holdTime: 90,
  connectRetryTime: 30,
  passive: false,
  delayOpenTime: 0,
  dampPeerOscillations: false,
  idleHoldTime: 1,
  maxIdleHoldTime: 60,
  stableTime: 60,
  sendNotificationWithoutOpen: false,
  allowAutomaticStart: true,
  capabilities: [
    { kind: "multiprotocol", afi: 1, safi: 1 },
    { kind: "multiprotocol", afi: 2, safi: 1 },
    { kind: "four-octet-as", asn: 65001 },
    { kind: "extended-message" },
    { kind: "enhanced-route-refresh" },
    {
      kind: "add-path",
      families: [
        { afi: 1, safi: 1, direction: 3 },
        { afi: 2, safi: 1, direction: 2 },
      ],
    },
  ],
};

function open(caps: Capability[], over: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: MessageType.Open,
    version: 4,
    myAs: 65001,
    holdTime: 180,
    bgpId: "198.18.0.2",
    capabilities: caps,
    ...over,
  };
}

describe("negotiate", () => {
  it("intersects families and computes ADD-PATH per direction (RFC 7911 §4)", () => {
    const n = negotiate(
      base,
      open([
        { kind: "multiprotocol", afi: 1, safi: 1 },
        { kind: "multiprotocol", afi: 2, safi: 1 },
        { kind: "four-octet-as", asn: 65001 },
        {
          kind: "add-path",
          families: [
            { afi: 1, safi: 1, direction: 1 },
            { afi: 2, safi: 1, direction: 1 },
          ],
        },
      ]),
    );
    expect(n.families).toEqual([Ipv4Unicast, Ipv6Unicast]);
    expect([...n.ctx.addPathSend]).toEqual([Ipv4Unicast, Ipv6Unicast]);
    expect([...n.ctx.addPathReceive]).toEqual([]);
    expect(n.ctx.fourOctetAs).toBe(true);
    expect(n.ctx.extendedMessage).toBe(false);
    expect(n.ibgp).toBe(true);
    expect(n.holdTime).toBe(90);
    expect(n.keepaliveTime).toBe(30);
  });

  it("receives with ADD-PATH when we said receive and the peer said send", () => {
    const n = negotiate(base, open([{ kind: "add-path", families: [{ afi: 1, safi: 1, direction: 2 }] }]));
    expect([...n.ctx.addPathReceive]).toEqual([Ipv4Unicast]);
    expect(n.families).toEqual([Ipv4Unicast]); // no MP capability means IPv4 unicast
  });

  it("reads the peer's ASN from the 4-octet AS capability behind AS_TRANS", () => {
    const cfg = { ...base, peerAs: 4200000001 };
    const o = open([{ kind: "four-octet-as", asn: 4200000001 }], { myAs: 23456 });
    expect(peerAsOf(o)).toBe(4200000001);
    expect(negotiate(cfg, o).ibgp).toBe(false);
  });

  it("accepts a dynamic peer from an allowed AS set and refuses others with 2/2", () => {
    const cfg = { ...base, peerAs: [65010, 65011] };
    expect(negotiate(cfg, open([], { myAs: 65011 })).peerAs).toBe(65011);
    expect(() => negotiate(cfg, open([], { myAs: 65012 }))).toThrow(
      expect.objectContaining({ errorCode: 2, subcode: 2, data: Uint8Array.of(0xfd, 0xf4) }),
    );
  });

  it("refuses a 4-octet capability that contradicts My AS", () => {
    expect(() => negotiate(base, open([{ kind: "four-octet-as", asn: 65001 }], { myAs: 65002 }))).toThrow(
      expect.objectContaining({ subcode: 2 }),
    );
  });

  it("refuses an internal peer with our BGP identifier (RFC 6286) with 2/3", () => {
    expect(() => negotiate(base, open([], { bgpId: "198.18.0.1" }))).toThrow(
      expect.objectContaining({ errorCode: 2, subcode: 3, data: Uint8Array.of(198, 18, 0, 1) }),
    );
    // an external peer may
    expect(negotiate({ ...base, peerAs: 65002 }, open([], { myAs: 65002, bgpId: "198.18.0.1" })).peerAs).toBe(
      65002,
    );
  });

  it("uses the smaller hold time, and refuses one under the configured minimum with 2/6", () => {
    expect(negotiate(base, open([], { holdTime: 9 })).keepaliveTime).toBe(3);
    expect(negotiate(base, open([], { holdTime: 0 })).keepaliveTime).toBe(0);
    expect(() => negotiate({ ...base, minHoldTime: 10 }, open([], { holdTime: 9 }))).toThrow(
      expect.objectContaining({ subcode: 6 }),
    );
  });

  it("refuses when no family is shared, with 2/7", () => {
    expect(() => negotiate(base, open([{ kind: "multiprotocol", afi: 1, safi: 2 }]))).toThrow(
      expect.objectContaining({ subcode: 7 }),
    );
  });

  it("keeps the peer's graceful-restart capability", () => {
    const n = negotiate(
      base,
      open([
        {
          kind: "graceful-restart",
          restarting: true,
          notification: false,
          restartTime: 120,
          families: [{ afi: 1, safi: 1, forwarding: true }],
        },
      ]),
    );
    expect(n.gracefulRestart).toEqual({
      restarting: true,
      notification: false,
      restartTime: 120,
      families: [{ family: familyKey(1, 1), forwarding: true }],
    });
    expect(familiesOf([])).toEqual([Ipv4Unicast]);
  });
});
