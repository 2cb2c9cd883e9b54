/**
 * Golden vectors for OPEN (+ capabilities), NOTIFICATION, KEEPALIVE and
 * ROUTE-REFRESH: hand-written annotated hex in golden/, derived from the RFC
 * layouts, each paired here with the message it must decode to. For every
 * pair: decode deep-equals the message, encode is byte-equal to the vector
 * (or, for a non-canonical form, to the canonical vector it names), and
 * decode(encode(decode(bytes))) is stable.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BgpMessage, Capability, NotificationMessage, OpenMessage } from "@portlb/bgp/wire";
import { decodeMessage, encodeMessage, MessageType } from "@portlb/bgp/wire";
import { describe, expect, it } from "vitest";
import { loadHexDir, toHex } from "./hex.js";

const vectors = loadHexDir(join(dirname(fileURLToPath(import.meta.url)), "golden"));

/** The vector families this file owns; other files own the rest of golden/. */
const owned = (name: string): boolean =>
  name === "keepalive" || /^(open|capability|notification|route-refresh)-/.test(name);

interface Expectation {
  readonly message: BgpMessage;
  /** A non-canonical encoding: the encoder writes this other vector's bytes instead. */
  readonly encodesAs?: string;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function open(fields: Partial<OpenMessage> & { capabilities: readonly Capability[] }): OpenMessage {
  return {
    type: MessageType.Open,
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: "198.18.0.1",
    ...fields,
  };
}

function notification(code: number, subcode: number, data: number[], text?: string): NotificationMessage {
  const base = { type: MessageType.Notification, code, subcode, data: Uint8Array.from(data) } as const;
  return text === undefined ? base : { ...base, shutdownCommunication: text };
}

const ipv4Unicast: Capability = { kind: "multiprotocol", afi: 1, safi: 1 };
const trans4200000000 = {
  myAs: 23456,
  holdTime: 180,
  bgpId: "198.18.0.2",
} as const;

const fqdnValue = Uint8Array.from([
  40,
  ...ascii("lb-agent-7f9c4d5b-node-198-18-0-2-rack-a"),
  200,
  ...ascii(`${"portlb-ecmp-redundancy-test.".repeat(7)}labs`),
]);

const expectations: Readonly<Record<string, Expectation>> = {
  keepalive: { message: { type: MessageType.Keepalive } },

  // --- OPEN ------------------------------------------------------------------
  "open-minimal": {
    message: open({ myAs: 64512, capabilities: [] }),
  },
  "open-four-octet-as-trans": {
    message: open({
      ...trans4200000000,
      capabilities: [ipv4Unicast, { kind: "route-refresh" }, { kind: "four-octet-as", asn: 4200000000 }],
    }),
  },
  "open-multiple-parameters": {
    message: open({
      ...trans4200000000,
      capabilities: [ipv4Unicast, { kind: "route-refresh" }, { kind: "four-octet-as", asn: 4200000000 }],
    }),
    encodesAs: "open-four-octet-as-trans",
  },
  "open-extended-optional-parameters": {
    message: open({
      ...trans4200000000,
      capabilities: [
        ipv4Unicast,
        { kind: "four-octet-as", asn: 4200000000 },
        { kind: "unknown", code: 73, value: fqdnValue },
      ],
    }),
  },
  "open-extended-optional-parameters-short": {
    message: open({ capabilities: [{ kind: "four-octet-as", asn: 65001 }] }),
    encodesAs: "capability-four-octet-as",
  },

  // --- one OPEN per capability kind --------------------------------------------
  "capability-multiprotocol": {
    message: open({ capabilities: [ipv4Unicast, { kind: "multiprotocol", afi: 2, safi: 1 }] }),
  },
  "capability-route-refresh": {
    message: open({ capabilities: [{ kind: "route-refresh" }, { kind: "enhanced-route-refresh" }] }),
  },
  "capability-extended-next-hop": {
    message: open({
      capabilities: [
        {
          kind: "extended-next-hop",
          entries: [
            { afi: 1, safi: 1, nextHopAfi: 2 },
            { afi: 1, safi: 2, nextHopAfi: 2 },
          ],
        },
      ],
    }),
  },
  "capability-extended-message": {
    message: open({ capabilities: [{ kind: "extended-message" }] }),
  },
  "capability-graceful-restart": {
    message: open({
      capabilities: [
        {
          kind: "graceful-restart",
          restarting: true,
          notification: true,
          restartTime: 120,
          families: [
            { afi: 1, safi: 1, forwarding: true },
            { afi: 2, safi: 1, forwarding: false },
            { afi: 1, safi: 2, forwarding: true },
          ],
        },
      ],
    }),
  },
  "capability-graceful-restart-helper": {
    message: open({
      capabilities: [
        { kind: "graceful-restart", restarting: false, notification: true, restartTime: 4095, families: [] },
      ],
    }),
  },
  "capability-four-octet-as": {
    message: open({ capabilities: [{ kind: "four-octet-as", asn: 65001 }] }),
  },
  "capability-add-path": {
    message: open({
      capabilities: [
        {
          kind: "add-path",
          families: [
            { afi: 1, safi: 1, direction: 3 },
            { afi: 2, safi: 1, direction: 2 },
            { afi: 1, safi: 2, direction: 1 },
          ],
        },
      ],
    }),
  },
  "capability-add-path-invalid-direction": {
    message: open({ capabilities: [{ kind: "unknown", code: 69, value: Uint8Array.of(0, 1, 1, 4) }] }),
  },
  "capability-unknown": {
    message: open({
      capabilities: [
        { kind: "unknown", code: 128, value: new Uint8Array(0) },
        { kind: "unknown", code: 73, value: Uint8Array.of(5, ...ascii("lb-01"), 0) },
      ],
    }),
  },

  // --- NOTIFICATION --------------------------------------------------------------
  "notification-cease-administrative-shutdown": {
    message: notification(
      6,
      2,
      [49, ...ascii("maintenance: draining LB pod — zurück in 5 min")],
      "maintenance: draining LB pod — zurück in 5 min",
    ),
  },
  "notification-cease-administrative-reset-empty": { message: notification(6, 4, [0], "") },
  "notification-cease-administrative-shutdown-no-data": { message: notification(6, 2, []) },
  "notification-cease-administrative-shutdown-invalid-utf8": {
    message: notification(6, 2, [2, 0xc3, 0x28]),
  },
  "notification-cease-maximum-prefixes": {
    message: notification(6, 1, [0, 1, 1, 0, 0, 0x03, 0xe8]),
  },
  "notification-open-unsupported-version": { message: notification(2, 1, [0, 4]) },
  "notification-update-malformed-as-path": { message: notification(3, 11, []) },
  "notification-header-bad-message-length": { message: notification(1, 2, [0x10, 0x01]) },
  "notification-hold-timer-expired": { message: notification(4, 0, []) },
  "notification-fsm-unexpected-in-openconfirm": { message: notification(5, 2, []) },
  "notification-route-refresh-invalid-length": {
    message: notification(7, 1, [...new Array<number>(16).fill(0xff), 0, 24, 5, 0, 1, 1, 1, 0]),
  },

  // --- ROUTE-REFRESH -------------------------------------------------------------
  "route-refresh-normal": { message: { type: MessageType.RouteRefresh, afi: 1, safi: 1, subtype: 0 } },
  "route-refresh-borr": { message: { type: MessageType.RouteRefresh, afi: 2, safi: 1, subtype: 1 } },
  "route-refresh-eorr": { message: { type: MessageType.RouteRefresh, afi: 2, safi: 1, subtype: 2 } },
  "route-refresh-unknown-subtype": {
    message: { type: MessageType.RouteRefresh, afi: 1, safi: 1, subtype: 3 },
  },
};

describe("golden vectors: OPEN, capabilities, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH", () => {
  it("has an expectation for every owned vector file and a file for every expectation", () => {
    const files = [...vectors.keys()].filter(owned).sort();
    expect(files).toEqual(Object.keys(expectations).sort());
  });

  for (const [name, { message, encodesAs }] of Object.entries(expectations)) {
    describe(name, () => {
      const bytes = (vector: string): Uint8Array => {
        const found = vectors.get(vector);
        if (found === undefined) throw new Error(`golden/${vector}.hex is missing`);
        return found;
      };

      it("decodes to the expected message", () => {
        expect(decodeMessage(bytes(name))).toStrictEqual(message);
      });

      it(`encodes to the bytes of ${encodesAs ?? "the vector"}`, () => {
        expect(toHex(encodeMessage(message))).toBe(toHex(bytes(encodesAs ?? name)));
      });

      it("survives decode -> encode -> decode", () => {
        const decoded = decodeMessage(bytes(name));
        expect(decodeMessage(encodeMessage(decoded))).toStrictEqual(decoded);
      });
    });
  }
});
