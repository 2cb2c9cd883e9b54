/**
 * AS4_PATH (type 17) and AS4_AGGREGATOR (type 18), optional transitive,
 * and the merge that turns them into the effective path. RFC 6793.
 *
 *     AS4_PATH:       segments as in AS_PATH, always 4-octet ASNs,
 *                     never confederation segments (§3)
 *     AS4_AGGREGATOR: +------------------+----------------------+
 *                     | AS (4 octets)    | IPv4 address (4)     |
 *                     +------------------+----------------------+
 *
 * Receive (§4.2.3), on a 2-octet session only: when AGGREGATOR holds an AS
 * other than AS_TRANS both AS4 attributes are ignored; otherwise
 * AS4_AGGREGATOR replaces AGGREGATOR, and when AS4_PATH is not longer than
 * AS_PATH the path is the leading (n2 - n4) ASNs of AS_PATH followed by
 * AS4_PATH (a longer AS4_PATH is ignored). On a 4-octet session the
 * attributes are discarded (§4.1). Malformed ones are discarded (§6,
 * RFC 7607).
 * Send (§4.2.2): on a 2-octet session, when an ASN needs 4 octets, AS_PATH
 * and AGGREGATOR carry AS_TRANS and these attributes carry the real values.
 */
import { AsPathSegmentType, AsTrans, AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import type { AsPathSegment } from "../messages.js";
import { formatIpv4 } from "../nlri.js";
import {
  concatPaths,
  decodeSegments,
  encodeSegments,
  hasWideAsn,
  isConfedSegment,
  pathLength,
} from "./as-path.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, type DecodeState, lengthIs, type Malformed, malformed } from "./types.js";

const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

function fromNewSpeaker(name: string): Malformed {
  return malformed(`${name} from a 4-octet-AS speaker is discarded (RFC 6793 §4.1)`, {
    code: "ERR_BGP_UPDATE_AS4_FROM_NEW_SPEAKER",
  });
}

export const as4PathCodec: AttributeCodec = {
  type: AttrType.As4Path,
  name: "AS4_PATH",
  flags: optionalTransitive,
  onMalformed: ErrorAction.AttributeDiscard,
  subcode: UpdateMessageSubcode.MalformedAsPath,
  code: "ERR_BGP_UPDATE_MALFORMED_AS4_PATH",
  decode(buf, start, end, ctx, out) {
    if (ctx.fourOctetAs) return fromNewSpeaker("AS4_PATH");
    const segs = decodeSegments(buf, start, end, 4);
    if (!Array.isArray(segs)) return segs;
    if (segs.some((s) => isConfedSegment(s.type))) return malformed("confederation segment in AS4_PATH");
    out.as4Path = segs;
    return undefined;
  },
  encode({ attrs }, ctx, w) {
    if (ctx.fourOctetAs || attrs.asPath === undefined || !hasWideAsn(attrs.asPath)) return;
    const m = w.begin(optionalTransitive, AttrType.As4Path);
    encodeSegments(w, attrs.asPath, 4, true);
    w.end(m);
  },
};

export const as4AggregatorCodec: AttributeCodec = {
  type: AttrType.As4Aggregator,
  name: "AS4_AGGREGATOR",
  flags: optionalTransitive,
  onMalformed: ErrorAction.AttributeDiscard,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_AS4_AGGREGATOR",
  decode(buf, start, end, ctx, out) {
    if (ctx.fourOctetAs) return fromNewSpeaker("AS4_AGGREGATOR");
    const bad = lengthIs(8, start, end);
    if (bad) return bad;
    const asn = readU32(buf, start);
    if (asn === 0) return malformed("AS 0 in AS4_AGGREGATOR (RFC 7607)");
    out.as4Aggregator = { asn, address: formatIpv4(readU32(buf, start + 4)) };
    return undefined;
  },
  encode({ attrs }, ctx, w) {
    const agg = attrs.aggregator;
    if (ctx.fourOctetAs || agg === undefined || agg.asn <= 0xffff) return;
    const m = w.begin(optionalTransitive, AttrType.As4Aggregator);
    w.u32(agg.asn);
    w.ipv4(agg.address);
    w.end(m);
  },
};

/** RFC 6793 §4.2.3: leading (n2 - n4) ASNs of AS_PATH, then AS4_PATH. */
export function mergeAsPath(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[],
): AsPathSegment[] {
  const n2 = pathLength(asPath);
  const n4 = pathLength(as4Path);
  if (n2 < n4) return [...asPath];
  let need = n2 - n4;
  const lead: AsPathSegment[] = [];
  for (const seg of asPath) {
    // A confederation segment counts 0 and goes along when it leads or
    // follows a segment that was taken.
    if (isConfedSegment(seg.type)) {
      lead.push(seg);
      continue;
    }
    if (need === 0) break;
    if (seg.type === AsPathSegmentType.AsSet) {
      lead.push(seg);
      need--;
      continue;
    }
    const take = Math.min(need, seg.asns.length);
    need -= take;
    if (take === seg.asns.length) {
      lead.push(seg);
    } else {
      lead.push({ type: seg.type, asns: seg.asns.slice(0, take) });
      break;
    }
  }
  // The ASNs taken from AS_PATH are prepended into AS4_PATH's leading sequence.
  return concatPaths(lead, as4Path);
}

/** Applies §4.2.3 to the decoded state of a 2-octet session. */
export function mergeAs4(state: DecodeState): void {
  const { attrs } = state;
  if (attrs.aggregator !== undefined && attrs.aggregator.asn !== AsTrans) return;
  if (state.as4Aggregator !== undefined && attrs.aggregator !== undefined)
    attrs.aggregator = state.as4Aggregator;
  if (state.as4Path !== undefined && attrs.asPath !== undefined)
    attrs.asPath = mergeAsPath(attrs.asPath, state.as4Path);
}
