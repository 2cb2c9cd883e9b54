/**
 * Update groups over real TCP on loopback: N route-reflector clients with
 * the same outbound settings share one Adj-RIB-Out, so every change is
 * encoded ONCE and the same octets reach each client; a client that comes up
 * later gets the whole table and End-of-RIB, then joins the group; a route
 * refresh from one member goes to that member only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { State } from "../../packages/bgp/src/fsm/types.js";
import { createSpeaker, type LocalRoute, type Speaker } from "../../packages/bgp/src/speaker/index.js";
import { encodeMessage, MessageType } from "../../packages/bgp/src/wire/index.js";
import { RawPeer } from "./raw-peer.js";

const speakers: Speaker[] = [];
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const hex = (msgs: readonly Uint8Array[]): string[] => msgs.map((m) => Buffer.from(m).toString("hex"));

/** `n` /32s from the benchmark range. */
function table(n: number): LocalRoute[] {
  return Array.from({ length: n }, (_, i) => ({
    prefix: `100.64.${i >> 8}.${i & 0xff}/32`,
    nextHop: "198.18.0.1",
  }));
}

describe("update groups", () => {
  it("N identical clients: one encode per change, byte-identical UPDATEs; a late joiner gets the whole table", async () => {
    const rr = createSpeaker({
      localAs: 65001,
      routerId: "198.18.0.1",
      clusterId: "198.18.0.1",
      listen: [{ address: "127.0.21.1", port: 0 }],
      dynamicNeighbors: [
        { name: "lbs", prefixes: ["127.0.22.0/24"], asns: [65001], maxPeers: 20, routeReflectorClient: true },
      ],
    });
    speakers.push(rr);
    await rr.start();
    const port = rr.listening()[0]!.port;
    rr.setAnnouncements(table(2000));
    const client = (n: number) => {
      const p = new RawPeer({
        host: "127.0.21.1",
        port,
        localAddress: `127.0.22.${n}`,
        asn: 65001,
        routerId: `198.19.0.${n}`,
        record: true,
      });
      peers.push(p);
      return p;
    };
    const first = [1, 2, 3, 4, 5].map(client);
    await Promise.all(first.map((p) => p.established));
    for (const p of first) await p.until("table + End-of-RIB", () => p.prefixes === 2000 && p.endOfRib === 1);
    // Each caught up on its own, then joined the first one's group.
    await until("one shared group of 5", () => rr.updateGroups().length === 1);
    const [group] = rr.updateGroups();
    expect(group).toMatchObject({ shared: true, prefixes: 2000 });
    expect(group!.members).toHaveLength(5);
    expect(new Set(rr.neighbors().map((n) => n.updateGroup))).toEqual(new Set([group!.id]));

    // One change: one UPDATE encoded, the same octets to all five.
    const encoded = () => rr.updateGroups()[0]!.updatesEncoded;
    const before = encoded();
    for (const p of first) p.updates.length = 0;
    rr.announce({ prefix: "203.0.113.10/32", nextHop: "198.18.0.11" });
    for (const p of first) await p.until("the new route", () => p.prefixes === 2001);
    expect(encoded() - before).toBe(1);
    const sent = hex(first[0]!.updates);
    expect(sent).toHaveLength(1);
    for (const p of first) expect(hex(p.updates)).toEqual(sent);

    // A withdrawal: again once.
    for (const p of first) p.updates.length = 0;
    rr.withdraw("203.0.113.10/32");
    for (const p of first) await p.until("the withdrawal", () => p.prefixes === 2000);
    expect(encoded() - before).toBe(2);
    for (const p of first) expect(hex(p.updates)).toEqual(hex(first[0]!.updates));

    // A late joiner: the whole table and End-of-RIB, then it joins the group.
    const late = client(6);
    await late.established;
    await late.until("the whole table", () => late.prefixes === 2000 && late.endOfRib === 1);
    await until("the late joiner in the group", () => rr.updateGroups().length === 1);
    expect(rr.updateGroups()[0]!.members).toHaveLength(6);
    const all = [...first, late];
    for (const p of all) p.updates.length = 0;
    const atJoin = encoded();
    rr.announce({ prefix: "203.0.113.11/32", nextHop: "198.18.0.12" });
    for (const p of all) await p.until("the route after the join", () => p.prefixes === 2001);
    expect(encoded() - atJoin).toBe(1);
    for (const p of all) expect(hex(p.updates)).toEqual(hex(first[0]!.updates));

    // Route refresh (RFC 2918) from one member: the table again, to it alone.
    for (const p of all) p.updates.length = 0;
    first[0]!.send(encodeMessage({ type: MessageType.RouteRefresh, afi: 1, safi: 1, subtype: 0 }));
    const announced = first[0]!.announced;
    await first[0]!.until("the refreshed table", () => first[0]!.announced === announced + 2001);
    await new Promise((r) => setTimeout(r, 200));
    for (const p of all.slice(1)) expect(p.updates).toHaveLength(0);
    expect(first[0]!.withdrawn).toBe(1); // the refresh only announces
    expect(rr.neighbors().every((n) => n.state === State.Established)).toBe(true);
  });
});
