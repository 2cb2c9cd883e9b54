/**
 * AS_PATH (type 2), well-known mandatory. RFC 4271 §4.3 b, §5.1.2; RFC 6793
 * §4 (2- or 4-octet ASNs per session); RFC 5065 (confederation segments);
 * RFC 7606 §7.2 and RFC 7607 (AS 0): malformed -> treat-as-withdraw.
 *
 *     +--------------+---------------+------------------------------+
 *     | Segment Type | Segment Length| ASN x Length (2 or 4 octets)  |   repeated
 *     | 1 SET 2 SEQ  | (in ASNs)     |                              |
 *     | 3 CONFED_SEQ | 1..255        |                              |
 *     | 4 CONFED_SET |               |                              |
 *     +--------------+---------------+------------------------------+
 *
 * A segment is malformed (RFC 7606 §7.2) when its type is unknown, its
 * length is zero, it overruns the attribute, or a single octet is left after
 * the last segment. A sequence longer than 255 ASNs is split into 255-ASN
 * segments on encode, and on decode a full (255) AS_SEQUENCE or
 * AS_CONFED_SEQUENCE segment followed by one of the same type is read as
 * one: so such a path decodes back to what was encoded, and every other
 * segmentation is kept as received.
 * On a 2-octet session an ASN above 65535 is written as AS_TRANS and the
 * AS4_PATH row (as4.ts) carries the real path.
 */
import { AsPathSegmentType, AsTrans, AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import type { AsPathSegment } from "../messages.js";
import type { ByteWriter } from "./bytes.js";
import { type AttributeCodec, type Malformed, malformed } from "./types.js";

const maxSegmentLength = 255;

export function isConfedSegment(type: number): boolean {
  return type === AsPathSegmentType.AsConfedSequence || type === AsPathSegmentType.AsConfedSet;
}

/** Reads segments of `asnSize`-octet ASNs from `buf[start, end)`. */
export function decodeSegments(
  buf: Uint8Array,
  start: number,
  end: number,
  asnSize: 2 | 4,
): AsPathSegment[] | Malformed {
  const out: { type: AsPathSegmentType; asns: number[] }[] = [];
  let previousCount = 0;
  let p = start;
  while (p < end) {
    if (end - p < 2) return malformed("one octet left after the last segment");
    const type = buf[p]!;
    const count = buf[p + 1]!;
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.AsConfedSet)
      return malformed(`unknown segment type ${type}`);
    if (count === 0) return malformed("segment of length zero");
    p += 2;
    if (p + count * asnSize > end) return malformed(`segment of ${count} ASNs overruns the attribute`);
    const last = out[out.length - 1];
    const joins =
      last !== undefined && last.type === type && previousCount === maxSegmentLength && isSequence(type);
    previousCount = count;
    const asns = joins ? last.asns : [];
    for (let i = 0; i < count; i++, p += asnSize) {
      const asn =
        asnSize === 2
          ? (buf[p]! << 8) | buf[p + 1]!
          : ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      if (asn === 0) return malformed("AS 0 in the path (RFC 7607)");
      asns.push(asn);
    }
    if (!joins) out.push({ type: type as AsPathSegmentType, asns });
  }
  return out;
}

function isSequence(type: number): boolean {
  return type === AsPathSegmentType.AsSequence || type === AsPathSegmentType.AsConfedSequence;
}

/** `head` then `tail`, the sequence segments where they meet joined into one. */
export function concatPaths(head: readonly AsPathSegment[], tail: readonly AsPathSegment[]): AsPathSegment[] {
  const last = head[head.length - 1];
  const first = tail[0];
  if (last === undefined || first === undefined || last.type !== first.type || !isSequence(last.type))
    return [...head, ...tail];
  return [...head.slice(0, -1), { type: last.type, asns: [...last.asns, ...first.asns] }, ...tail.slice(1)];
}

/**
 * Writes segments, splitting any longer than 255 ASNs into several of the
 * same type. With `asnSize` 2, ASNs above 65535 become AS_TRANS (RFC 6793 §4.2.2).
 */
export function encodeSegments(
  w: ByteWriter,
  segments: readonly AsPathSegment[],
  asnSize: 2 | 4,
  skipConfed = false,
): void {
  for (const seg of segments) {
    if (skipConfed && isConfedSegment(seg.type)) continue;
    const asns = seg.asns;
    for (let from = 0; from < asns.length; from += maxSegmentLength) {
      const to = Math.min(asns.length, from + maxSegmentLength);
      w.u8(seg.type);
      w.u8(to - from);
      for (let i = from; i < to; i++) {
        const asn = asns[i]!;
        if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new RangeError(`bad ASN ${asn}`);
        if (asnSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AsTrans : asn);
      }
    }
  }
}

/** RFC 4271 §9.1.2.2 a / RFC 6793 §4.2.3: a SET counts 1, confederation segments 0. */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

export function hasWideAsn(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments) for (const a of s.asns) if (a > 0xffff) return true;
  return false;
}

export const asPathCodec: AttributeCodec = {
  type: AttrType.AsPath,
  name: "AS_PATH",
  flags: AttrFlag.Transitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.MalformedAsPath,
  code: "ERR_BGP_UPDATE_MALFORMED_AS_PATH",
  decode(buf, start, end, ctx, out) {
    const segs = decodeSegments(buf, start, end, ctx.fourOctetAs ? 4 : 2);
    if (!Array.isArray(segs)) return segs;
    out.attrs.asPath = segs;
    return undefined;
  },
  encode({ attrs }, ctx, w) {
    if (attrs.asPath === undefined) return;
    const m = w.begin(AttrFlag.Transitive, AttrType.AsPath);
    encodeSegments(w, attrs.asPath, ctx.fourOctetAs ? 4 : 2);
    w.end(m);
  },
};
