/**
 * The speaker end to end over real TCP on loopback (127.0.0.0/8 only):
 * sessions, announcements, withdrawals, dynamic neighbors and their limits,
 * max-prefix, graceful shutdown.
 */
import { afterEach, describe, expect, it } from "vitest";
import { State } from "../fsm/types.js";
import { createSpeaker, type Speaker, type SpeakerOptions } from "./speaker.js";
import { capabilitiesFor } from "./speaker-config.js";

const running: Speaker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(opts: SpeakerOptions): Promise<Speaker> {
  const s = createSpeaker(opts);
  running.push(s);
  await s.start();
  return s;
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** B listens on 127.0.0.2; A (127.0.0.1) connects to it. */
async function pair(over: { a?: Partial<SpeakerOptions>; b?: Partial<SpeakerOptions> } = {}) {
  const b = await start({
    localAs: 65001,
    routerId: "198.18.0.2",
    listen: [{ address: "127.0.0.2", port: 0 }],
    neighbors: [{ address: "127.0.0.1", asn: 65001, passive: true }],
    ...over.b,
  });
  const port = b.listening()[0]!.port;
  const a = await start({
    localAs: 65001,
    routerId: "198.18.0.1",
    neighbors: [{ address: "127.0.0.2", asn: 65001, port, localAddress: "127.0.0.1", connectRetryTime: 1 }],
    ...over.a,
  });
  await until("both sessions Established", () =>
    [a, b].every((s) => s.neighbors().every((n) => n.state === State.Established)),
  );
  return { a, b, port };
}

describe("Speaker", () => {
  it("tells 'routes' listeners once per batch of Loc-RIB changes, 'route' listeners per prefix", async () => {
    const { a, b } = await pair();
    let batches = 0;
    const each: string[] = [];
    b.on("routes", () => batches++);
    b.on("route", (prefix) => each.push(prefix));
    a.setAnnouncements([
      { prefix: "203.0.113.10/32", nextHop: "198.18.0.11" },
      { prefix: "203.0.113.11/32", nextHop: "198.18.0.11" },
    ]);
    await until("both routes at B", () => b.routes().length === 2);
    expect(each.sort()).toEqual(["203.0.113.10/32", "203.0.113.11/32"]);
    expect(batches).toBe(1); // one UPDATE, settled as one batch
  });

  it("announces and withdraws routes with setAnnouncements (iBGP, IPv4 and IPv6)", async () => {
    const { a, b } = await pair();
    a.setAnnouncements([
      { prefix: "203.0.113.10/32", nextHop: "198.18.0.11", communities: [65001 * 65536 + 7] },
      { prefix: "2001:db8:10::/64", nextHop: "2001:db8::11", med: 5 },
    ]);
    await until("both routes at B", () => b.routes().length === 2);
    expect(b.routes({ prefix: "203.0.113.10/32" })).toMatchObject([
      {
        best: true,
        peer: "127.0.0.1",
        nextHop: "198.18.0.11",
        localPref: 100,
        communities: [65001 * 65536 + 7],
      },
    ]);
    expect(b.routes({ prefix: "2001:db8:10::/64" })).toMatchObject([{ nextHop: "2001:db8::11", med: 5 }]);
    expect(b.neighbors()[0]).toMatchObject({ prefixesReceived: 2 });
    expect(a.neighbors()[0]).toMatchObject({ prefixesAdvertised: 2 });

    // Only the difference goes out: one withdrawn, one kept.
    a.setAnnouncements([
      { prefix: "203.0.113.10/32", nextHop: "198.18.0.11", communities: [65001 * 65536 + 7] },
    ]);
    await until("IPv6 route withdrawn at B", () => b.routes().length === 1);
    a.withdraw("203.0.113.10/32");
    await until("all routes withdrawn at B", () => b.routes().length === 0);
  });

  it("says goodbye with Cease/Administrative Shutdown and the peer drops our routes", async () => {
    const { a, b } = await pair();
    a.announce({ prefix: "203.0.113.20/32", nextHop: "198.18.0.11" });
    await until("route at B", () => b.routes().length === 1);
    await a.stop("maintenance: back soon");
    await until("B sees the session end", () => b.neighbors()[0]!.state !== State.Established);
    expect(b.neighbors()[0]!.lastError?.received).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "maintenance: back soon",
    });
    await until("B dropped the routes", () => b.routes().length === 0);
  });

  it("ends a session that exceeds max-prefix with Cease/1", async () => {
    const { a, b } = await pair({
      b: {
        neighbors: [
          { address: "127.0.0.1", asn: 65001, passive: true, maxPrefixes: { limit: 2, restartAfter: 60 } },
        ],
      },
    });
    a.setAnnouncements(["203.0.113.1/32", "203.0.113.2/32", "203.0.113.3/32"].map((prefix) => ({ prefix })));
    await until("A sees Cease/1", () => a.neighbors()[0]!.lastError?.received?.subcode === 1);
    expect(a.neighbors()[0]!.lastError?.received?.code).toBe(6);
    await until("B dropped the routes", () => b.routes().length === 0);
  });

  it("accepts dynamic peers from its ranges only, with allowed ASNs, up to maxPeers", async () => {
    const rr = await start({
      localAs: 65001,
      routerId: "198.18.0.1",
      listen: [{ address: "127.0.0.1", port: 0 }],
      dynamicNeighbors: [{ name: "lbs", prefixes: ["127.0.1.0/29"], asns: [65001], maxPeers: 2 }],
    });
    const port = rr.listening()[0]!.port;
    const client = (addr: string, asn = 65001) =>
      start({
        localAs: asn,
        routerId: `198.19.0.${addr.split(".")[3]}`,
        neighbors: [{ address: "127.0.0.1", asn: 65001, port, localAddress: addr, connectRetryTime: 1 }],
      });
    const c1 = await client("127.0.1.1");
    const c2 = await client("127.0.1.2");
    await until(
      "two dynamic peers up",
      () => rr.neighbors().filter((n) => n.state === State.Established).length === 2,
    );
    expect(rr.neighbors().map((n) => n.dynamic)).toEqual(["lbs", "lbs"]);

    c1.announce({ prefix: "203.0.113.10/32", nextHop: "198.18.0.11" });
    c2.announce({ prefix: "203.0.113.10/32", nextHop: "198.18.0.12" });
    await until("both paths at the reflector", () => rr.routes({ prefix: "203.0.113.10/32" }).length === 2);

    // A third peer exceeds maxPeers; a peer outside the range is refused before OPEN.
    const c3 = await client("127.0.1.3");
    const outsider = await client("127.0.2.1");
    await new Promise((r) => setTimeout(r, 300));
    expect(rr.neighbors().length).toBe(2);
    expect(c3.neighbors()[0]!.state).not.toBe(State.Established);
    expect(outsider.neighbors()[0]!.state).not.toBe(State.Established);

    // A disallowed AS gets OPEN Message Error / Bad Peer AS once there is room.
    await c2.stop();
    await until("c2 gone", () => rr.neighbors().length === 1);
    await c3.stop();
    const wrongAs = await client("127.0.1.4", 65099);
    await until("Bad Peer AS", () => wrongAs.neighbors()[0]!.lastError?.received?.subcode === 2);
    expect(wrongAs.neighbors()[0]!.lastError?.received?.code).toBe(2);
  });

  it("counts UPDATEs, reports what it advertised, and reconfigures only what changed", async () => {
    const { a, b } = await pair();
    a.announce({ prefix: "203.0.113.30/32", nextHop: "198.18.0.11" });
    await until("route at B", () => b.routes().length === 1);
    expect(a.advertised("127.0.0.2")).toEqual([
      { prefix: "203.0.113.30/32", pathId: 0, nextHop: "198.18.0.11" },
    ]);
    expect(b.neighbors()[0]!.updatesReceived).toBeGreaterThanOrEqual(2); // the route and End-of-RIB
    expect(a.neighbors()[0]!.updatesSent).toBeGreaterThanOrEqual(2);

    const same = b.reconfigure(b.config);
    expect(same).toMatchObject({ unchanged: ["127.0.0.1"], reset: [], removed: [], added: [] });

    const changed = b.reconfigure({
      ...b.config,
      neighbors: [{ address: "127.0.0.1", asn: 65001, passive: true, holdTime: 30 }],
    });
    expect(changed).toMatchObject({ reset: ["127.0.0.1"], unchanged: [] });
    await until("A sees Cease/6", () => a.neighbors()[0]!.lastError?.received?.subcode === 6);
    await until("session back up", () => b.neighbors()[0]?.state === State.Established, 10_000);
    await until("route back at B", () => b.routes().length === 1);

    const removed = b.reconfigure({ ...b.config, neighbors: [] });
    expect(removed).toMatchObject({ removed: ["127.0.0.1"] });
    await until(
      "A sees Cease/3 (Peer De-configured)",
      () => a.neighbors()[0]!.lastError?.received?.subcode === 3,
    );
    expect(b.neighbors()).toEqual([]);
    expect(() => b.reconfigure({ ...b.config, routerId: "0.0.0.0" })).toThrow(/routerId/);
  });

  it("restarting side (RFC 4724): Restart State and Forwarding bits, End-of-RIB withheld for the deferral", async () => {
    const { a } = await pair({ a: { restarting: true, endOfRibDeferral: 0.6, gracefulRestartTime: 120 } });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.neighbors()[0]!.updatesSent).toBe(0); // nothing to announce, and End-of-RIB is withheld
    // One End-of-RIB per negotiated family (IPv4 and IPv6).
    await until("End-of-RIB after the deferral", () => a.neighbors()[0]!.updatesSent === 2, 3000);
  });

  it("advertises the graceful-restart capability with the R and F bits only when restarting", () => {
    const gr = (restarting: boolean) =>
      capabilitiesFor(
        { localAs: 65001, routerId: "198.18.0.1", gracefulRestartTime: 120 },
        {},
        restarting,
      ).find((c) => c.kind === "graceful-restart");
    expect(gr(true)).toMatchObject({
      restarting: true,
      restartTime: 120,
      families: [{ forwarding: true }, { forwarding: true }],
    });
    expect(gr(false)).toMatchObject({
      restarting: false,
      families: [{ forwarding: false }, { forwarding: false }],
    });
    // A helper-only speaker says so with restart time 0 and no families (RFC 4724 §3).
    expect(
      capabilitiesFor({ localAs: 65001, routerId: "198.18.0.1" }, {}).find(
        (c) => c.kind === "graceful-restart",
      ),
    ).toEqual({
      kind: "graceful-restart",
      restarting: false,
      notification: false,
      restartTime: 0,
      families: [],
    });
  });

  it("advertises enhanced route refresh unless a neighbor turns it off", () => {
    const kinds = (enhancedRouteRefresh?: boolean) =>
      capabilitiesFor(
        { localAs: 65001, routerId: "198.18.0.1" },
        enhancedRouteRefresh === undefined ? {} : { enhancedRouteRefresh },
      ).map((c) => c.kind);
    expect(kinds()).toContain("enhanced-route-refresh");
    expect(kinds(true)).toContain("enhanced-route-refresh");
    expect(kinds(false)).not.toContain("enhanced-route-refresh");
    expect(kinds(false)).toContain("route-refresh");
  });

  it("abandon() drops sessions without a NOTIFICATION: a graceful-restart helper keeps the routes as stale", async () => {
    const { a, b } = await pair({ a: { gracefulRestartTime: 120 } });
    a.announce({ prefix: "203.0.113.40/32", nextHop: "198.18.0.11" });
    await until("route at B", () => b.routes().length === 1);
    await a.abandon();
    await until("B sees the session end", () => b.neighbors()[0]!.state !== State.Established);
    expect(b.neighbors()[0]!.lastError?.received).toBeUndefined();
    expect(b.routes()).toMatchObject([{ prefix: "203.0.113.40/32", stale: true }]);
  });
});
