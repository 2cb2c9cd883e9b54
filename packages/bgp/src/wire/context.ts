/**
 * The per-session codec context: what the two OPENs negotiated that changes
 * how bytes are read and written (RFC 6793 4-octet AS, RFC 7911 ADD-PATH per
 * family and direction, RFC 8654 extended messages). The session layer builds
 * one immutable context from capability negotiation; until then (and for
 * OPEN/NOTIFICATION/KEEPALIVE) `defaultContext` applies.
 */
import { Afi, Header, type Safi } from "./constants.js";

/** A compact key for an AFI/SAFI pair: `afi << 8 | safi`. */
export type FamilyKey = number;
export function familyKey(afi: number, safi: Safi): FamilyKey {
  return (afi << 8) | safi;
}
export const Ipv4Unicast: FamilyKey = familyKey(Afi.Ipv4, 1);
export const Ipv6Unicast: FamilyKey = familyKey(Afi.Ipv6, 1);

export interface CodecContext {
  /** Both sides sent the 4-octet AS capability: AS_PATH/AGGREGATOR carry 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /** Families whose NLRI we RECEIVE with path identifiers (we said receive, peer said send). */
  readonly addPathReceive: ReadonlySet<FamilyKey>;
  /** Families whose NLRI we SEND with path identifiers (we said send, peer said receive). */
  readonly addPathSend: ReadonlySet<FamilyKey>;
  /** RFC 8654 negotiated: messages (other than OPEN/KEEPALIVE) may be up to 65535 octets. */
  readonly extendedMessage: boolean;
}

export const defaultContext: CodecContext = Object.freeze({
  fourOctetAs: false,
  addPathReceive: new Set<FamilyKey>(),
  addPathSend: new Set<FamilyKey>(),
  extendedMessage: false,
});

export function makeContext(partial: Partial<CodecContext>): CodecContext {
  return Object.freeze({ ...defaultContext, ...partial });
}

/** The largest message this context allows. */
export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? Header.maxExtendedMessageLength : Header.maxMessageLength;
}

/**
 * The context a peer sees: our send set is its receive set. Useful for
 * tests and for decoding what we encode.
 */
export function mirrorContext(ctx: CodecContext): CodecContext {
  return makeContext({ ...ctx, addPathReceive: ctx.addPathSend, addPathSend: ctx.addPathReceive });
}
