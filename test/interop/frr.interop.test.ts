/**
 * Interop with FRR (bgpd without zebra): our speaker (child process in
 * namespace "ours") and a private FRR (namespace "frr") on one veth, IPv4 and
 * IPv6 sessions. Addresses: DESIGN.md test address plan. Shared steps:
 * route-checks.ts, session-checks.ts, capture.ts, our-speaker.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Frr } from "../harness/frr.js";
import type { FrrConfig, FrrNeighbor } from "../harness/frr-config.js";
import { parseJson } from "../harness/json.js";
import { waitFor } from "../harness/process.js";
import { startCapture, waitEndOfRib } from "./capture.js";
import { startOurSpeaker, waitSessions } from "./our-speaker.js";
import { expectOurRoutesAt, expectWithdrawalsBothWays, prefixesOf, waitLearned } from "./route-checks.js";
import {
  expectCeaseFrom,
  expectOneSessionAfterCollision,
  expectTheyAnswerRefresh,
  expectWeAnswerRefresh,
} from "./session-checks.js";
import { makePair, OUR_AS4, OUR4, OUR6, ourRoutes, THEIR_AS, THEIR4, THEIR6 } from "./setup.js";

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
    const capture = await startCapture(ours);
    const frr = await Frr.start(theirs, frrConfig(THEIR_AS, OUR_AS4, { passive: true }));
    const speaker = await startOurSpeaker(ours, "ebgp-active");
    await waitSessions(speaker, frr);

    const { at4 } = await expectOurRoutesAt(frr, "ebgp");
    expect(at4.best).toBe(true);
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

    await waitEndOfRib(capture, "ours", "theirs");

    await expectWeAnswerRefresh(speaker, frr, () => frr.clearSoftIn(OUR4));
    await expectTheyAnswerRefresh(speaker, frr);
    const counters = await frrNeighborJson(frr, OUR4);
    expect(JSON.stringify(counters.messageStats)).toMatch(/"routeRefreshRecv":[1-9]/);

    await expectWithdrawalsBothWays(speaker, frr, {
      family: "ipv4",
      theirs: "203.0.113.30/32",
      withdrawTheirs: () => frr.withdraw("203.0.113.30/32"),
    });

    // FRR shuts the IPv6 session down with an RFC 9003 message.
    await frr.shutdownNeighbor(OUR6, "frr maintenance");
    await expectCeaseFrom(speaker, frr, THEIR6, {
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
    expect(routesFor(await frr.routes("ipv4"), ourRoutes().v4.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("frr");
    const speaker = await startOurSpeaker(ours, "ibgp-passive");
    const frr = await Frr.start(theirs, frrConfig(OUR_AS4, OUR_AS4));
    await waitSessions(speaker, frr);

    await expectOurRoutesAt(frr, "ibgp");
    expect(await speaker.waitRoute("203.0.113.30/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:300::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await expectWithdrawalsBothWays(speaker, frr, {
      family: "ipv6",
      theirs: "2001:db8:300::/48",
      withdrawTheirs: () => frr.withdraw("2001:db8:300::/48"),
    });
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("frr");
    const frr = await Frr.start(theirs, {
      as: THEIR_AS,
      routerId: THEIR4,
      networks: ["203.0.113.30/32"],
      neighbors: [{ address: OUR4, as: OUR_AS4 }],
    });
    const speaker = await startOurSpeaker(ours, "ebgp-listening", { ipv4Only: true });
    await expectOneSessionAfterCollision(ours, speaker, frr, "203.0.113.30/32");
  });

  it("graceful restart: FRR restarts with GR, our Loc-RIB keeps its routes and ends with the re-announced set", async () => {
    const { ours, theirs } = await makePair("frr");
    const frr = await Frr.start(theirs, { ...frrConfig(THEIR_AS, OUR_AS4), gracefulRestart: true });
    const speaker = await startOurSpeaker(ours, "ebgp-listening");
    await waitSessions(speaker);
    await speaker.waitRoute("203.0.113.30/32");
    await speaker.waitRoute("2001:db8:300::/48");
    const restarting = frr.restart();
    const stale = await waitLearned(speaker, "our routes from FRR are stale", { count: 2, stale: true });
    expect(stale).toHaveLength(2);
    await restarting;
    await waitSessions(speaker);
    const after = await waitLearned(speaker, "FRR's routes are fresh again", { count: 2, stale: false });
    expect(prefixesOf(after)).toEqual(["2001:db8:300::/48", "203.0.113.30/32"]);
  });
});
