import { describe, expect, it } from "vitest";
import {
  AS_PATH_65001,
  attr,
  MANDATORY,
  NEXT_HOP,
  NLRI_1,
  update,
} from "../../../../test/vectors/update-kit.js";
import { makePeerRef } from "../rib/path.js";
import { prefixKeyFromText } from "../rib/prefix-key.js";
import {
  AttrFlag,
  type CodecContext,
  decodeMessage,
  defaultContext,
  Ipv4Unicast,
  makeContext,
  reflectAttributes,
  type UpdateMessage,
} from "../wire/index.js";
import { type GroupFlush, RouteEngine } from "./route-engine.js";

const clusterId = "198.18.0.100";
const LOCAL_PREF = attr(0x40, 5, "00000064");
const UNKNOWN_TRANSITIVE = attr(0xc0, 0xf0, "0102030405"); // optional transitive, type 240
const UNKNOWN_NON_TRANSITIVE = attr(0x80, 0xf1, "09");
/** ORIGIN with the Extended Length bit set (legal, RFC 4271 §4.3): our encoder would not write it so. */
const ORIGIN_EXTENDED = "5001000100";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function engine(): RouteEngine {
  return new RouteEngine({ localAs: 65001, routerId: "198.18.0.1", clusterId });
}

function client(e: RouteEngine, id: number, ctx: CodecContext, rrClient = true) {
  const ref = makePeerRef({
    id,
    address: `127.0.0.${id}`,
    asn: 65001,
    bgpId: `198.19.0.${id}`,
    ibgp: true,
    rrClient,
  });
  e.peerUp({ ref, ctx, families: [Ipv4Unicast], localIpv4: "127.0.0.100" });
  return ref;
}

/** The UPDATEs with NLRI among `flushes` for the group holding `peer`. */
function updatesFor(flushes: readonly GroupFlush[], peer: number): Uint8Array[] {
  return flushes
    .filter((f) => f.members.includes(peer))
    .flatMap((f) => f.messages)
    .filter((m) => m.length > 23);
}

/** The path-attribute octets of an IPv4 UPDATE without withdrawals. */
function attributeOctets(m: Uint8Array): Uint8Array {
  expect((m[19]! << 8) | m[20]!).toBe(0);
  const length = (m[21]! << 8) | m[22]!;
  return m.subarray(23, 23 + length);
}

describe("route engine: reflecting from the received octets (RFC 4456 §8, RFC 4271 §5)", () => {
  it("sends reflectAttributes(received octets) byte for byte, unknown transitive attribute Partial", () => {
    const e = engine();
    const a = client(e, 1, defaultContext);
    client(e, 2, defaultContext);
    e.flush(); // the (empty) initial tables: End-of-RIB
    const bytes = update({
      attrs:
        ORIGIN_EXTENDED + AS_PATH_65001 + NEXT_HOP + LOCAL_PREF + UNKNOWN_NON_TRANSITIVE + UNKNOWN_TRANSITIVE,
      nlri: NLRI_1,
    });
    const received = decodeMessage(bytes, defaultContext) as UpdateMessage;
    e.settle(e.receive(1, received));
    const sent = updatesFor(e.flush(), 2);
    expect(sent).toHaveLength(1);
    const expected = reflectAttributes(received.rawAttributes!, { originatorId: a.bgpId, clusterId });
    expect(hex(attributeOctets(sent[0]!))).toBe(hex(expected));
    expect(hex(attributeOctets(sent[0]!)).startsWith(ORIGIN_EXTENDED)).toBe(true); // copied, not re-encoded
    // Read back: the unknown transitive one went along with the Partial bit, the other was dropped.
    const back = decodeMessage(sent[0]!, defaultContext) as UpdateMessage;
    expect(back.attributes.unknown).toEqual([
      {
        flags: AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial,
        type: 0xf0,
        value: Uint8Array.of(1, 2, 3, 4, 5),
      },
    ]);
    expect(back.attributes).toMatchObject({
      originatorId: a.bgpId,
      clusterList: [clusterId],
      nextHop: "198.18.0.1",
    });
  });

  it("re-encodes when the octets do not fit the target session (4-octet AS), with the same meaning", () => {
    const e = engine();
    const a = client(e, 1, defaultContext);
    const four = makeContext({ fourOctetAs: true });
    client(e, 3, four);
    e.flush();
    const received = decodeMessage(
      update({ attrs: MANDATORY + LOCAL_PREF + UNKNOWN_TRANSITIVE, nlri: NLRI_1 }),
      defaultContext,
    ) as UpdateMessage;
    e.settle(e.receive(1, received));
    const sent = updatesFor(e.flush(), 3);
    expect(sent).toHaveLength(1);
    const back = decodeMessage(sent[0]!, four) as UpdateMessage;
    expect(back.attributes).toMatchObject({
      asPath: [{ type: 2, asns: [65001] }],
      localPref: 100,
      originatorId: a.bgpId,
      clusterList: [clusterId],
    });
    expect(back.attributes.unknown?.[0]?.flags).toBe(
      AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial,
    );
  });

  it("the same attributes from two clients are reflected with each one's ORIGINATOR_ID", () => {
    const e = engine();
    const a = client(e, 1, defaultContext);
    const b = client(e, 2, defaultContext);
    client(e, 3, defaultContext, false);
    e.flush();
    const attrs = MANDATORY + LOCAL_PREF;
    e.settle(
      e.receive(1, decodeMessage(update({ attrs, nlri: "18cb0071" }), defaultContext) as UpdateMessage),
    );
    e.settle(
      e.receive(2, decodeMessage(update({ attrs, nlri: "18cb0072" }), defaultContext) as UpdateMessage),
    );
    const sent = updatesFor(e.flush(), 3).map((m) => decodeMessage(m, defaultContext) as UpdateMessage);
    const originators = sent.map((u) => u.attributes.originatorId).sort();
    expect(originators).toEqual([a.bgpId, b.bgpId]);
  });

  it("a route the target does not have and has nothing pending for queues no withdrawal", () => {
    const e = new RouteEngine({ localAs: 65001, routerId: "198.18.0.1" });
    // A plain iBGP peer (no reflection): nothing it sends goes back to any iBGP peer.
    client(e, 1, defaultContext, false);
    e.flush();
    const received = decodeMessage(update({ attrs: MANDATORY + LOCAL_PREF, nlri: NLRI_1 }), defaultContext);
    e.settle(e.receive(1, received as UpdateMessage));
    expect(e.locRib.best(prefixKeyFromText("203.0.113.0/24"))).toBeDefined();
    expect(e.pending(1)).toBe(0);
    expect(e.busy).toBe(false);
  });
});

describe("route engine: update groups", () => {
  const addPath = makeContext({ addPathSend: new Set([Ipv4Unicast]) });
  const announce = (e: RouteEngine, id: number, nlri: string, hop: string) =>
    e.settle(
      e.receive(
        id,
        decodeMessage(
          update({ attrs: ORIGIN_EXTENDED + AS_PATH_65001 + attr(0x40, 3, hop) + LOCAL_PREF, nlri }),
          defaultContext,
        ) as UpdateMessage,
      ),
    );
  const withdraw = (e: RouteEngine, id: number, nlri: string) =>
    e.settle(e.receive(id, decodeMessage(update({ withdrawn: nlri }), defaultContext) as UpdateMessage));
  const sent = (e: RouteEngine, id: number) =>
    e
      .advertised(id)
      .map((a) => `${a.prefix}#${a.pathId}@${a.attrs.nextHop}`)
      .sort();

  it("a late ADD-PATH peer catches up privately, then shares the group; path ids agree", () => {
    const e = engine();
    for (const id of [1, 2, 3, 4]) client(e, id, defaultContext);
    client(e, 10, addPath, false);
    e.flush();
    announce(e, 1, NLRI_1, "c6120001");
    announce(e, 2, NLRI_1, "c6120002");
    announce(e, 3, NLRI_1, "c6120003");
    e.flush();
    withdraw(e, 1, NLRI_1); // churn: ids are not handed out again in order
    announce(e, 4, NLRI_1, "c6120004");
    e.flush();
    client(e, 11, addPath, false);
    expect(e.groups().filter((g) => g.members.includes(11))[0]).toMatchObject({ shared: false });
    for (let i = 0; i < 3 && e.groups().some((g) => !g.shared); i++) e.flush();
    const joined = e.groups().find((g) => g.members.includes(10));
    expect([...(joined?.members ?? [])].sort()).toEqual([10, 11]);
    expect(sent(e, 11)).toEqual(sent(e, 10));
    expect(sent(e, 10)).toHaveLength(3);
    // One change: one flush for both.
    withdraw(e, 2, NLRI_1);
    const flushed = e.flush().filter((f) => f.members.includes(10));
    expect(flushed).toHaveLength(1);
    expect([...flushed[0]!.members].sort()).toEqual([10, 11]);
  });
});

describe("route engine: graceful-restart purge in slices (RFC 4724 §4.2)", () => {
  it("withdraws only what is still stale when its slice comes; a new restart cancels the purge", () => {
    const e = engine();
    const a = client(e, 1, defaultContext);
    /** An IPv4 NLRI in hex: length octet + the address octets (a /32 here). */
    const nlriOf = (text: string) =>
      `20${text
        .split("/")[0]!
        .split(".")
        .map((o) => Number(o).toString(16).padStart(2, "0"))
        .join("")}`;
    const announce = (texts: readonly string[]) => {
      for (const t of texts) {
        const bytes = update({ attrs: MANDATORY + LOCAL_PREF, nlri: nlriOf(t) });
        e.settle(e.receive(1, decodeMessage(bytes, defaultContext) as UpdateMessage));
      }
    };
    const prefixes = ["203.0.113.1/32", "203.0.113.2/32", "203.0.113.3/32"];
    announce(prefixes);
    expect(e.locRib.size).toBe(3);
    // The session drops with graceful restart: routes kept, stale.
    e.peerDown(a.id, true);
    client(e, 1, defaultContext);
    // End-of-RIB after re-announcing only .1: the purge is queued, nothing withdrawn yet.
    announce(["203.0.113.1/32"]);
    expect(e.purgeStale(a.id)).toEqual([]);
    expect(e.busy).toBe(true);
    // .2 is re-announced before the purge gets to it: it must stay.
    announce(["203.0.113.2/32"]);
    const changed = e.drain(1).concat(e.drain());
    e.settle(changed);
    expect(changed.map(String)).toEqual([String(prefixKeyFromText("203.0.113.3/32"))]);
    expect([...e.locRib.keys()].length).toBe(2);

    // A purge in progress is dropped when the peer restarts again (its routes are stale anew, and kept).
    e.peerDown(a.id, true);
    client(e, 1, defaultContext);
    expect(e.purgeStale(a.id)).toEqual([]);
    e.peerDown(a.id, true);
    expect(e.drain()).toEqual([]);
    expect(e.locRib.size).toBe(2);
  });
});
