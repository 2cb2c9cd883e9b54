/**
 * Update packing: many prefixes that share one attribute set go into as few
 * UPDATEs as the negotiated maximum allows (4096 octets, or 65535 with
 * RFC 8654 extended messages), each filled exactly up to the limit.
 *
 *     attrs ──encode once──> A                      (shared by every message)
 *     IPv4 unicast:  [hdr][0000][len A][A][NLRI e_i .. e_j]          <= max
 *     MP families:   [hdr][0000][len][MP_REACH(afi safi nh | e_i .. e_j)][A]
 *     withdrawals:   [hdr][len][e_i .. e_j][0000]                     (IPv4)
 *                    [hdr][0000][len][MP_UNREACH(afi safi | e_i .. e_j)]
 *
 * IPv4 unicast prefixes go in the NLRI field with NEXT_HOP (RFC 4271 §4.3);
 * IPv6 prefixes, IPv4 prefixes with an IPv6 next hop (RFC 8950) and other
 * SAFIs go in one MP_REACH_NLRI per message, first among the attributes
 * (RFC 7606 §5.1), without a NEXT_HOP attribute (RFC 4760 §3). Path
 * identifiers are written when ctx.addPathSend holds the family (RFC 7911).
 * No object per prefix: sizes are read straight from the NlriList words.
 */

import { ByteWriter } from "./attributes/bytes.js";
import { encodeAttributes } from "./attributes/encode-attributes.js";
import { writeMpNextHop } from "./attributes/mp-reach.js";
import { Afi, AttrFlag, AttrType, Header, MessageType, Safi } from "./constants.js";
import { type CodecContext, familyKey, maxMessageLength } from "./context.js";
import { writeHeader } from "./header.js";
import type { PathAttributes } from "./messages.js";
import { encodeNlri, type NlriList, strideOf, withAddPath } from "./nlri.js";

export interface PackOptions {
  /**
   * Next hop for prefixes sent in MP_REACH_NLRI. Defaults to
   * `attrs.nextHop`. An IPv6 next hop for IPv4 prefixes sends them in
   * MP_REACH_NLRI (RFC 8950; the peer must have negotiated it).
   */
  readonly nextHop?: string;
  /** RFC 2545 §3: link-local next hop, making the next-hop field 32 octets. */
  readonly linkLocalNextHop?: string;
  /** Default unicast. */
  readonly safi?: Safi;
  /**
   * The attribute octets to write instead of encoding `attrs` (no MP
   * attributes; with NEXT_HOP exactly when the prefixes go in the NLRI
   * field). The caller vouches that they say what `attrs` says for this
   * context, e.g. received octets passed through reflectAttributes.
   */
  readonly encodedAttributes?: Uint8Array | undefined;
}

/** Octets of the run of entries [from, to) taken by the last call to `fill`. */
let filled = 0;

/** How far from `from` entries fit in `budget` octets (the end index). */
function fill(list: NlriList, from: number, budget: number): number {
  const stride = strideOf(list.afi);
  const words = list.words;
  const extra = list.addPath ? 5 : 1;
  let used = 0;
  let i = from;
  for (let w = from * stride + stride - 1; i < list.count; i++, w += stride) {
    const len = extra + ((words[w]! + 7) >>> 3);
    if (used + len > budget) break;
    used += len;
  }
  filled = used;
  return i;
}

function tooBig(what: string): RangeError {
  return new RangeError(`${what} does not fit in one UPDATE`);
}

/** One message per run of entries; `layout` writes the body around the run. */
function pack(
  list: NlriList,
  max: number,
  fixed: number,
  mpValueFixed: number | undefined,
  build: (from: number, to: number, nlriOctets: number, mpHeader: number) => Uint8Array,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let from = 0; from < list.count; ) {
    let mpHeader = 0;
    let to: number;
    if (mpValueFixed === undefined) {
      to = fill(list, from, max - fixed);
    } else {
      // Assume a 4-octet attribute header; a short value may take the 3-octet one.
      mpHeader = 4;
      to = fill(list, from, max - fixed - 4 - mpValueFixed);
      if (mpValueFixed + filled <= 0xff) {
        mpHeader = 3;
        const more = filled;
        const budget = Math.min(max - fixed - 3 - mpValueFixed, 0xff - mpValueFixed) - more;
        to = fill(list, to, budget);
        filled += more;
      }
    }
    if (to === from) throw tooBig("a prefix together with the attributes");
    out.push(build(from, to, filled, mpHeader));
    from = to;
  }
  return out;
}

/**
 * Encodes `attrs` once and packs every prefix of `nlri` into UPDATEs of at
 * most the negotiated size. Returns no message for an empty list. Throws
 * RangeError when the attributes (or a next hop) cannot be encoded or leave
 * no room for a prefix.
 */
export function packUpdates(
  attrs: PathAttributes,
  nlri: NlriList,
  ctx: CodecContext,
  opts: PackOptions = {},
): Uint8Array[] {
  if (nlri.count === 0) return [];
  const safi = opts.safi ?? Safi.Unicast;
  const max = maxMessageLength(ctx);
  const list = withAddPath(nlri, ctx.addPathSend.has(familyKey(nlri.afi, safi)));
  const nextHop = opts.nextHop ?? attrs.nextHop;
  const viaMp = nlri.afi !== Afi.Ipv4 || safi !== Safi.Unicast || (nextHop?.includes(":") ?? false);

  if (!viaMp) {
    const a = opts.encodedAttributes ?? encodeAttributes(attrs, ctx);
    const fixed = Header.length + 4 + a.length;
    if (fixed > max) throw tooBig("the attribute set");
    return pack(list, max, fixed, undefined, (from, to, octets) => {
      const out = new Uint8Array(fixed + octets);
      writeHeader(out, 0, out.length, MessageType.Update);
      out[21] = a.length >>> 8;
      out[22] = a.length & 0xff;
      out.set(a, 23);
      encodeNlri(list, out, fixed, from, to);
      return out;
    });
  }

  if (nextHop === undefined) throw new RangeError("MP_REACH_NLRI needs a next hop (opts.nextHop)");
  const { nextHop: _sentInMp, ...rest } = attrs;
  const a = opts.encodedAttributes ?? encodeAttributes(rest, ctx);
  const hw = new ByteWriter(48);
  hw.u16(nlri.afi);
  hw.u8(safi);
  writeMpNextHop(hw, nlri.afi, nextHop, opts.linkLocalNextHop);
  hw.u8(0); // Reserved
  const mpHead = hw.finish();
  const fixed = Header.length + 4 + a.length;
  if (fixed + 4 + mpHead.length > max) throw tooBig("the attribute set");
  return pack(list, max, fixed, mpHead.length, (from, to, octets, mpHeader) => {
    const valueLength = mpHead.length + octets;
    const attrLength = mpHeader + valueLength + a.length;
    const out = new Uint8Array(Header.length + 4 + attrLength);
    writeHeader(out, 0, out.length, MessageType.Update);
    out[21] = attrLength >>> 8;
    out[22] = attrLength & 0xff;
    let p = 23 + writeAttrHeader(out, 23, AttrFlag.Optional, AttrType.MpReachNlri, valueLength);
    out.set(mpHead, p);
    p = encodeNlri(list, out, p + mpHead.length, from, to);
    out.set(a, p);
    return out;
  });
}

/**
 * Packs withdrawals: IPv4 unicast in the Withdrawn Routes field, anything
 * else in one MP_UNREACH_NLRI per message (RFC 4760 §4).
 */
export function packWithdrawals(
  nlri: NlriList,
  ctx: CodecContext,
  opts: Pick<PackOptions, "safi"> = {},
): Uint8Array[] {
  if (nlri.count === 0) return [];
  const safi = opts.safi ?? Safi.Unicast;
  const max = maxMessageLength(ctx);
  const list = withAddPath(nlri, ctx.addPathSend.has(familyKey(nlri.afi, safi)));
  const fixed = Header.length + 4;
  if (nlri.afi === Afi.Ipv4 && safi === Safi.Unicast) {
    return pack(list, max, fixed, undefined, (from, to, octets) => {
      const out = new Uint8Array(fixed + octets);
      writeHeader(out, 0, out.length, MessageType.Update);
      out[19] = octets >>> 8;
      out[20] = octets & 0xff;
      encodeNlri(list, out, 21, from, to);
      return out;
    });
  }
  return pack(list, max, fixed, 3, (from, to, octets, mpHeader) => {
    const valueLength = 3 + octets;
    const attrLength = mpHeader + valueLength;
    const out = new Uint8Array(fixed + attrLength);
    writeHeader(out, 0, out.length, MessageType.Update);
    out[21] = attrLength >>> 8;
    out[22] = attrLength & 0xff;
    const p = 23 + writeAttrHeader(out, 23, AttrFlag.Optional, AttrType.MpUnreachNlri, valueLength);
    out[p] = nlri.afi >>> 8;
    out[p + 1] = nlri.afi & 0xff;
    out[p + 2] = safi;
    encodeNlri(list, out, p + 3, from, to);
    return out;
  });
}

/** Writes flags/type/length (Extended Length only when needed); returns its size. */
function writeAttrHeader(out: Uint8Array, at: number, flags: number, type: number, length: number): number {
  out[at + 1] = type;
  if (length <= 0xff) {
    out[at] = flags;
    out[at + 2] = length;
    return 3;
  }
  out[at] = flags | AttrFlag.ExtendedLength;
  out[at + 2] = length >>> 8;
  out[at + 3] = length & 0xff;
  return 4;
}
