/**
 * Interop with BIRD 2: our speaker (child process in namespace "ours") and a
 * private BIRD (namespace "bird") on one veth, IPv4 and IPv6 sessions.
 * Addresses: DESIGN.md test address plan. Shared steps: route-checks.ts,
 * session-checks.ts, capture.ts, our-speaker.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { Bird } from "../harness/bird.js";
import type { BirdConfig, BirdNeighbor } from "../harness/bird-config.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
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
    const capture = await startCapture(ours);
    const bird = await Bird.start(theirs, birdConfig(OUR_AS4, THEIR_AS, { passive: true }));
    const speaker = await startOurSpeaker(ours, "ebgp-active");
    await waitSessions(speaker, bird);

    await expectOurRoutesAt(bird, "ebgp");
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

    // BIRD sends its own End-of-RIB only with graceful restart negotiated: see that case.
    await waitEndOfRib(capture, "ours");

    await expectWeAnswerRefresh(speaker, bird, () => bird.reloadIn(OUR4));
    await expectTheyAnswerRefresh(speaker, bird);
    expect((await speaker.neighbor(THEIR4)).state).toBe("Established");

    await expectWithdrawalsBothWays(speaker, bird, {
      family: "ipv4",
      theirs: "203.0.113.20/32",
      withdrawTheirs: () => bird.setStatic("ipv4", false),
    });

    // BIRD shuts the IPv6 session down with an RFC 9003 message: Cease/2, its routes go.
    await bird.disable(OUR6, "bird maintenance");
    await expectCeaseFrom(speaker, bird, THEIR6, {
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
    expect(routesFor(await bird.routes("ipv6"), ourRoutes().v6.prefix)).toEqual([]);
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF, withdrawals", async () => {
    const { ours, theirs } = await makePair("bird");
    const speaker = await startOurSpeaker(ours, "ibgp-passive");
    const bird = await Bird.start(theirs, birdConfig(OUR_AS4, OUR_AS4));
    await waitSessions(speaker, bird);

    await expectOurRoutesAt(bird, "ibgp");
    expect(await speaker.waitRoute("203.0.113.20/32")).toMatchObject({
      peer: THEIR4,
      nextHop: THEIR4,
      asPath: [],
      localPref: 100,
    });
    expect(await speaker.waitRoute("2001:db8:200::/48")).toMatchObject({ peer: THEIR6, asPath: [] });

    await expectWithdrawalsBothWays(speaker, bird, {
      family: "ipv6",
      theirs: "2001:db8:200::/48",
      withdrawTheirs: () => bird.setStatic("ipv6", false),
    });
  });

  it("collision: both sides connect at once, exactly one session survives", async () => {
    const { ours, theirs } = await makePair("bird");
    const config = birdConfig(OUR_AS4, THEIR_AS);
    const bird = await Bird.start(theirs, { ...config, neighbors: config.neighbors.slice(0, 1) });
    const speaker = await startOurSpeaker(ours, "ebgp-listening", { ipv4Only: true });
    await expectOneSessionAfterCollision(ours, speaker, bird, "203.0.113.20/32");
  });

  it("graceful restart: BIRD restarts with GR, our Loc-RIB keeps its routes and ends with the re-announced set", async () => {
    const { ours, theirs } = await makePair("bird");
    const capture = await startCapture(ours);
    const bird = await Bird.start(
      theirs,
      birdConfig(OUR_AS4, THEIR_AS, { gracefulRestart: true, gracefulRestartTime: 30 }),
    );
    const speaker = await startOurSpeaker(ours, "ebgp-listening");
    await waitSessions(speaker);
    await speaker.waitRoute("203.0.113.20/32");
    await speaker.waitRoute("2001:db8:200::/48");

    await bird.birdc(["graceful", "restart"]).catch(() => "");
    await waitFor("BIRD exits", () => !bird.process?.running);
    // While BIRD is gone the routes stay, marked stale.
    const stale = await waitLearned(speaker, "our routes from BIRD are stale", { count: 2, stale: true });
    expect(prefixesOf(stale)).toEqual(["2001:db8:200::/48", "203.0.113.20/32"]);
    await bird.restart();
    await waitSessions(speaker);
    const after = await waitLearned(speaker, "BIRD's routes are fresh again", { count: 2, stale: false });
    expect(prefixesOf(after)).toEqual(["2001:db8:200::/48", "203.0.113.20/32"]);
    // BIRD's End-of-RIB on both sessions (sent with GR negotiated).
    await waitEndOfRib(capture, "theirs");
  });
});
