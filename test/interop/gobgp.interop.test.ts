/**
 * Interop with GoBGP: our speaker (child process in namespace "ours") and a
 * private gobgpd (namespace "gobgp") on one veth, IPv4 and IPv6 sessions.
 * Addresses: DESIGN.md test address plan.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Gobgp } from "../harness/gobgp.js";
import type { GobgpConfig, GobgpNeighbor } from "../harness/gobgp-config.js";
import { parseJson } from "../harness/json.js";
import { waitFor } from "../harness/process.js";
import {
  bgpConnections,
  endOfRibFrom,
  makePair,
  OUR_AS4,
  OUR4,
  OUR6,
  ourListen,
  ourNeighbors,
  ourRoutes,
  startCapture,
  THEIR_AS,
  THEIR4,
  THEIR6,
} from "./setup.js";
import { SpeakerProcess } from "./speaker-process.js";

function gobgpConfig(theirAs: number, ourAs: number, n: Partial<GobgpNeighbor> = {}): GobgpConfig {
  return {
    as: theirAs,
    routerId: THEIR4,
    neighbors: [
      { address: OUR4, as: ourAs, localAddress: THEIR4, ...n },
      { address: OUR6, as: ourAs, localAddress: THEIR6, ...n },
    ],
  };
}

/** GoBGP's own routes, with communities, a large community and a MED. */
async function addTheirRoutes(gobgp: Gobgp, prefixes4: readonly string[] = ["203.0.113.40/32"]) {
  for (const p of prefixes4)
    await gobgp.addRoute(p, {
      nextHop: THEIR4,
      origin: "igp",
      med: 77,
      communities: ["64512:7"],
      largeCommunities: ["64512:8:9"],
    });
  await gobgp.addRoute("2001:db8:400::/48", {
    nextHop: THEIR6,
    origin: "igp",
    med: 78,
    communities: ["64512:7"],
  });
}

describe("interop: GoBGP", () => {
  afterEach(() => cleanupAll());

  it("eBGP, 4-octet AS, our side active: attributes both ways, End-of-RIB, refresh, withdrawals, shutdown both ways", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const gobgp = await Gobgp.start(theirs, gobgpConfig(THEIR_AS, OUR_AS4, { passive: true }));
    await addTheirRoutes(gobgp);
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      neighbors: ourNeighbors(THEIR_AS),
    });
    const { v4, v6 } = ourRoutes();
    await speaker.setAnnouncements([v4, v6]);
    await Promise.all([
      speaker.waitEstablished(THEIR4),
      speaker.waitEstablished(THEIR6),
      gobgp.waitEstablished(OUR4),
      gobgp.waitEstablished(OUR6),
    ]);

    const at4 = await waitFor("GoBGP has our IPv4 route", async () =>
      routesFor(await gobgp.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [OUR_AS4],
      origin: "igp",
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
      peer: OUR4,
    });
    const at6 = await waitFor("GoBGP has our IPv6 route", async () =>
      routesFor(await gobgp.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({
      nextHop: OUR6,
      asPath: [OUR_AS4],
      med: 60,
      communities: ["65000:20"],
      largeCommunities: ["4200000001:3:4"],
      peer: OUR6,
    });

    expect(await speaker.waitRoute("203.0.113.40/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [THEIR_AS],
      origin: "igp",
      med: 77,
      communities: ["64512:7"],
      largeCommunities: ["64512:8:9"],
      best: true,
    });
    expect(await speaker.waitRoute("2001:db8:400::/48")).toMatchObject({
      peer: THEIR6,
      nextHop: THEIR6,
      asPath: [THEIR_AS],
      med: 78,
    });

    // End-of-RIB from us, as GoBGP records it (GoBGP sends its own only with graceful restart on).
    const state = JSON.stringify(parseJson(await gobgp.gobgp(["-j", "neighbor", OUR4]), "gobgp neighbor"));
    expect(state).toContain('"end_of_rib_received":true');
    // Route refresh, we ask (import policy changed): GoBGP counts our ROUTE-REFRESH and re-sends.
    // (GoBGP's own `softresetin` re-applies its Adj-RIB-In and sends no ROUTE-REFRESH.)
    const received = (await speaker.neighbor(THEIR4)).updatesReceived;
    await speaker.refresh(THEIR4);
    await waitFor(
      "GoBGP answers our ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesReceived > received,
    );
    const counters = JSON.stringify(parseJson(await gobgp.gobgp(["-j", "neighbor", OUR4]), "gobgp neighbor"));
    expect(counters).toMatch(/"received":\{[^}]*"refresh":[1-9]/);

    // Withdrawals both ways.
    await speaker.withdraw(v4.prefix);
    await waitFor(
      "GoBGP loses our withdrawn route",
      async () => routesFor(await gobgp.routes("ipv4"), v4.prefix).length === 0,
    );
    await gobgp.deleteRoute("203.0.113.40/32");
    await speaker.waitNoRoute("203.0.113.40/32");
    expect(await speaker.learned(THEIR6)).toHaveLength(1);

    // GoBGP shuts the IPv6 session down with an RFC 9003 message.
    await gobgp.gobgp(["neighbor", OUR6, "shutdown", "--reason", "gobgp maintenance"]);
    const down = await waitFor("we see GoBGP's Cease", async () => {
      const n = await speaker.neighbor(THEIR6);
      return n.state !== "Established" && n.lastError?.received !== undefined ? n : undefined;
    });
    expect(down.lastError?.received).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "gobgp maintenance",
    });
    await speaker.waitNoRoute("2001:db8:400::/48");

    // We shut down: GoBGP sees Cease/2 with our message and drops our routes.
    await speaker.stop("portlb going away");
    await waitFor("GoBGP sees our shutdown", async () => (await gobgp.sessionState(OUR4)) !== "Established");
    await waitFor("GoBGP logs our Cease", () => /portlb going away/.test(gobgp.logs()), {
      describe: () => gobgp.logs(),
      timeoutMs: 5_000,
    });
    expect(routesFor(await gobgp.routes("ipv4"), v4.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(OUR_AS4, { passive: true }),
    });
    const { v4, v6 } = ourRoutes({ localPref: 200 });
    await speaker.setAnnouncements([v4, v6]);
    const gobgp = await Gobgp.start(theirs, { ...gobgpConfig(OUR_AS4, OUR_AS4), port: -1 });
    await addTheirRoutes(gobgp);
    await Promise.all([gobgp.waitEstablished(OUR4), gobgp.waitEstablished(OUR6)]);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);

    const at4 = await waitFor("GoBGP has our IPv4 route", async () =>
      routesFor(await gobgp.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [],
      localPref: 200,
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
    });
    const at6 = await waitFor("GoBGP has our IPv6 route", async () =>
      routesFor(await gobgp.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({ nextHop: OUR6, asPath: [], localPref: 200, med: 60 });

    expect(await speaker.waitRoute("203.0.113.40/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:400::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await speaker.withdraw(v6.prefix);
    await waitFor(
      "GoBGP loses our IPv6 route",
      async () => routesFor(await gobgp.routes("ipv6"), v6.prefix).length === 0,
    );
    await gobgp.deleteRoute("2001:db8:400::/48");
    await speaker.waitNoRoute("2001:db8:400::/48");
    expect(await speaker.learned(THEIR4)).toHaveLength(1);
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const gobgp = await Gobgp.start(theirs, {
      as: THEIR_AS,
      routerId: THEIR4,
      neighbors: [{ address: OUR4, as: OUR_AS4, localAddress: THEIR4 }],
    });
    await gobgp.addRoute("203.0.113.40/32", { nextHop: THEIR4 });
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS).slice(0, 1),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), gobgp.waitEstablished(OUR4)]);
    await speaker.waitRoute("203.0.113.40/32");
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await bgpConnections(ours)).toHaveLength(1);
    expect((await speaker.neighbor(THEIR4)).state).toBe("Established");
    expect(await gobgp.sessionState(OUR4)).toBe("Established");
  });

  it("graceful restart: GoBGP restarts with GR, our Loc-RIB keeps its routes and ends with exactly the re-announced set", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const capture = await startCapture(ours, "veth-ours");
    const gobgp = await Gobgp.start(
      theirs,
      gobgpConfig(THEIR_AS, OUR_AS4, { gracefulRestart: true, gracefulRestartTime: 30 }),
    );
    await addTheirRoutes(gobgp, ["203.0.113.40/32", "203.0.113.41/32"]);
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS),
    });
    await speaker.announce(ourRoutes().v4);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    await speaker.waitRoute("203.0.113.41/32");
    await speaker.waitRoute("2001:db8:400::/48");
    expect((await speaker.learned()).map((r) => r.prefix).sort()).toEqual([
      "2001:db8:400::/48",
      "203.0.113.40/32",
      "203.0.113.41/32",
    ]);

    // gobgpd is killed (no NOTIFICATION) and restarted with the Restart State bit (-r);
    // meanwhile our routes from it stay, marked stale.
    const restarting = gobgp.restart({ graceful: true });
    const stale = await waitFor(
      "our routes from GoBGP are stale",
      async () => {
        const learned = await speaker.learned();
        return learned.length === 3 && learned.every((r) => r.stale) ? learned : undefined;
      },
      { intervalMs: 20, describe: async () => JSON.stringify(await speaker.routes()) },
    );
    expect(stale).toHaveLength(3);
    await restarting;
    // It re-announces only part of what it had: one IPv4 route and the IPv6 one.
    await addTheirRoutes(gobgp, ["203.0.113.40/32"]);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    const after = await waitFor(
      "exactly the re-announced set, none stale",
      async () => {
        const learned = await speaker.learned();
        return learned.length === 2 && learned.every((r) => !r.stale) ? learned : undefined;
      },
      { describe: async () => JSON.stringify(await speaker.routes()) },
    );
    expect(after.map((r) => r.prefix).sort()).toEqual(["2001:db8:400::/48", "203.0.113.40/32"]);
    // GoBGP's End-of-RIB on both sessions (graceful restart on), read off the wire.
    await waitFor("their End-of-RIB on both sessions", async () => {
      const msgs = await capture.read();
      return endOfRibFrom(msgs, THEIR4).includes("ipv4") && endOfRibFrom(msgs, THEIR6).includes("ipv6");
    });

    await waitFor(
      "GoBGP has our route again",
      async () => routesFor(await gobgp.routes("ipv4"), "203.0.113.10/32").length === 1,
    );
  });
});
