/**
 * Interop with ExaBGP: our speaker (child process in namespace "ours") and a
 * private ExaBGP (namespace "exabgp") on one veth, IPv4 and IPv6 sessions;
 * ExaBGP's JSON API output is the reader. Addresses: DESIGN.md test address
 * plan. Shared steps: route-checks.ts, session-checks.ts, capture.ts,
 * our-speaker.ts.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { routesFor } from "../harness/bgp-route.js";
import { cleanupAll } from "../harness/cleanup-registry.js";
import { Exabgp } from "../harness/exabgp.js";
import type { ExabgpConfig, ExabgpNeighbor } from "../harness/exabgp-config.js";
import { waitFor } from "../harness/process.js";
import { startCapture, waitEndOfRib } from "./capture.js";
import { startOurSpeaker, waitSessions } from "./our-speaker.js";
import { expectOurRoutesAt, expectWithdrawalsBothWays, prefixesOf, waitLearned } from "./route-checks.js";
import { expectCeaseFrom, expectTheyAnswerRefresh, expectWeAnswerRefresh } from "./session-checks.js";
import { makePair, OUR_AS4, OUR4, OUR6, ourRoutes, THEIR_AS, THEIR4, THEIR6 } from "./setup.js";

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
    const capture = await startCapture(ours);
    const exa = await Exabgp.start(theirs, exaConfig(THEIR_AS, OUR_AS4, { passive: true }));
    const speaker = await startOurSpeaker(ours, "ebgp-active");
    await waitSessions(speaker, exa);
    await announceTheirs(exa, false);

    await expectOurRoutesAt(exa, "ebgp");
    await waitEndOfRib(capture, "theirs");
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

    // Route refresh, ExaBGP asks. (We ask: the next case.)
    await expectWeAnswerRefresh(speaker, exa, () =>
      exa.send(`neighbor ${OUR4} announce route-refresh ipv4 unicast`),
    );

    await expectWithdrawalsBothWays(speaker, exa, {
      family: "ipv4",
      theirs: "203.0.113.50/32",
      withdrawTheirs: () => exa.withdraw("203.0.113.50/32", { neighbor: OUR4, nextHop: THEIR4 }),
    });

    // ExaBGP tears the IPv6 session down: Cease/2 (ExaBGP sends no RFC 9003 message).
    await exa.send(`neighbor ${OUR6} teardown 2`);
    await expectCeaseFrom(speaker, exa, THEIR6, { code: 6, subcode: 2 }, { mayReconnect: true });
    await speaker.waitNoRoute("2001:db8:500::/48");

    // We shut down: ExaBGP sees the session end and drops our routes. (ExaBGP 4.2 answers our
    // well-formed Cease/2 + RFC 9003 message with NOTIFICATION 1/0 "can not decode ... type 3",
    // so its state line carries no Cease to check.)
    await speaker.stop("portlb going away");
    await waitFor("ExaBGP sees our shutdown", async () => (await exa.sessionState(OUR4)) !== "Established");
    expect(routesFor(await exa.routes("ipv4"), ourRoutes().v4.prefix)).toEqual([]);
  });

  it("route refresh, we ask: ExaBGP receives ROUTE-REFRESH for each session's own family only, and its routes come again", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const exa = await Exabgp.start(theirs, exaConfig(THEIR_AS, OUR_AS4, { passive: true }));
    const speaker = await startOurSpeaker(ours, "ebgp-active");
    await waitSessions(speaker, exa);
    await announceTheirs(exa, false);

    const sessions = [
      { peer: THEIR4, exaPeer: OUR4, afi: "ipv4", theirs: "203.0.113.50/32" },
      { peer: THEIR6, exaPeer: OUR6, afi: "ipv6", theirs: "2001:db8:500::/48" },
    ];
    for (const s of sessions) {
      await speaker.waitRoute(s.theirs);
      // Our import policy for this session changes: we send ROUTE-REFRESH (RFC 2918), ExaBGP's
      // API prints it, and ExaBGP's UPDATEs reach us again. (ExaBGP 4.2.21 then fails inside
      // while building its enhanced-refresh answer (RFC 7313 BoRR, its issue #1237: "'RouteRefresh'
      // object is not iterable") and closes the TCP connection without a NOTIFICATION; the session
      // comes back at once and ExaBGP sends its routes on it.)
      await expectTheyAnswerRefresh(speaker, exa, s.peer);
      await waitFor(`ExaBGP reports our ROUTE-REFRESH on the ${s.afi} session`, () =>
        exa.view().refreshes.some((r) => r.peer === s.exaPeer),
      );
      await speaker.waitEstablished(s.peer);
      expect(await speaker.waitRoute(s.theirs)).toMatchObject({ peer: s.peer, stale: false });
      // No NOTIFICATION either way: ExaBGP found nothing wrong with our message.
      const n = await speaker.neighbor(s.peer);
      expect(n.lastError?.sent).toBeUndefined();
      expect(n.lastError?.received).toBeUndefined();
    }
    // One request per session, for the family that session negotiated and no other.
    expect(exa.view().refreshes).toEqual([
      { peer: OUR4, afi: "ipv4", safi: "unicast", subtype: "query" },
      { peer: OUR6, afi: "ipv6", safi: "unicast", subtype: "query" },
    ]);
    expect(prefixesOf(await speaker.learned())).toEqual(["2001:db8:500::/48", "203.0.113.50/32"]);
  });

  it("route refresh, we ask, enhanced route refresh off: the sessions stay up and ExaBGP's routes come again", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const exa = await Exabgp.start(theirs, exaConfig(THEIR_AS, OUR_AS4, { passive: true }));
    // ExaBGP 4.2 fails while answering an ENHANCED refresh (see the case above); with the plain
    // RFC 2918 refresh negotiated it answers as it should, without dropping the session.
    const speaker = await startOurSpeaker(ours, "ebgp-active", { enhancedRouteRefresh: false });
    await waitSessions(speaker, exa);
    await announceTheirs(exa, false);
    for (const s of [
      { peer: THEIR4, exaPeer: OUR4, theirs: "203.0.113.50/32" },
      { peer: THEIR6, exaPeer: OUR6, theirs: "2001:db8:500::/48" },
    ]) {
      await speaker.waitRoute(s.theirs);
      const eventsBefore = speaker.events.length;
      const before = await speaker.neighbor(s.peer);
      const updatesBefore = before.updatesReceived;
      await speaker.refresh(s.peer);
      await waitFor(`ExaBGP reports our ROUTE-REFRESH (${s.exaPeer})`, () =>
        exa.view().refreshes.some((r) => r.peer === s.exaPeer),
      );
      // ExaBGP answers with its routes again on the SAME session: more UPDATEs, no state change.
      await waitFor(
        `ExaBGP re-sends its routes to ${s.peer}`,
        async () => (await speaker.neighbor(s.peer)).updatesReceived > updatesBefore,
      );
      const n = await speaker.neighbor(s.peer);
      expect(n.state).toBe("Established");
      expect(n.lastError).toEqual(before.lastError);
      expect(speaker.events.slice(eventsBefore).filter((e) => e.address === s.peer)).toEqual([]);
      expect(await exa.sessionState(s.exaPeer)).toBe("Established");
      expect(await speaker.waitRoute(s.theirs)).toMatchObject({ peer: s.peer, stale: false });
    }
  });

  it("iBGP, 4-octet AS, our side passive: LOCAL_PREF both ways, withdrawals", async () => {
    const { ours, theirs } = await makePair("exabgp");
    const speaker = await startOurSpeaker(ours, "ibgp-passive");
    const exa = await Exabgp.start(theirs, exaConfig(OUR_AS4, OUR_AS4));
    await waitSessions(speaker, exa);
    await announceTheirs(exa, true);

    await expectOurRoutesAt(exa, "ibgp");
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

    await expectWithdrawalsBothWays(speaker, exa, {
      family: "ipv6",
      theirs: "2001:db8:500::/48",
      withdrawTheirs: () => exa.withdraw("2001:db8:500::/48", { neighbor: OUR6, nextHop: THEIR6 }),
    });
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
    const speaker = await startOurSpeaker(ours, "ebgp-listening");
    await waitSessions(speaker);
    // One more route through the API only: a restarted ExaBGP does not re-announce it.
    await exa.announce("203.0.113.51/32", { neighbor: OUR4, nextHop: THEIR4 });
    await speaker.waitRoute("203.0.113.50/32");
    await speaker.waitRoute("203.0.113.51/32");
    const restarting = exa.restart();
    const stale = await waitLearned(speaker, "our routes from ExaBGP are stale", { count: 2, stale: true });
    expect(stale).toHaveLength(2);
    await restarting;
    await waitSessions(speaker);
    const after = await waitLearned(speaker, "exactly the re-announced set, none stale", {
      count: 1,
      stale: false,
    });
    expect(after.map((r) => r.prefix)).toEqual(["203.0.113.50/32"]);
  });
});
