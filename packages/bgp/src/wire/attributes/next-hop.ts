/**
 * NEXT_HOP (type 3), well-known; mandatory only when the UPDATE carries
 * IPv4 NLRI in its NLRI field (RFC 4760 §3 makes it unnecessary for MP_REACH
 * routes). RFC 4271 §4.3 c, §5.1.3; RFC 7606 §7.3: a length other than 4 is
 * malformed, handled as treat-as-withdraw. Semantic checks (our own address,
 * martians) are the session's business, not the codec's.
 *
 *     +-------------------------------+
 *     | IPv4 address (4 octets)       |
 *     +-------------------------------+
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { formatIpv4 } from "../nlri.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIs } from "./types.js";

export const nextHopCodec: AttributeCodec = {
  type: AttrType.NextHop,
  name: "NEXT_HOP",
  flags: AttrFlag.Transitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.InvalidNextHopAttribute,
  code: "ERR_BGP_UPDATE_MALFORMED_NEXT_HOP",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIs(4, start, end);
    if (bad) return bad;
    out.attrs.nextHop = formatIpv4(readU32(buf, start));
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    // An IPv6 next hop belongs in MP_REACH_NLRI; w.ipv4 rejects it (RangeError).
    if (attrs.nextHop === undefined) return;
    const m = w.begin(AttrFlag.Transitive, AttrType.NextHop);
    w.ipv4(attrs.nextHop);
    w.end(m);
  },
};
