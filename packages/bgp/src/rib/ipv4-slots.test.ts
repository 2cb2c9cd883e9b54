import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ipv4Slots } from "./ipv4-slots.js";
import { makePeerRef } from "./path.js";
import { ipv4Key } from "./prefix-key.js";

const peers = [1, 2, 3].map((id) =>
  makePeerRef({ id, address: `198.19.0.${id}`, asn: 65001, bgpId: `198.19.0.${id}`, ibgp: true }),
);

describe("Ipv4Slots", () => {
  it("behaves like a Map of (peer, path id, stale) under random claims, frees and lookups", () => {
    // Few distinct keys, many operations: collisions, tombstones reused, growth and emptying.
    const arbKey = fc.integer({ min: 0, max: 300 }).map((i) => ipv4Key(0xcb007100 + i, 32));
    const arbOp = fc.oneof(
      fc.record({
        op: fc.constant("set" as const),
        key: arbKey,
        peer: fc.integer({ min: 0, max: 2 }),
        id: fc.oneof(fc.constant(0), fc.nat()),
        stale: fc.boolean(),
      }),
      fc.record({ op: fc.constant("free" as const), key: arbKey }),
      fc.record({ op: fc.constant("find" as const), key: arbKey }),
    );
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 2000 }), (ops) => {
        const slots = new Ipv4Slots<never>();
        const model = new Map<number, { peer: number; id: number; stale: boolean }>();
        for (const o of ops) {
          if (o.op === "set") {
            const at = slots.claim(o.key);
            slots.setPeer(at, peers[o.peer]);
            slots.setPathId(at, o.id >>> 0);
            slots.setStale(at, o.stale);
            model.set(o.key, { peer: o.peer, id: o.id >>> 0, stale: o.stale });
          } else if (o.op === "free") {
            const at = slots.find(o.key);
            expect(at >= 0).toBe(model.has(o.key));
            if (at >= 0) slots.free(at);
            model.delete(o.key);
          }
          // Every operation is followed by a lookup (which exercises the last-found memo).
          const at = slots.find(o.key);
          const want = model.get(o.key);
          expect(at >= 0).toBe(want !== undefined);
          if (want !== undefined) {
            expect(slots.peerAt(at)).toBe(peers[want.peer]);
            expect(slots.pathIdAt(at)).toBe(want.id);
            expect(slots.isStale(at)).toBe(want.stale);
          }
          expect(slots.size).toBe(model.size);
          // A peer keeps its number only while some row holds it.
          expect(slots.peerCount).toBe(new Set([...model.values()].map((v) => v.peer)).size);
        }
        const seen = new Map<number, number>();
        slots.forEachSlot((at, key) => seen.set(key, slots.pathIdAt(at)));
        expect(seen).toEqual(new Map([...model].map(([k, v]) => [k, v.id])));
      }),
      { numRuns: 200 },
    );
  });
});
