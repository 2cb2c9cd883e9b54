/**
 * Route checks every interop suite makes the same way: our two routes as the
 * daemon received them (attributes over eBGP and iBGP), withdrawals both
 * ways, and what our Loc-RIB learned (fresh or stale, for graceful restart).
 */
import { expect } from "vitest";
import { type BgpDaemon, type BgpRoute, type Family, familyOf, routesFor } from "../harness/bgp-route.js";
import { waitFor } from "../harness/process.js";
import type { RunnerRoute } from "./runner-protocol.js";
import { OUR_AS4, OUR4, OUR6, ourRoutes, THEIR4, THEIR6 } from "./setup.js";
import type { SpeakerProcess } from "./speaker-process.js";

/** Waits until `daemon` holds our route for `prefix` and returns it. */
export function waitOurRouteAt(daemon: BgpDaemon, prefix: string): Promise<BgpRoute> {
  const family = familyOf(prefix);
  return waitFor(`${daemon.kind} has our ${family} route ${prefix}`, async () =>
    routesFor(await daemon.routes(family), prefix).at(0),
  );
}

/**
 * Our two announcements (startOurSpeaker's) as `daemon` received them: NEXT_HOP,
 * AS_PATH (our 4-octet AS over eBGP, empty over iBGP), ORIGIN, MED, LOCAL_PREF
 * (iBGP), communities and large communities.
 */
export async function expectOurRoutesAt(
  daemon: BgpDaemon,
  session: "ebgp" | "ibgp",
): Promise<{ at4: BgpRoute; at6: BgpRoute }> {
  const { v4, v6 } = ourRoutes();
  const at4 = await waitOurRouteAt(daemon, v4.prefix);
  const at6 = await waitOurRouteAt(daemon, v6.prefix);
  if (session === "ebgp") {
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [OUR_AS4],
      origin: "igp",
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
      peer: OUR4,
    });
    expect(at6).toMatchObject({
      nextHop: OUR6,
      asPath: [OUR_AS4],
      med: 60,
      communities: ["65000:20"],
      largeCommunities: ["4200000001:3:4"],
      peer: OUR6,
    });
  } else {
    expect(at4).toMatchObject({
      nextHop: OUR4,
      asPath: [],
      localPref: 200,
      med: 50,
      communities: ["65000:10"],
      largeCommunities: ["4200000001:1:2"],
    });
    expect(at6).toMatchObject({ nextHop: OUR6, asPath: [], localPref: 200, med: 60 });
  }
  return { at4, at6 };
}

export interface WithdrawalsBothWays {
  /** The session whose routes go; the other session's route from the daemon must stay. */
  readonly family: Family;
  /** The daemon's route on that session. */
  readonly theirs: string;
  /** Makes the daemon withdraw `theirs`. */
  readonly withdrawTheirs: () => Promise<unknown>;
}

/**
 * We withdraw our route of `family` and the daemon loses it; the daemon
 * withdraws `theirs` and our Loc-RIB loses it; the route learned on the other
 * session stays.
 */
export async function expectWithdrawalsBothWays(
  speaker: SpeakerProcess,
  daemon: BgpDaemon,
  w: WithdrawalsBothWays,
): Promise<void> {
  const ours = w.family === "ipv4" ? ourRoutes().v4.prefix : ourRoutes().v6.prefix;
  await speaker.withdraw(ours);
  await waitFor(
    `${daemon.kind} loses our withdrawn route ${ours}`,
    async () => routesFor(await daemon.routes(w.family), ours).length === 0,
  );
  await w.withdrawTheirs();
  await speaker.waitNoRoute(w.theirs);
  expect(await speaker.learned(w.family === "ipv4" ? THEIR6 : THEIR4)).toHaveLength(1);
}

/** Waits until our Loc-RIB holds exactly `count` routes learned from the daemon, all stale or all fresh. */
export function waitLearned(
  speaker: SpeakerProcess,
  what: string,
  want: { readonly count: number; readonly stale: boolean },
): Promise<RunnerRoute[]> {
  return waitFor(
    what,
    async () => {
      const learned = await speaker.learned();
      return learned.length === want.count && learned.every((r) => r.stale === want.stale)
        ? learned
        : undefined;
    },
    {
      // Stale routes last only as long as the daemon takes to come back: look often.
      intervalMs: 20,
      describe: async () =>
        `${JSON.stringify(await speaker.routes())} ${JSON.stringify(speaker.events.at(-1))}`,
    },
  );
}

/** The prefixes of `routes`, sorted. */
export const prefixesOf = (routes: readonly { readonly prefix: string }[]): string[] =>
  routes.map((r) => r.prefix).sort();
