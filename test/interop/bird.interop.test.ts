/**
 * Interop with BIRD 2: our speaker (child process in namespace "ours") and a
 * private BIRD (namespace "bird") on one veth, IPv4 and IPv6 sessions.
 * Addresses: DESIGN.md test address plan.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { Bird } from "../harness/bird.js";
import type { BirdConfig, BirdNeighbor } from "../harness/bird-config.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
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

const birdRoutes = [{ prefix: "203.0.113.20/32" }, { prefix: "2001:db8:200::/48" }];

function birdConfig(ourAs: number, theirAs: number, n: Partial<BirdNeighbor> = {}): BirdConfig {
  return {
    routerId: THEIR4,
    staticRoutes: birdRoutes,
    neighbors: [
      { name: "ours4", localAddress: THEIR4, localAs: theirAs, address: OUR4, as: ourAs, ...n },
      { name: "ours6", localAddress: THEIR6, localAs: theirAs, address: OUR6, as: ourAs, ...n },
    ],
  };
}

describe("interop: BIRD 2", () => {
  afterEach(() => cleanupAll());

  it("eBGP, 4-octet AS, our side active: attributes both ways, End-of-RIB, refresh, withdrawals, shutdown both ways", async () => {
    const { ours, theirs } = await makePair("bird");
    const capture = await startCapture(ours, "veth-ours");
    const bird = await Bird.start(theirs, birdConfig(OUR_AS4, THEIR_AS, { passive: true }));
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
      bird.waitEstablished(OUR4),
      bird.waitEstablished(OUR6),
    ]);

    // Ours at BIRD.
    const at4 = await waitFor("BIRD has our IPv4 route", async () =>
      routesFor(await bird.routes("ipv4"), v4.prefix).at(0),
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
    const at6 = await waitFor("BIRD has our IPv6 route", async () =>
      routesFor(await bird.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({
      nextHop: OUR6,
      asPath: [OUR_AS4],
      med: 60,
      communities: ["65000:20"],
      largeCommunities: ["4200000001:3:4"],
      peer: OUR6,
    });

    // Theirs in our Loc-RIB.
    expect(await speaker.waitRoute("203.0.113.20/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [THEIR_AS],
      origin: "igp",
      best: true,
    });
    expect(await speaker.waitRoute("2001:db8:200::/48")).toMatchObject({
      peer: THEIR6,
      nextHop: THEIR6,
      asPath: [THEIR_AS],
    });

    // Our End-of-RIB on each session, read off the wire (BIRD sends its own only with
    // graceful restart negotiated: checked in the graceful-restart case).
    await waitFor("our End-of-RIB on both sessions", async () => {
      const msgs = await capture.read();
      return endOfRibFrom(msgs, OUR4).includes("ipv4") && endOfRibFrom(msgs, OUR6).includes("ipv6");
    });

    // Route refresh, BIRD asks: we send our Adj-RIB-Out again.
    const before = await speaker.neighbor(THEIR4);
    await bird.reloadIn(OUR4);
    await waitFor(
      "we answer BIRD's ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesSent > before.updatesSent,
    );
    // Route refresh, we ask (import policy changed): BIRD sends its routes again.
    const received = (await speaker.neighbor(THEIR4)).updatesReceived;
    await speaker.refresh(THEIR4);
    await waitFor(
      "BIRD answers our ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesReceived > received,
    );
    expect((await speaker.neighbor(THEIR4)).state).toBe("Established");

    // Withdrawals both ways.
    await speaker.withdraw(v4.prefix);
    await waitFor(
      "BIRD loses our withdrawn route",
      async () => routesFor(await bird.routes("ipv4"), v4.prefix).length === 0,
    );
    await bird.setStatic("ipv4", false);
    await speaker.waitNoRoute("203.0.113.20/32");
    expect(await speaker.learned(THEIR6)).toHaveLength(1);

    // BIRD shuts the IPv6 session down with an RFC 9003 message: Cease/2, its routes go.
    await bird.disable(OUR6, "bird maintenance");
    const down = await waitFor("we see BIRD's Cease", async () => {
      const n = await speaker.neighbor(THEIR6);
      return n.state !== "Established" && n.lastError?.received !== undefined ? n : undefined;
    });
    expect(down.lastError?.received).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "bird maintenance",
    });
    await speaker.waitNoRoute("2001:db8:200::/48");

    // We shut down: BIRD sees Cease/2 with our message and drops our routes.
    await speaker.stop("portlb going away");
    await waitFor("BIRD sees our shutdown", async () => (await bird.sessionState(OUR4)) !== "Established");
    const info = await bird.birdc(["show", "protocols", "all", "ours4"]);
    expect(info).toMatch(/Administrative shutdown/i);
    expect(info).toContain("portlb going away");
    expect(routesFor(await bird.routes("ipv6"), v6.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("bird");
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(OUR_AS4, { passive: true }),
    });
    const { v4, v6 } = ourRoutes({ localPref: 200 });
    await speaker.setAnnouncements([v4, v6]);
    const bird = await Bird.start(theirs, birdConfig(OUR_AS4, OUR_AS4));
    await Promise.all([bird.waitEstablished(OUR4), bird.waitEstablished(OUR6)]);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);

    const at4 = await waitFor("BIRD has our IPv4 route", async () =>
      routesFor(await bird.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [],
      localPref: 200,
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
    });
    const at6 = await waitFor("BIRD has our IPv6 route", async () =>
      routesFor(await bird.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({ nextHop: OUR6, asPath: [], localPref: 200, med: 60 });

    expect(await speaker.waitRoute("203.0.113.20/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:200::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await speaker.withdraw(v6.prefix);
    await waitFor(
      "BIRD loses our IPv6 route",
      async () => routesFor(await bird.routes("ipv6"), v6.prefix).length === 0,
    );
    await bird.setStatic("ipv6", false);
    await speaker.waitNoRoute("2001:db8:200::/48");
    expect(await speaker.learned(THEIR4)).toHaveLength(1);
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("bird");
    const config = birdConfig(OUR_AS4, THEIR_AS);
    const bird = await Bird.start(theirs, { ...config, neighbors: config.neighbors.slice(0, 1) });
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS).slice(0, 1),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), bird.waitEstablished(OUR4)]);
    await speaker.waitRoute("203.0.113.20/32");
    // Let any second connection finish its OPEN exchange and collision resolution.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await bgpConnections(ours)).toHaveLength(1);
    expect((await speaker.neighbor(THEIR4)).state).toBe("Established");
    expect(await bird.sessionState(OUR4)).toBe("Established");
  });

  it("graceful restart: BIRD restarts with GR, our Loc-RIB keeps its routes and ends with the re-announced set", async () => {
    const { ours, theirs } = await makePair("bird");
    const config = birdConfig(OUR_AS4, THEIR_AS, { gracefulRestart: true, gracefulRestartTime: 30 });
    const capture = await startCapture(ours, "veth-ours");
    const bird = await Bird.start(theirs, config);
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    await speaker.waitRoute("203.0.113.20/32");
    await speaker.waitRoute("2001:db8:200::/48");

    await bird.birdc(["graceful", "restart"]).catch(() => "");
    await waitFor("BIRD exits", () => !bird.process?.running);
    // While BIRD is gone the routes stay, marked stale.
    const stale = await waitFor("our routes from BIRD are stale", async () => {
      const learned = await speaker.learned();
      return learned.length === 2 && learned.every((r) => r.stale) ? learned : undefined;
    });
    expect(stale.map((r) => r.prefix).sort()).toEqual(["2001:db8:200::/48", "203.0.113.20/32"]);
    await bird.restart();
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    const after = await waitFor("BIRD's routes are fresh again", async () => {
      const learned = await speaker.learned();
      return learned.length === 2 && learned.every((r) => !r.stale) ? learned : undefined;
    });
    expect(after.map((r) => r.prefix).sort()).toEqual(["2001:db8:200::/48", "203.0.113.20/32"]);
    // BIRD's End-of-RIB on both sessions (sent with GR negotiated), read off the wire.
    await waitFor("BIRD's End-of-RIB on both sessions", async () => {
      const msgs = await capture.read();
      return endOfRibFrom(msgs, THEIR4).includes("ipv4") && endOfRibFrom(msgs, THEIR6).includes("ipv6");
    });
  });
});
