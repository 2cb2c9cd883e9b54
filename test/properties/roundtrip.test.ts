/**
 * encode -> decode is the identity for generated messages of every type, in
 * every codec context (2-/4-octet AS, ADD-PATH per family, extended message).
 */

import { decodeMessage, encodeMessage, type UpdateMessage } from "@portlb/bgp/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { message, notification, open, routeRefresh, updateWithContext } from "./arbitraries.js";

/** The decoder adds rawAttributes (the received octets) and issues; compare the rest. */
function comparable(msg: ReturnType<typeof decodeMessage>): unknown {
  if (msg.type !== 2) return msg;
  const { rawAttributes: _raw, issues, ...rest } = msg as UpdateMessage;
  expect(issues ?? []).toEqual([]);
  return rest;
}

describe("encode -> decode identity", () => {
  it("OPEN", () => {
    fc.assert(
      fc.property(open, (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
      { numRuns: 2000 },
    );
  });

  it("UPDATE", () => {
    fc.assert(
      fc.property(updateWithContext, ({ ctx, msg }) => {
        expect(comparable(decodeMessage(encodeMessage(msg, ctx), ctx))).toEqual(msg);
      }),
      { numRuns: 3000 },
    );
  });

  it("NOTIFICATION", () => {
    fc.assert(
      fc.property(notification, (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
      {
        numRuns: 1000,
      },
    );
  });

  it("ROUTE-REFRESH", () => {
    fc.assert(
      fc.property(routeRefresh, (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
      {
        numRuns: 300,
      },
    );
  });

  it("any message, encoded twice, gives the same bytes (encoding is deterministic)", () => {
    fc.assert(
      fc.property(message, ({ ctx, msg }) => {
        const once = encodeMessage(msg, ctx);
        const again = encodeMessage(decodeMessage(once, ctx), ctx);
        expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(once).toString("hex"));
      }),
      { numRuns: 2000 },
    );
  });
});
