/**
 * The ROUTE-REFRESH message (RFC 2918 §3), with the Message Subtype that
 * RFC 7313 §3.2 puts in the formerly reserved octet: 0 a normal request,
 * 1 Beginning of Route Refresh (BoRR), 2 End of Route Refresh (EoRR).
 *
 *      0       7      15      23      31
 *      +-------+-------+-------+-------+
 *      |      AFI      | Subt. | SAFI  |
 *      +-------+-------+-------+-------+
 *
 * Always 4 octets after the 19-octet header. RFC 7313 §5: a ROUTE-REFRESH
 * with subtype 1 or 2 whose length is not 4 is answered with NOTIFICATION
 * "ROUTE-REFRESH Message Error" / "Invalid Message Length" whose data is
 * the complete message. Subtype 0 gets the same answer: only Outbound Route
 * Filtering (RFC 5291, not supported here) would lengthen it. Any other
 * subtype "MUST" be ignored by the receiver (also §5), so it decodes with its
 * number, whatever its length, and the session drops it.
 */
import { MessageType, RouteRefreshSubtype } from "./constants.js";
import { routeRefreshLengthError } from "./errors.js";
import { writeHeader } from "./header.js";
import type { RouteRefreshMessage } from "./messages.js";

/** Offsets into the whole message (header included). */
const At = { afi: 19, subtype: 21, safi: 22 } as const;
const RouteRefreshLength = 23;

function isDefinedSubtype(subtype: number): boolean {
  return (
    subtype === RouteRefreshSubtype.Normal ||
    subtype === RouteRefreshSubtype.BeginningOfRefresh ||
    subtype === RouteRefreshSubtype.EndOfRefresh
  );
}

/** Decodes one whole ROUTE-REFRESH (19-octet header included). Throws a RouteRefreshMessageError. */
export function decodeRouteRefresh(frame: Uint8Array): RouteRefreshMessage {
  if (frame.length < RouteRefreshLength) throw routeRefreshLengthError(frame.slice());
  const subtype = frame[At.subtype]!;
  if (frame.length !== RouteRefreshLength && isDefinedSubtype(subtype))
    throw routeRefreshLengthError(frame.slice());
  return {
    type: MessageType.RouteRefresh,
    afi: (frame[At.afi]! << 8) | frame[At.afi + 1]!,
    safi: frame[At.safi]!,
    subtype,
  };
}

/** Encodes a ROUTE-REFRESH. Throws a RangeError for an AFI over 65535 or a SAFI/subtype over 255. */
export function encodeRouteRefresh(msg: RouteRefreshMessage): Uint8Array {
  check("AFI", msg.afi, 0xffff);
  check("SAFI", msg.safi, 0xff);
  check("subtype", msg.subtype, 0xff);
  const out = new Uint8Array(RouteRefreshLength);
  writeHeader(out, 0, RouteRefreshLength, MessageType.RouteRefresh);
  out[At.afi] = msg.afi >>> 8;
  out[At.afi + 1] = msg.afi & 0xff;
  out[At.subtype] = msg.subtype;
  out[At.safi] = msg.safi;
  return out;
}

function check(what: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${what} ${n} is not in 0..${max}`);
}
