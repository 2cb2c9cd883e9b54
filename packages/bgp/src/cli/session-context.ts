/**
 * The codec context of a captured session, derived from its two OPENs — just
 * enough capability negotiation for a decoder that watches from the side
 * (the fsm/ package will own the real negotiation):
 *
 * - RFC 6793 §3: 4-octet AS numbers when BOTH OPENs carry the capability;
 * - RFC 8654 §3: extended messages when BOTH carry it;
 * - RFC 7911 §5: NLRI of a family sent by S to R carry path identifiers when
 *   S advertised Send (2 or 3) and R advertised Receive (1 or 3) for it.
 *
 * `contextForSender(sender, receiver)` gives the context to decode the
 * messages `sender` sends, from the receiver's point of view (its
 * `addPathReceive` is what matters to a decoder).
 */
import { AddPathDirection } from "../wire/constants.js";
import type { CodecContext, FamilyKey } from "../wire/context.js";
import { familyKey, makeContext } from "../wire/context.js";
import type { Capability, OpenMessage } from "../wire/messages.js";

function has(open: OpenMessage, kind: Capability["kind"]): boolean {
  return open.capabilities.some((c) => c.kind === kind);
}

/** ADD-PATH directions an OPEN advertises, by family. Later entries override earlier ones. */
function addPathDirections(open: OpenMessage): Map<FamilyKey, number> {
  const out = new Map<FamilyKey, number>();
  for (const cap of open.capabilities) {
    if (cap.kind !== "add-path") continue;
    for (const f of cap.families) out.set(familyKey(f.afi, f.safi), f.direction);
  }
  return out;
}

function canSend(direction: number | undefined): boolean {
  return direction === AddPathDirection.Send || direction === AddPathDirection.Both;
}

function canReceive(direction: number | undefined): boolean {
  return direction === AddPathDirection.Receive || direction === AddPathDirection.Both;
}

/** Families whose NLRI `from` sends to `to` with path identifiers. */
export function addPathFamilies(from: OpenMessage, to: OpenMessage): Set<FamilyKey> {
  const sent = addPathDirections(from);
  const received = addPathDirections(to);
  const out = new Set<FamilyKey>();
  for (const [family, direction] of sent) {
    if (canSend(direction) && canReceive(received.get(family))) out.add(family);
  }
  return out;
}

/** The context for decoding what `sender` sends to `receiver`, as `receiver` decodes it. */
export function contextForSender(sender: OpenMessage, receiver: OpenMessage): CodecContext {
  return makeContext({
    fourOctetAs: has(sender, "four-octet-as") && has(receiver, "four-octet-as"),
    extendedMessage: has(sender, "extended-message") && has(receiver, "extended-message"),
    addPathReceive: addPathFamilies(sender, receiver),
    addPathSend: addPathFamilies(receiver, sender),
  });
}
