/**
 * Interop with GoBGP: our speaker (child process in namespace "ours") and a
 * private gobgpd (namespace "gobgp") on one veth, IPv4 and IPv6 sessions.
 * Addresses: DESIGN.md test address plan. Shared steps: route-checks.ts,
 * session-checks.ts, capture.ts, our-speaker.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Gobgp } from "../harness/gobgp.js";
import type { GobgpConfig, GobgpNeighbor } from "../harness/gobgp-config.js";
import { parseJson } from "../harness/json.js";
import { waitFor } from "../harness/process.js";
import { startCapture, waitEndOfRib } from "./capture.js";
import { startOurSpeaker, waitSessions } from "./our-speaker.js";
import { expectOurRoutesAt, expectWithdrawalsBothWays, prefixesOf, waitLearned } from "./route-checks.js";
import {
  expectCeaseFrom,
  expectOneSessionAfterCollision,
  expectTheyAnswerRefresh,
} from "./session-checks.js";
import { makePair, OUR_AS4, OUR4, OUR6, ourRoutes, THEIR_AS, THEIR4, THEIR6 } from "./setup.js";

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

const neighborJson = async (gobgp: Gobgp, peer: string): Promise<string> =>
  JSON.stringify(parseJson(await gobgp.gobgp(["-j", "neighbor", peer]), "gobgp neighbor"));

describe("interop: GoBGP", () => {
  afterEach(() => cleanupAll());

  it("eBGP, 4-octet AS, our side active: attributes both ways, End-of-RIB, refresh, withdrawals, shutdown both ways", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const gobgp = await Gobgp.start(theirs, gobgpConfig(THEIR_AS, OUR_AS4, { passive: true }));
    await addTheirRoutes(gobgp);
    const speaker = await startOurSpeaker(ours, "ebgp-active");
    await waitSessions(speaker, gobgp);

    await expectOurRoutesAt(gobgp, "ebgp");
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
    expect(await neighborJson(gobgp, OUR4)).toContain('"end_of_rib_received":true');
    // Route refresh, we ask: GoBGP counts our ROUTE-REFRESH and re-sends.
    // (GoBGP's own `softresetin` re-applies its Adj-RIB-In and sends no ROUTE-REFRESH.)
    await expectTheyAnswerRefresh(speaker, gobgp);
    expect(await neighborJson(gobgp, OUR4)).toMatch(/"received":\{[^}]*"refresh":[1-9]/);

    await expectWithdrawalsBothWays(speaker, gobgp, {
      family: "ipv4",
      theirs: "203.0.113.40/32",
      withdrawTheirs: () => gobgp.deleteRoute("203.0.113.40/32"),
    });

    // GoBGP shuts the IPv6 session down with an RFC 9003 message.
    await gobgp.gobgp(["neighbor", OUR6, "shutdown", "--reason", "gobgp maintenance"]);
    await expectCeaseFrom(speaker, gobgp, THEIR6, {
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
    expect(routesFor(await gobgp.routes("ipv4"), ourRoutes().v4.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const speaker = await startOurSpeaker(ours, "ibgp-passive");
    const gobgp = await Gobgp.start(theirs, { ...gobgpConfig(OUR_AS4, OUR_AS4), port: -1 });
    await addTheirRoutes(gobgp);
    await waitSessions(speaker, gobgp);

    await expectOurRoutesAt(gobgp, "ibgp");
    expect(await speaker.waitRoute("203.0.113.40/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:400::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await expectWithdrawalsBothWays(speaker, gobgp, {
      family: "ipv6",
      theirs: "2001:db8:400::/48",
      withdrawTheirs: () => gobgp.deleteRoute("2001:db8:400::/48"),
    });
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const gobgp = await Gobgp.start(theirs, {
      as: THEIR_AS,
      routerId: THEIR4,
      neighbors: [{ address: OUR4, as: OUR_AS4, localAddress: THEIR4 }],
    });
    await gobgp.addRoute("203.0.113.40/32", { nextHop: THEIR4 });
    const speaker = await startOurSpeaker(ours, "ebgp-listening", { ipv4Only: true });
    await expectOneSessionAfterCollision(ours, speaker, gobgp, "203.0.113.40/32");
  });

  it("graceful restart: GoBGP restarts with GR, our Loc-RIB keeps its routes and ends with exactly the re-announced set", async () => {
    const { ours, theirs } = await makePair("gobgp");
    const capture = await startCapture(ours);
    const gobgp = await Gobgp.start(
      theirs,
      gobgpConfig(THEIR_AS, OUR_AS4, { gracefulRestart: true, gracefulRestartTime: 30 }),
    );
    await addTheirRoutes(gobgp, ["203.0.113.40/32", "203.0.113.41/32"]);
    const speaker = await startOurSpeaker(ours, "ebgp-listening");
    await speaker.announce(ourRoutes().v4);
    await waitSessions(speaker);
    await speaker.waitRoute("203.0.113.41/32");
    await speaker.waitRoute("2001:db8:400::/48");
    expect(prefixesOf(await speaker.learned())).toEqual([
      "2001:db8:400::/48",
      "203.0.113.40/32",
      "203.0.113.41/32",
    ]);

    // gobgpd is killed (no NOTIFICATION) and restarted with the Restart State bit (-r);
    // meanwhile our routes from it stay, marked stale.
    const restarting = gobgp.restart({ graceful: true });
    const stale = await waitLearned(speaker, "our routes from GoBGP are stale", { count: 3, stale: true });
    expect(stale).toHaveLength(3);
    await restarting;
    // It re-announces only part of what it had: one IPv4 route and the IPv6 one.
    await addTheirRoutes(gobgp, ["203.0.113.40/32"]);
    await waitSessions(speaker);
    const after = await waitLearned(speaker, "exactly the re-announced set, none stale", {
      count: 2,
      stale: false,
    });
    expect(prefixesOf(after)).toEqual(["2001:db8:400::/48", "203.0.113.40/32"]);
    // GoBGP's End-of-RIB on both sessions (graceful restart on).
    await waitEndOfRib(capture, "theirs");

    await waitFor(
      "GoBGP has our route again",
      async () => routesFor(await gobgp.routes("ipv4"), ourRoutes().v4.prefix).length === 1,
    );
  });
});
