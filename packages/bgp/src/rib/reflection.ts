/**
 * Route reflection (RFC 4456) as pure rules.
 *
 * §6, which iBGP-learned routes go to which iBGP peers:
 *   - from a client: to every other client and to every non-client;
 *   - from a non-client: to every client only;
 *   - (eBGP-learned and local routes go to all, as without reflection).
 * As a courtesy beyond §6 a route is not reflected to the peer whose BGP
 * Identifier is its ORIGINATOR_ID: that peer would drop it anyway (§8).
 *
 * §8, attributes when reflecting: ORIGINATOR_ID is set to the BGP
 * Identifier of the peer the route came from, unless already present; our
 * CLUSTER_ID is prepended to CLUSTER_LIST. NEXT_HOP and the rest are left
 * alone.
 *
 * §8, loop prevention on receipt: a route whose ORIGINATOR_ID is our router
 * ID, or whose CLUSTER_LIST holds our CLUSTER_ID, is dropped. The same
 * ORIGINATOR_ID check protects a client from reflectors (FRR among them)
 * that send a client's own route back to it.
 */
import type { PathAttributes } from "../wire/index.js";
import type { Path, PeerRef } from "./path.js";
import { type ImportPolicy, type ReflectionRule, reject } from "./policy.js";

/** The §6 rule as the export hook of policy.ts. */
export const reflectionRule: ReflectionRule = (path: Path, to: PeerRef): boolean => {
  const from = path.peer;
  if (!from.rrClient && !to.rrClient) return false;
  const originator = path.attrs.originatorId;
  return originator === undefined || originator !== to.bgpIdValue;
};

/** §8: the attributes of an iBGP-learned route reflected to another iBGP peer. */
export function reflectedAttributes(attrs: PathAttributes, from: PeerRef, clusterId: string): PathAttributes {
  return {
    ...attrs,
    originatorId: attrs.originatorId ?? from.bgpId,
    clusterList: [clusterId, ...(attrs.clusterList ?? [])],
  };
}

/** §8 loop check: true when the route must be dropped. */
export function isReflectionLoop(
  attrs: PathAttributes,
  routerId: string,
  clusterId: string | undefined,
): boolean {
  if (attrs.originatorId === routerId) return true;
  return clusterId !== undefined && (attrs.clusterList ?? []).includes(clusterId);
}

/** Wraps an import policy with the §8 loop check. */
export function withReflectionLoopCheck(
  policy: ImportPolicy,
  routerId: string,
  clusterId: string | undefined,
): ImportPolicy {
  return (route, from) => (isReflectionLoop(route.attrs, routerId, clusterId) ? reject : policy(route, from));
}
