/**
 * Interop with ExaBGP: our speaker (child process in namespace "ours") and a
 * private ExaBGP (namespace "exabgp") on one veth, IPv4 and IPv6 sessions;
 * ExaBGP's JSON API output is the reader. Addresses: DESIGN.md test address plan.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Exabgp } from "../harness/exabgp.js";
import type { ExabgpConfig, ExabgpNeighbor } from "../harness/exabgp-config.js";
import { waitFor } from "../harness/process.js";
import {
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

function exaConfig(theirAs: number, ourAs: number, n: Partial<ExabgpNeighbor> = {}): ExabgpConfig {
  return {
    neighbors: [
      { address: OUR4, localAddress: THEIR4, localAs: theirAs, peerAs: ourAs, routerId: THEIR4, ...n },
      { address: OUR6, localAddress: THEIR6, localAs: theirAs, peerAs: ourAs, routerId: THEIR4, ...n },
    ],
  };
}

async function announceTheirs(exa: Exabgp, ibgp: boolean): Promise<void> {
  await exa.announce("203.0.113.50/32", {
    neighbor: OUR4,
    nextHop: THEIR4,
    med: 77,
    communities: ["64512:7"],
    largeCommunities: ["64512:8:9"],
    ...(ibgp ? { localPref: 150 } : {}),
  });
  await exa.announce("2001:db8:500::/48", {
    neighbor: OUR6,
    nextHop: THEIR6,
    med: 78,
    communities: ["64512:7"],
    ...(ibgp ? { localPref: 150 } : {}),
  });
}

/** ExaBGP's raw API output (JSON lines). */
const received = (exa: Exabgp): string => readFileSync(exa.receivedPath, "utf8");

describe("interop: ExaBGP", () => {
  afterEach(() => cleanupAll());

  it("eBGP, 4-octet AS, our side active: attributes both ways, End-of-RIB, refresh, withdrawals, shutdown both ways", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const capture = await startCapture(ours, "veth-ours");
    const exa = await Exabgp.start(theirs, exaConfig(THEIR_AS, OUR_AS4, { passive: true }));
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
      exa.waitEstablished(OUR4),
      exa.waitEstablished(OUR6),
    ]);
    await announceTheirs(exa, false);

    const at4 = await waitFor("ExaBGP has our IPv4 route", async () =>
      routesFor(await exa.routes("ipv4"), v4.prefix).at(0),
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
    const at6 = await waitFor("ExaBGP has our IPv6 route", async () =>
      routesFor(await exa.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({
      nextHop: OUR6,
      asPath: [OUR_AS4],
      med: 60,
      communities: ["65000:20"],
      largeCommunities: ["4200000001:3:4"],
      peer: OUR6,
    });
    // Their End-of-RIB on both sessions, read off the wire.
    await waitFor("their End-of-RIB on both sessions", async () => {
      const msgs = await capture.read();
      return endOfRibFrom(msgs, THEIR4).includes("ipv4") && endOfRibFrom(msgs, THEIR6).includes("ipv6");
    });
    // Our End-of-RIB, as ExaBGP decodes it, for each session's family.
    await waitFor("ExaBGP saw our End-of-RIB markers", () => {
      const text = received(exa);
      return /"eor":\s*\{\s*"afi"\s*:\s*"ipv4"/.test(text) && /"eor":\s*\{\s*"afi"\s*:\s*"ipv6"/.test(text);
    });

    expect(await speaker.waitRoute("203.0.113.50/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [THEIR_AS],
      origin: "igp",
      med: 77,
      communities: ["64512:7"],
      largeCommunities: ["64512:8:9"],
      best: true,
    });
    expect(await speaker.waitRoute("2001:db8:500::/48")).toMatchObject({
      peer: THEIR6,
      nextHop: THEIR6,
      asPath: [THEIR_AS],
      med: 78,
      communities: ["64512:7"],
    });

    // Route refresh, ExaBGP asks: we send our Adj-RIB-Out again.
    const before = await speaker.neighbor(THEIR4);
    await exa.send(`neighbor ${OUR4} announce route-refresh ipv4 unicast`);
    await waitFor(
      "we answer ExaBGP's ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesSent > before.updatesSent,
    );
    // (Route refresh asked by us is left out: we send ROUTE-REFRESH for IPv6 too on this
    // IPv4-only session, and ExaBGP 4.2 then drops the TCP connection; see the report.)

    // Withdrawals both ways.
    await speaker.withdraw(v4.prefix);
    await waitFor(
      "ExaBGP sees our withdrawal",
      async () => routesFor(await exa.routes("ipv4"), v4.prefix).length === 0,
    );
    await exa.withdraw("203.0.113.50/32", { neighbor: OUR4, nextHop: THEIR4 });
    await speaker.waitNoRoute("203.0.113.50/32");
    expect(await speaker.learned(THEIR6)).toHaveLength(1);

    // ExaBGP tears the IPv6 session down: Cease/2 (ExaBGP sends no RFC 9003 message).
    await exa.send(`neighbor ${OUR6} teardown 2`);
    const down = await waitFor("we see ExaBGP's Cease", async () => {
      const n = await speaker.neighbor(THEIR6);
      return n.lastError?.received !== undefined ? n : undefined;
    });
    expect(down.lastError?.received).toMatchObject({ code: 6, subcode: 2 });
    await speaker.waitNoRoute("2001:db8:500::/48");

    // We shut down: ExaBGP sees the session end and drops our routes. (ExaBGP 4.2 answers our
    // well-formed Cease/2 + RFC 9003 message with NOTIFICATION 1/0 "can not decode ... type 3",
    // so its state line carries no Cease to check.)
    await speaker.stop("portlb going away");
    await waitFor("ExaBGP sees our shutdown", async () => (await exa.sessionState(OUR4)) !== "Established");
    expect(routesFor(await exa.routes("ipv4"), v4.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF both ways, withdrawals", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(OUR_AS4, { passive: true }),
    });
    const { v4, v6 } = ourRoutes({ localPref: 200 });
    await speaker.setAnnouncements([v4, v6]);
    const exa = await Exabgp.start(theirs, exaConfig(OUR_AS4, OUR_AS4));
    await Promise.all([exa.waitEstablished(OUR4), exa.waitEstablished(OUR6)]);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    await announceTheirs(exa, true);

    const at4 = await waitFor("ExaBGP has our IPv4 route", async () =>
      routesFor(await exa.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [],
      localPref: 200,
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
    });
    const at6 = await waitFor("ExaBGP has our IPv6 route", async () =>
      routesFor(await exa.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({ nextHop: OUR6, asPath: [], localPref: 200, med: 60 });

    expect(await speaker.waitRoute("203.0.113.50/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 150,
      med: 77,
    });
    expect(await speaker.waitRoute("2001:db8:500::/48")).toMatchObject({
      peer: THEIR6,
      asPath: [],
      localPref: 150,
    });

    await speaker.withdraw(v6.prefix);
    await waitFor(
      "ExaBGP sees our IPv6 withdrawal",
      async () => routesFor(await exa.routes("ipv6"), v6.prefix).length === 0,
    );
    await exa.withdraw("2001:db8:500::/48", { neighbor: OUR6, nextHop: THEIR6 });
    await speaker.waitNoRoute("2001:db8:500::/48");
    expect(await speaker.learned(THEIR4)).toHaveLength(1);
  });

  it("graceful restart: ExaBGP restarts with GR, our Loc-RIB keeps its routes and ends with exactly the re-announced set", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const config = exaConfig(THEIR_AS, OUR_AS4, { gracefulRestart: 30 });
    const exa = await Exabgp.start(theirs, {
      neighbors: config.neighbors.map((n) =>
        n.address === OUR4
          ? { ...n, initialCommands: [`announce route 203.0.113.50/32 next-hop ${THEIR4}`] }
          : n,
      ),
    });
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    // One more route through the API only: a restarted ExaBGP does not re-announce it.
    await exa.announce("203.0.113.51/32", { neighbor: OUR4, nextHop: THEIR4 });
    await speaker.waitRoute("203.0.113.50/32");
    await speaker.waitRoute("203.0.113.51/32");
    const restarting = exa.restart();
    const stale = await waitFor(
      "our routes from ExaBGP are stale",
      async () => {
        const learned = await speaker.learned();
        return learned.length === 2 && learned.every((r) => r.stale) ? learned : undefined;
      },
      {
        intervalMs: 20,
        describe: async () =>
          `${JSON.stringify(await speaker.routes())} ${JSON.stringify(speaker.events.at(-1))}`,
      },
    );
    expect(stale).toHaveLength(2);
    await restarting;
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    const after = await waitFor(
      "exactly the re-announced set, none stale",
      async () => {
        const learned = await speaker.learned();
        return learned.length === 1 && learned.every((r) => !r.stale) ? learned : undefined;
      },
      { describe: async () => JSON.stringify(await speaker.routes()) },
    );
    expect(after.map((r) => r.prefix)).toEqual(["203.0.113.50/32"]);
  });
});
