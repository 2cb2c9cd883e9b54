/**
 * Our speaker in namespace "ours", in the roles the interop cases give it
 * (always local AS OUR_AS4, router id OUR4, one session per family), and the
 * wait for the sessions of both sides.
 */
import type { BgpDaemon } from "../harness/bgp-route.js";
import type { Netns } from "../harness/netns.js";
import {
  OUR_AS4,
  OUR4,
  OUR6,
  ourListen,
  ourNeighbors,
  ourRoutes,
  THEIR_AS,
  THEIR4,
  THEIR6,
} from "./setup.js";
import { SpeakerProcess } from "./speaker-process.js";

export type OurRole =
  /** eBGP with THEIR_AS; we connect and do not listen; we announce ourRoutes(). */
  | "ebgp-active"
  /** iBGP; we listen and wait for the daemon; we announce ourRoutes({ localPref: 200 }). */
  | "ibgp-passive"
  /** eBGP with THEIR_AS; we listen and connect (collision, graceful restart); nothing announced. */
  | "ebgp-listening";

export interface OurSpeakerOptions {
  /** Only the IPv4 session (collision cases). */
  readonly ipv4Only?: boolean;
  /** Advertise enhanced route refresh (RFC 7313); default true. */
  readonly enhancedRouteRefresh?: boolean;
}

export async function startOurSpeaker(
  ns: Netns,
  role: OurRole,
  options: OurSpeakerOptions = {},
): Promise<SpeakerProcess> {
  const extra = options.enhancedRouteRefresh === false ? { enhancedRouteRefresh: false } : {};
  const neighbors =
    role === "ibgp-passive"
      ? ourNeighbors(OUR_AS4, { passive: true, ...extra })
      : ourNeighbors(THEIR_AS, extra);
  const speaker = await SpeakerProcess.start(ns, {
    localAs: OUR_AS4,
    routerId: OUR4,
    ...(role === "ebgp-active" ? {} : { listen: ourListen }),
    neighbors: options.ipv4Only ? neighbors.slice(0, 1) : neighbors,
  });
  if (role !== "ebgp-listening") {
    const { v4, v6 } = ourRoutes(role === "ibgp-passive" ? { localPref: 200 } : {});
    await speaker.setAnnouncements([v4, v6]);
  }
  return speaker;
}

/** Both sessions Established at our speaker and, when given, at the daemon too. */
export async function waitSessions(
  speaker: SpeakerProcess,
  daemon?: BgpDaemon,
  options: OurSpeakerOptions = {},
): Promise<void> {
  const ours = options.ipv4Only ? [THEIR4] : [THEIR4, THEIR6];
  const theirs = daemon === undefined ? [] : options.ipv4Only ? [OUR4] : [OUR4, OUR6];
  await Promise.all([
    ...ours.map((peer) => speaker.waitEstablished(peer)),
    ...theirs.map((peer) => daemon?.waitEstablished(peer)),
  ]);
}
