/**
 * Messages real daemons sent (exported from test/vectors/captures by
 * test/captures/export-real-vectors.py): each decodes cleanly, and encoding
 * the decoded message gives the same octets back — except where the sender
 * chose one of several valid encodings that our encoder does not reproduce,
 * listed in `nonCanonical` with the reason. For those, the re-encoded message
 * must still decode to the same value (semantic round trip).
 */
import { fileURLToPath } from "node:url";
import {
  type CodecContext,
  decodeMessage,
  encodeMessage,
  MessageType,
  makeContext,
  mirrorContext,
} from "@portlb/bgp";
import { describe, expect, it } from "vitest";
import { loadHexDir, toHex } from "./hex.js";

const dir = fileURLToPath(new URL("./real", import.meta.url));
const vectors = loadHexDir(dir);

const ipv4 = (1 << 8) | 1;
const ipv6 = (2 << 8) | 1;

/** The contexts the OPENs of each session negotiated (see captures.test.ts, which derives them). */
const contexts: Record<string, CodecContext> = {
  "bird-update-addpath-ibgp": makeContext({
    fourOctetAs: true,
    extendedMessage: true,
    addPathReceive: new Set([ipv4, ipv6]),
  }),
  "bird-update-rfc8950": makeContext({ fourOctetAs: true }),
  "gobgp-update-ipv6-mapped-nh": makeContext({ fourOctetAs: true }),
  "exabgp-update-mp-unreach": makeContext({ fourOctetAs: true }),
  "frr-eor-ipv6": makeContext({ fourOctetAs: true, extendedMessage: true }),
};

/**
 * Vectors whose octets our encoder legitimately writes differently.
 * - FRR and ExaBGP put each capability in its own optional parameter (RFC 5492 allows
 *   one or many per parameter); the encoder writes them all into one.
 * - BIRD and ExaBGP put MP_REACH/MP_UNREACH first or last among the
 *   attributes; RFC 4271 §5 leaves the order free, the encoder writes
 *   attributes in type-code order.
 */
const nonCanonical: Record<string, string> = {
  "frr-open": "one capability per optional parameter",
  "exabgp-open": "one capability per optional parameter",
  "bird-update-rfc8950": "MP_REACH_NLRI first in the attribute list",
  "exabgp-update-mp-unreach": "MP_UNREACH_NLRI after ORIGIN/AS_PATH",
  "gobgp-update-ipv6-mapped-nh": "MP_REACH_NLRI first in the attribute list",
};

describe("real messages", () => {
  it("has vectors", () => {
    expect(vectors.size).toBeGreaterThanOrEqual(8);
  });

  describe.each([...vectors.keys()])("%s", (name) => {
    const bytes = vectors.get(name)!;
    const ctx = contexts[name] ?? makeContext({ fourOctetAs: true });

    it("decodes cleanly", () => {
      const msg = decodeMessage(bytes, ctx);
      expect(msg.type).toBe(bytes[18]);
      if (msg.type === MessageType.Update) expect(msg.issues ?? []).toEqual([]);
    });

    it(
      nonCanonical[name] === undefined
        ? "re-encodes byte for byte"
        : `round-trips by value (${nonCanonical[name]})`,
      () => {
        const msg = decodeMessage(bytes, ctx);
        // Decoded as the receiver; encoded as the sender, whose ADD-PATH send set is our receive set.
        const again = encodeMessage(msg, mirrorContext(ctx));
        if (nonCanonical[name] === undefined) {
          expect(toHex(again)).toBe(toHex(bytes));
        } else {
          expect(toHex(again)).not.toBe(toHex(bytes));
          const { rawAttributes: _a, ...first } = msg as { rawAttributes?: unknown };
          const { rawAttributes: _b, ...second } = decodeMessage(again, ctx) as { rawAttributes?: unknown };
          expect(second).toEqual(first);
        }
      },
    );
  });

  it("checks the fields that make each vector interesting", () => {
    const rfc8950 = decodeMessage(vectors.get("bird-update-rfc8950")!, contexts["bird-update-rfc8950"]!);
    expect(rfc8950).toMatchObject({ mpReach: { afi: 1, nextHop: "2001:db8:4::7" } });
    if (rfc8950.type !== MessageType.Update) throw new Error("not an UPDATE");
    expect(rfc8950.mpReach?.linkLocalNextHop).toMatch(/^fe80:/);
    const note = decodeMessage(vectors.get("frr-notification-shutdown")!);
    expect(note).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "portlb capture: planned maintenance",
    });
    const refresh = decodeMessage(vectors.get("frr-route-refresh-borr")!);
    expect(refresh).toMatchObject({ type: MessageType.RouteRefresh, afi: 1, subtype: 1 });
    const open = decodeMessage(vectors.get("frr-open")!);
    expect(open).toMatchObject({
      myAs: 23456,
      capabilities: expect.arrayContaining([{ kind: "four-octet-as", asn: 4200000001 }]),
    });
  });
});
