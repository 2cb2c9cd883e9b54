/**
 * Interop with FRR (bgpd without zebra): our speaker (child process in
 * namespace "ours") and a private FRR (namespace "frr") on one veth, IPv4 and
 * IPv6 sessions. Addresses: DESIGN.md test address plan.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Frr } from "../harness/frr.js";
import type { FrrConfig, FrrNeighbor } from "../harness/frr-config.js";
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

/** FRR marks what it sends us: communities, a large community and a MED, via an outbound route-map. */
const markOut = [
  "route-map MARK permit 10",
  " set community 64512:7",
  " set large-community 64512:8:9",
  " set metric 77",
  "!",
].join("\n");

function frrConfig(theirAs: number, ourAs: number, n: Partial<FrrNeighbor> = {}): FrrConfig {
  return {
    as: theirAs,
    routerId: THEIR4,
    networks: ["203.0.113.30/32", "2001:db8:300::/48"],
    neighbors: [
      { address: OUR4, as: ourAs, ...n },
      { address: OUR6, as: ourAs, ...n },
    ],
    extraRouter: [
      "address-family ipv4 unicast",
      ` neighbor ${OUR4} route-map MARK out`,
      "exit-address-family",
      "address-family ipv6 unicast",
      ` neighbor ${OUR6} route-map MARK out`,
      "exit-address-family",
    ],
    extra: markOut,
  };
}

async function frrNeighborJson(frr: Frr, peer: string): Promise<Record<string, unknown>> {
  const all = parseJson(await frr.vtysh([`show bgp neighbors ${peer} json`]), "frr neighbor") as Record<
    string,
    Record<string, unknown>
  >;
  return all[peer] ?? {};
}

describe("interop: FRR", () => {
  afterEach(() => cleanupAll());

  it("eBGP, 4-octet AS, our side active: attributes both ways, End-of-RIB, refresh, withdrawals, shutdown both ways", async () => {
    const { ours, theirs } = await makePair("frr");
    const capture = await startCapture(ours, "veth-ours");
    const frr = await Frr.start(theirs, frrConfig(THEIR_AS, OUR_AS4, { passive: true }));
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
      frr.waitEstablished(OUR4),
      frr.waitEstablished(OUR6),
    ]);

    const at4 = await waitFor("FRR has our IPv4 route", async () =>
      routesFor(await frr.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [OUR_AS4],
      origin: "igp",
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
      peer: OUR4,
      best: true,
    });
    const at6 = await waitFor("FRR has our IPv6 route", async () =>
      routesFor(await frr.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({
      nextHop: OUR6,
      asPath: [OUR_AS4],
      med: 60,
      communities: ["65000:20"],
      largeCommunities: ["4200000001:3:4"],
      peer: OUR6,
    });

    expect(await speaker.waitRoute("203.0.113.30/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [THEIR_AS],
      origin: "igp",
      med: 77,
      communities: ["64512:7"],
      largeCommunities: ["64512:8:9"],
      best: true,
    });
    expect(await speaker.waitRoute("2001:db8:300::/48")).toMatchObject({
      peer: THEIR6,
      nextHop: THEIR6,
      asPath: [THEIR_AS],
      med: 77,
      communities: ["64512:7"],
    });

    // End-of-RIB both ways on both sessions, read off the wire.
    await waitFor("End-of-RIB both ways on both sessions", async () => {
      const msgs = await capture.read();
      return (
        endOfRibFrom(msgs, OUR4).includes("ipv4") &&
        endOfRibFrom(msgs, OUR6).includes("ipv6") &&
        endOfRibFrom(msgs, THEIR4).includes("ipv4") &&
        endOfRibFrom(msgs, THEIR6).includes("ipv6")
      );
    });

    // Route refresh both ways.
    const before = await speaker.neighbor(THEIR4);
    await frr.clearSoftIn(OUR4);
    await waitFor(
      "we answer FRR's ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesSent > before.updatesSent,
    );
    const received = (await speaker.neighbor(THEIR4)).updatesReceived;
    await speaker.refresh(THEIR4);
    await waitFor(
      "FRR answers our ROUTE-REFRESH with UPDATEs",
      async () => (await speaker.neighbor(THEIR4)).updatesReceived > received,
    );
    const counters = await frrNeighborJson(frr, OUR4);
    expect(JSON.stringify(counters.messageStats)).toMatch(/"routeRefreshRecv":[1-9]/);

    // Withdrawals both ways.
    await speaker.withdraw(v4.prefix);
    await waitFor(
      "FRR loses our withdrawn route",
      async () => routesFor(await frr.routes("ipv4"), v4.prefix).length === 0,
    );
    await frr.withdraw("203.0.113.30/32");
    await speaker.waitNoRoute("203.0.113.30/32");
    expect(await speaker.learned(THEIR6)).toHaveLength(1);

    // FRR shuts the IPv6 session down with an RFC 9003 message.
    await frr.shutdownNeighbor(OUR6, "frr maintenance");
    const down = await waitFor("we see FRR's Cease", async () => {
      const n = await speaker.neighbor(THEIR6);
      return n.state !== "Established" && n.lastError?.received !== undefined ? n : undefined;
    });
    expect(down.lastError?.received).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "frr maintenance",
    });
    await speaker.waitNoRoute("2001:db8:300::/48");

    // We shut down: FRR sees Cease/2 and drops our routes.
    await speaker.stop("portlb going away");
    await waitFor("FRR sees our shutdown", async () => (await frr.sessionState(OUR4)) !== "Established");
    const info = await frrNeighborJson(frr, OUR4);
    expect(JSON.stringify(info)).toMatch(/Administrative Shutdown|Admin\. shutdown/i);
    expect(routesFor(await frr.routes("ipv4"), v4.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("frr");
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(OUR_AS4, { passive: true }),
    });
    const { v4, v6 } = ourRoutes({ localPref: 200 });
    await speaker.setAnnouncements([v4, v6]);
    const frr = await Frr.start(theirs, frrConfig(OUR_AS4, OUR_AS4));
    await Promise.all([frr.waitEstablished(OUR4), frr.waitEstablished(OUR6)]);
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);

    const at4 = await waitFor("FRR has our IPv4 route", async () =>
      routesFor(await frr.routes("ipv4"), v4.prefix).at(0),
    );
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [],
      localPref: 200,
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
    });
    const at6 = await waitFor("FRR has our IPv6 route", async () =>
      routesFor(await frr.routes("ipv6"), v6.prefix).at(0),
    );
    expect(at6).toMatchObject({ nextHop: OUR6, asPath: [], localPref: 200, med: 60 });

    expect(await speaker.waitRoute("203.0.113.30/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:300::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await speaker.withdraw(v6.prefix);
    await waitFor(
      "FRR loses our IPv6 route",
      async () => routesFor(await frr.routes("ipv6"), v6.prefix).length === 0,
    );
    await frr.withdraw("2001:db8:300::/48");
    await speaker.waitNoRoute("2001:db8:300::/48");
    expect(await speaker.learned(THEIR4)).toHaveLength(1);
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("frr");
    const frr = await Frr.start(theirs, {
      as: THEIR_AS,
      routerId: THEIR4,
      networks: ["203.0.113.30/32"],
      neighbors: [{ address: OUR4, as: OUR_AS4 }],
    });
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS).slice(0, 1),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), frr.waitEstablished(OUR4)]);
    await speaker.waitRoute("203.0.113.30/32");
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await bgpConnections(ours)).toHaveLength(1);
    expect((await speaker.neighbor(THEIR4)).state).toBe("Established");
    expect(await frr.sessionState(OUR4)).toBe("Established");
  });

  it("graceful restart: FRR restarts with GR, our Loc-RIB keeps its routes and ends with the re-announced set", async () => {
    const { ours, theirs } = await makePair("frr");
    const frr = await Frr.start(theirs, { ...frrConfig(THEIR_AS, OUR_AS4), gracefulRestart: true });
    const speaker = await SpeakerProcess.start(ours, {
      localAs: OUR_AS4,
      routerId: OUR4,
      listen: ourListen,
      neighbors: ourNeighbors(THEIR_AS),
    });
    await Promise.all([speaker.waitEstablished(THEIR4), speaker.waitEstablished(THEIR6)]);
    await speaker.waitRoute("203.0.113.30/32");
    await speaker.waitRoute("2001:db8:300::/48");
    const restarting = frr.restart();
    const stale = await waitFor(
      "our routes from FRR are stale",
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
    const after = await waitFor("FRR's routes are fresh again", async () => {
      const learned = await speaker.learned();
      return learned.length === 2 && learned.every((r) => !r.stale) ? learned : undefined;
    });
    expect(after.map((r) => r.prefix).sort()).toEqual(["2001:db8:300::/48", "203.0.113.30/32"]);
  });
});
