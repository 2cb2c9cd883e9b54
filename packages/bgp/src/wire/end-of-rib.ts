/**
 * End-of-RIB markers. RFC 4724 §2: for IPv4 unicast, an UPDATE with no
 * withdrawn routes, no attributes and no NLRI (23 octets); for any other
 * family, an UPDATE whose only attribute is an MP_UNREACH_NLRI of that
 * family with no withdrawn routes.
 *
 *     IPv4 unicast:  header | 0000 (withdrawn) | 0000 (attributes)
 *     other:         header | 0000 | 0006 | 80 0f 03 AFI(2) SAFI(1)
 */
import { Afi, MessageType, Safi } from "./constants.js";
import type { AfiSafi, UpdateMessage } from "./messages.js";
import { emptyNlri } from "./nlri.js";

/** The End-of-RIB UPDATE for a family (encode it with encodeUpdate). */
export function endOfRib(afi: Afi, safi: Safi): UpdateMessage {
  const base = {
    type: MessageType.Update,
    withdrawn: emptyNlri(Afi.Ipv4),
    attributes: {},
    nlri: emptyNlri(Afi.Ipv4),
  } as const;
  if (afi === Afi.Ipv4 && safi === Safi.Unicast) return base;
  return { ...base, mpUnreach: { afi, safi, nlri: emptyNlri(afi) } };
}

/** The family an UPDATE marks the end of, or null when it is not an End-of-RIB. */
export function isEndOfRib(update: UpdateMessage): AfiSafi | null {
  if (update.withdrawn.count !== 0 || update.nlri.count !== 0 || update.mpReach !== undefined) return null;
  if (update.issues !== undefined && update.issues.length > 0) return null;
  if (Object.keys(update.attributes).length !== 0) return null;
  const u = update.mpUnreach;
  if (u === undefined) return { afi: Afi.Ipv4, safi: Safi.Unicast };
  return u.nlri.count === 0 ? { afi: u.afi, safi: u.safi } : null;
}
