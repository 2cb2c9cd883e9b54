/**
 * The routes this speaker originates (`announce`, `setAnnouncements`) and
 * the path attributes they are entered into the RIB with.
 */
import { AsPathSegmentType, type LargeCommunity, type Origin, type PathAttributes } from "../wire/index.js";

/** A route we originate. */
export interface LocalRoute {
  /** "203.0.113.10/32" or "2001:db8::10/128". */
  readonly prefix: string;
  /** Default: our address on each session ("next-hop-self"). */
  readonly nextHop?: string;
  readonly origin?: Origin;
  /** ASNs after ours (ours is prepended toward eBGP peers). */
  readonly asPath?: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly extendedCommunities?: readonly Uint8Array[];
}

/** The attributes of a local route (next hop, MED and LOCAL_PREF as given). */
export function localAttributes(r: LocalRoute): PathAttributes {
  return {
    origin: r.origin ?? 0,
    asPath:
      r.asPath === undefined || r.asPath.length === 0
        ? []
        : [{ type: AsPathSegmentType.AsSequence, asns: [...r.asPath] }],
    ...(r.nextHop === undefined ? {} : { nextHop: r.nextHop }),
    ...(r.med === undefined ? {} : { med: r.med }),
    ...(r.localPref === undefined ? {} : { localPref: r.localPref }),
    ...(r.communities === undefined || r.communities.length === 0 ? {} : { communities: [...r.communities] }),
    ...(r.largeCommunities === undefined || r.largeCommunities.length === 0
      ? {}
      : { largeCommunities: [...r.largeCommunities] }),
    ...(r.extendedCommunities === undefined || r.extendedCommunities.length === 0
      ? {}
      : { extendedCommunities: [...r.extendedCommunities] }),
  };
}

/** The same route, field for field. */
export function sameRoute(a: LocalRoute, b: LocalRoute): boolean {
  return JSON.stringify(a, bytesAsArrays) === JSON.stringify(b, bytesAsArrays);
}

function bytesAsArrays(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? [...v] : v;
}
