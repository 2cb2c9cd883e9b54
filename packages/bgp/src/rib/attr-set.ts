/**
 * An interned attribute set: one immutable object shared by every path that
 * carries the same path attributes (attr-intern.ts hands them out).
 *
 *     UPDATE ──decode──> PathAttributes ──intern──> AttrSet ◄── Path, Path, ... (one per prefix)
 *                        (+ raw octets)               │
 *                                                     └──> decision inputs, computed once
 *
 * Besides the decoded attributes it keeps a canonical `key` (equal
 * attributes, equal key), the attribute octets as received when the decoder
 * had them (`raw`, passed on without re-encoding) and the values the decision
 * process reads (RFC 4271 §9.1.2.2, RFC 4456 §9), so comparing two paths
 * never walks an AS_PATH again.
 */
import {
  AsPathSegmentType,
  Origin,
  type PathAttributes,
  parseIpv4,
  WellKnownCommunity,
} from "../wire/index.js";

/**
 * RFC 4271 §9.1.2.2 c): neighborAS of a route the local AS originated (its
 * AS_PATH is empty, or starts with an AS_SET). No real ASN is negative.
 */
export const LocalNeighborAs = -1;

export interface AttrSetInit {
  readonly key: string;
  readonly attrs: PathAttributes;
  readonly raw?: Uint8Array | undefined;
  readonly rawFourOctetAs?: boolean | undefined;
  readonly linkLocalNextHop?: string | undefined;
  /** `raw` is ready to send as it is (made for sending, e.g. by reflectAttributes), not as received. */
  readonly wire?: boolean | undefined;
}

export class AttrSet {
  /** Canonical key: equal attributes (and next hops) give equal keys. */
  readonly key: string;
  /**
   * The attributes. For IPv6 (MP_REACH_NLRI) routes `nextHop` holds the
   * MP_REACH next hop, which is what `packUpdates` expects.
   */
  readonly attrs: PathAttributes;
  /**
   * Attribute octets as received (no MP attributes), or undefined when the
   * decoder had none (RFC 7606 issues) or they do not match `attrs`.
   */
  readonly raw: Uint8Array | undefined;
  /** The 4-octet-AS setting of the session `raw` came from: it fits only peers with the same. */
  readonly rawFourOctetAs: boolean | undefined;
  /** RFC 2545 §3 link-local next hop of an IPv6 route. */
  readonly linkLocalNextHop: string | undefined;
  /**
   * Attribute octets to SEND (no MP attributes; NEXT_HOP included for IPv4
   * unicast), equal to `raw`, when the set was made for sending from
   * received octets (a reflected route, RFC 4456 §8): the Adj-RIB-Out writes
   * them instead of encoding `attrs` again. Undefined for every other set
   * (received octets are never sent as they are: RFC 4271 §5 wants the
   * Partial bit on unknown transitive attributes passed on).
   */
  readonly wire: Uint8Array | undefined;
  /** References held by RIB entries; the interner frees the set at zero. */
  refs = 0;

  // --- decision inputs (decision.ts) ---
  /** LOCAL_PREF, or undefined when absent (the decision applies a default). */
  readonly localPref: number | undefined;
  /** RFC 4271 §9.1.2.2 a): AS_SET counts 1, confederation segments 0 (RFC 5065 §5.3). */
  readonly asPathLength: number;
  /** ORIGIN; a set without one (local routes built by hand) counts as INCOMPLETE. */
  readonly origin: number;
  /** MULTI_EXIT_DISC; RFC 4271 §9.1.2.2 c): a missing MED is the lowest value, 0. */
  readonly med: number;
  /** neighborAS for the MED rule, or LocalNeighborAs. */
  readonly neighborAs: number;
  /** ORIGINATOR_ID as a number (RFC 4456 §9), or undefined. */
  readonly originatorId: number | undefined;
  /** RFC 4456 §9: 0 when CLUSTER_LIST is absent. */
  readonly clusterListLength: number;
  /** RFC 1997 NO_ADVERTISE: not to be sent to any peer. */
  readonly noAdvertise: boolean;
  /** RFC 1997 NO_EXPORT / NO_EXPORT_SUBCONFED: not to be sent to eBGP peers. */
  readonly noExport: boolean;

  constructor(init: AttrSetInit) {
    const a = init.attrs;
    this.key = init.key;
    this.attrs = a;
    this.raw = init.raw;
    this.rawFourOctetAs = init.raw === undefined ? undefined : init.rawFourOctetAs;
    this.linkLocalNextHop = init.linkLocalNextHop;
    this.wire = init.wire === true ? init.raw : undefined;
    this.localPref = a.localPref;
    this.asPathLength = asPathLength(a);
    this.origin = a.origin ?? Origin.Incomplete;
    this.med = a.med ?? 0;
    this.neighborAs = neighborAs(a);
    this.originatorId = a.originatorId === undefined ? undefined : parseIpv4(a.originatorId);
    this.clusterListLength = a.clusterList?.length ?? 0;
    const communities = a.communities ?? [];
    this.noAdvertise = communities.includes(WellKnownCommunity.NoAdvertise);
    this.noExport =
      communities.includes(WellKnownCommunity.NoExport) ||
      communities.includes(WellKnownCommunity.NoExportSubconfed);
  }
}

function asPathLength(a: PathAttributes): number {
  let n = 0;
  for (const s of a.asPath ?? []) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

/**
 * RFC 4271 §9.1.2.2 c): the AS the route was learned from, i.e. the first
 * ASN of the path once confederation segments are skipped; the local AS when
 * the path is empty or starts with an AS_SET (an aggregate).
 */
function neighborAs(a: PathAttributes): number {
  for (const s of a.asPath ?? []) {
    if (s.type === AsPathSegmentType.AsConfedSequence || s.type === AsPathSegmentType.AsConfedSet) continue;
    if (s.type === AsPathSegmentType.AsSequence && s.asns.length > 0) return s.asns[0]!;
    return LocalNeighborAs;
  }
  return LocalNeighborAs;
}
