/**
 * MP_REACH_NLRI (type 14), optional non-transitive. RFC 4760 §3; next hops
 * per RFC 2545 §3 (IPv6: 16 octets global, or 32 = global + link-local) and
 * RFC 8950 §3 (IPv4 NLRI with a 16- or 32-octet IPv6 next hop); NLRI with
 * path identifiers per RFC 7911 when ADD-PATH receive is on for the family.
 *
 *     +---------------------------------------------------------+
 *     | Address Family Identifier (2 octets)                    |
 *     | Subsequent Address Family Identifier (1 octet)          |
 *     | Length of Next Hop Network Address (1 octet)            |
 *     | Network Address of Next Hop (variable)                  |
 *     | Reserved (1 octet)                                      |
 *     | Network Layer Reachability Information (variable)       |
 *     +---------------------------------------------------------+
 *
 * RFC 7606 §7.11 / RFC 4760 §7: a malformed MP attribute disables its
 * AFI/SAFI (the UPDATE decoder escalates to session reset when not even the
 * AFI/SAFI can be read); a family this codec cannot parse is reported the
 * same way.
 */
import { Afi, AttrFlag, AttrType, Safi, UpdateMessageSubcode } from "../constants.js";
import { familyKey } from "../context.js";
import { ErrorAction } from "../errors.js";
import type { MpReach } from "../messages.js";
import {
  decodeNlri,
  encodeNlri,
  formatIpv4,
  formatIpv6,
  type NlriList,
  NlriSyntaxError,
  nlriLength,
  withAddPath,
} from "../nlri.js";
import { type ByteWriter, readU16, readU32 } from "./bytes.js";
import { type AttributeCodec, type Malformed, malformed } from "./types.js";

/** AFI/SAFI pairs whose NLRI this codec reads (multicast NLRI are encoded as unicast ones). */
export function isSupportedFamily(afi: number, safi: number): afi is Afi {
  return (afi === Afi.Ipv4 || afi === Afi.Ipv6) && (safi === Safi.Unicast || safi === Safi.Multicast);
}

export function unsupportedFamily(afi: number, safi: number): Malformed {
  return malformed(`AFI ${afi} SAFI ${safi} is not supported`, { code: "ERR_BGP_UPDATE_UNSUPPORTED_FAMILY" });
}

/** Reads `buf[start, end)` as NLRI of `afi`, or says why it cannot (RFC 7606 §5.3). */
export function decodeMpNlri(
  buf: Uint8Array,
  start: number,
  end: number,
  afi: Afi,
  addPath: boolean,
): NlriList | Malformed {
  try {
    return decodeNlri(buf, start, end, afi, addPath);
  } catch (e) {
    if (e instanceof NlriSyntaxError) return malformed(`NLRI: ${e.message}`);
    throw e;
  }
}

/** Next-hop octets (RFC 2545 §3, RFC 8950 §3) for `afi`'s NLRI. Throws RangeError. */
export function writeMpNextHop(w: ByteWriter, afi: Afi, nextHop: string, linkLocal?: string): void {
  const v6 = nextHop.includes(":");
  if (afi === Afi.Ipv6 && !v6) throw new RangeError(`IPv6 NLRI need an IPv6 next hop, not ${nextHop}`);
  if (!v6) {
    if (linkLocal !== undefined) throw new RangeError("a link-local next hop needs an IPv6 next hop");
    w.u8(4);
    w.ipv4(nextHop);
    return;
  }
  w.u8(linkLocal === undefined ? 16 : 32);
  w.ipv6(nextHop);
  if (linkLocal !== undefined) w.ipv6(linkLocal);
}

export const mpReachCodec: AttributeCodec = {
  type: AttrType.MpReachNlri,
  name: "MP_REACH_NLRI",
  flags: AttrFlag.Optional,
  onMalformed: ErrorAction.AfiSafiDisable,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_MP_REACH_NLRI",
  decode(buf, start, end, ctx, out) {
    if (end - start < 5) return malformed(`length ${end - start} is shorter than 5`);
    const afi = readU16(buf, start);
    const safi = buf[start + 2]!;
    if (!isSupportedFamily(afi, safi)) return unsupportedFamily(afi, safi);
    const nhLen = buf[start + 3]!;
    const nh = start + 4;
    if (nh + nhLen + 1 > end) return malformed(`next hop length ${nhLen} overruns the attribute`);
    const okLength = nhLen === 16 || nhLen === 32 || (afi === Afi.Ipv4 && nhLen === 4);
    if (!okLength) return malformed(`next hop length ${nhLen} is not valid for AFI ${afi}`);
    // Reserved octet at nh + nhLen: "SHOULD be ignored upon receipt" (RFC 4760 §3).
    const nlri = decodeMpNlri(buf, nh + nhLen + 1, end, afi, ctx.addPathReceive.has(familyKey(afi, safi)));
    if (!("words" in nlri)) return nlri;
    const nextHop = nhLen === 4 ? formatIpv4(readU32(buf, nh)) : formatIpv6(buf, nh);
    out.mpReach =
      nhLen === 32
        ? { afi, safi, nextHop, linkLocalNextHop: formatIpv6(buf, nh + 16), nlri }
        : { afi, safi, nextHop, nlri };
    return undefined;
  },
  encode({ mpReach }, ctx, w) {
    if (mpReach === undefined) return;
    writeMpReach(w, mpReach, ctx.addPathSend.has(familyKey(mpReach.afi, mpReach.safi)));
  },
};

function writeMpReach(w: ByteWriter, r: MpReach, addPath: boolean): void {
  if (r.nlri.afi !== r.afi)
    throw new RangeError(`MP_REACH_NLRI of AFI ${r.afi} holds AFI ${r.nlri.afi} NLRI`);
  const m = w.begin(AttrFlag.Optional, AttrType.MpReachNlri);
  w.u16(r.afi);
  w.u8(r.safi);
  writeMpNextHop(w, r.afi, r.nextHop, r.linkLocalNextHop);
  w.u8(0);
  writeNlri(w, withAddPath(r.nlri, addPath));
  w.end(m);
}

/** Writes a whole NLRI list through the writer. */
export function writeNlri(w: ByteWriter, list: NlriList): void {
  const bytes = new Uint8Array(nlriLength(list));
  encodeNlri(list, bytes, 0);
  w.bytes(bytes);
}
