/**
 * ATOMIC_AGGREGATE (type 6) and AGGREGATOR (type 7). RFC 4271 §4.3 f, g,
 * §5.1.6, §5.1.7; RFC 6793 §4 (4-octet ASN form); RFC 7606 §7.6, §7.7 and
 * RFC 7607: a malformed value is discarded (attribute-discard).
 *
 *     ATOMIC_AGGREGATE: no value (length 0)
 *
 *     AGGREGATOR:
 *     +---------------------------+------------------------+
 *     | Last AS (2 octets, or 4   | BGP speaker IPv4       |
 *     |  on a 4-octet session)    | address (4 octets)     |
 *     +---------------------------+------------------------+
 */
import { AsTrans, AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { formatIpv4 } from "../nlri.js";
import { readU16, readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIs, malformed } from "./types.js";

const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

export const atomicAggregateCodec: AttributeCodec = {
  type: AttrType.AtomicAggregate,
  name: "ATOMIC_AGGREGATE",
  flags: AttrFlag.Transitive,
  onMalformed: ErrorAction.AttributeDiscard,
  subcode: UpdateMessageSubcode.AttributeLengthError,
  code: "ERR_BGP_UPDATE_MALFORMED_ATOMIC_AGGREGATE",
  decode(_buf, start, end, _ctx, out) {
    const bad = lengthIs(0, start, end);
    if (bad) return bad;
    out.attrs.atomicAggregate = true;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.atomicAggregate !== true) return;
    w.end(w.begin(AttrFlag.Transitive, AttrType.AtomicAggregate));
  },
};

export const aggregatorCodec: AttributeCodec = {
  type: AttrType.Aggregator,
  name: "AGGREGATOR",
  flags: optionalTransitive,
  onMalformed: ErrorAction.AttributeDiscard,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_AGGREGATOR",
  decode(buf, start, end, ctx, out) {
    const asnSize = ctx.fourOctetAs ? 4 : 2;
    const bad = lengthIs(asnSize + 4, start, end);
    if (bad) return bad;
    const asn = asnSize === 4 ? readU32(buf, start) : readU16(buf, start);
    if (asn === 0) return malformed("AS 0 in AGGREGATOR (RFC 7607)");
    out.attrs.aggregator = { asn, address: formatIpv4(readU32(buf, start + asnSize)) };
    return undefined;
  },
  encode({ attrs }, ctx, w) {
    const agg = attrs.aggregator;
    if (agg === undefined) return;
    const m = w.begin(optionalTransitive, AttrType.Aggregator);
    if (ctx.fourOctetAs) w.u32(agg.asn);
    else w.u16(agg.asn > 0xffff ? AsTrans : agg.asn);
    w.ipv4(agg.address);
    w.end(m);
  },
};
