/**
 * The attributes a route is sent with (RFC 4271 §5.1, RFC 4456 §8), as pure
 * functions of the route, the target's class and our session addresses.
 *
 * To an eBGP peer our AS is prepended, NEXT_HOP becomes our session address
 * (unless a local route names its own), LOCAL_PREF, a received MED,
 * ORIGINATOR_ID and CLUSTER_LIST are not sent; to an iBGP peer LOCAL_PREF is
 * always present (default 100) and the NEXT_HOP of a received route is left
 * alone. Unknown optional attributes of a received route are passed on as
 * RFC 4271 §5 says (transitive ones with the Partial bit, others dropped).
 *
 * A route reflected unchanged (iBGP to iBGP through a reflector, LOCAL_PREF
 * present, no policy change) is also given its outgoing attribute octets,
 * made from the received octets by the codec's reflectAttributes: only
 * ORIGINATOR_ID and CLUSTER_LIST change, everything else is copied octet for
 * octet instead of being encoded again.
 */
import type { Path, PeerRef } from "../rib/path.js";
import { reflectedAttributes } from "../rib/reflection.js";
import {
  Afi,
  type AsPathSegment,
  AsPathSegmentType,
  type PathAttributes,
  passOnUnknown,
  reflectAttributes,
} from "../wire/index.js";

const DefaultLocalPref = 100;

export interface RewriteTarget {
  readonly to: PeerRef;
  /** Our addresses on the session(s), for next-hop-self. */
  readonly localIpv4?: string | undefined;
  readonly localIpv6?: string | undefined;
  readonly localAs: number;
  /** Set when we are a route reflector. */
  readonly clusterId?: string | undefined;
}

/** The attributes `path` goes out with (from `attrs`, its possibly policy-modified ones), or null. */
export function rewriteForExport(
  t: RewriteTarget,
  path: Path,
  attrs: PathAttributes,
  afi: Afi,
): PathAttributes | null {
  const to = t.to;
  const self = afi === Afi.Ipv4 ? t.localIpv4 : t.localIpv6;
  const local = path.peer.local;
  const passed = local ? attrs : passOnUnknown(attrs);
  const { localPref, med, originatorId: _o, clusterList: _c, nextHop, ...rest } = passed;
  let hop = nextHop;
  if (local && (hop === undefined || hop === "")) hop = self;
  if (!to.ibgp && !(local && nextHop !== undefined)) hop = self;
  if (hop === undefined) return null; // no usable next hop for this family on this session
  if (to.ibgp) {
    const out: PathAttributes = {
      ...rest,
      nextHop: hop,
      localPref: localPref ?? DefaultLocalPref,
      ...(med === undefined ? {} : { med }),
      ...(attrs.originatorId === undefined ? {} : { originatorId: attrs.originatorId }),
      ...(attrs.clusterList === undefined ? {} : { clusterList: attrs.clusterList }),
    };
    // RFC 4456 §8: an iBGP-learned route reflected to an iBGP peer.
    return t.clusterId !== undefined && path.peer.ibgp
      ? reflectedAttributes(out, path.peer, t.clusterId)
      : out;
  }
  return {
    ...rest,
    nextHop: hop,
    asPath: prepend(t.localAs, rest.asPath ?? []),
    ...(local && med !== undefined ? { med } : {}),
  };
}

/**
 * The outgoing octets of a route reflected unchanged, or undefined when the
 * route is not reflected, changes otherwise (a LOCAL_PREF to add) or came
 * without usable received octets. Call only for an unmodified (accepted) route.
 */
export function reflectedWire(t: RewriteTarget, path: Path): Uint8Array | undefined {
  const set = path.attrs;
  if (t.clusterId === undefined || !t.to.ibgp || !path.peer.ibgp || path.peer.local) return undefined;
  if (set.raw === undefined || set.localPref === undefined) return undefined;
  try {
    return reflectAttributes(set.raw, {
      originatorId: set.attrs.originatorId ?? path.peer.bgpId,
      clusterId: t.clusterId,
    });
  } catch {
    return undefined; // not well-formed octets: encode the decoded form instead
  }
}

function prepend(asn: number, path: readonly AsPathSegment[]): AsPathSegment[] {
  const first = path[0];
  if (first !== undefined && first.type === AsPathSegmentType.AsSequence && first.asns.length < 255) {
    return [{ type: AsPathSegmentType.AsSequence, asns: [asn, ...first.asns] }, ...path.slice(1)];
  }
  return [{ type: AsPathSegmentType.AsSequence, asns: [asn] }, ...path];
}
