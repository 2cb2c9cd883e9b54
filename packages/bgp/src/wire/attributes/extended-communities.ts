/**
 * EXTENDED_COMMUNITIES (type 16), optional transitive. RFC 4360 §2;
 * RFC 7606 §7.14: a length of zero or not a multiple of 8 is malformed,
 * treat-as-withdraw. Each community is kept as its 8 raw octets.
 *
 *     +---------------+---------------+-------------------------------+
 *     | Type high     | Type low (or  | Value (6 or 7 octets)         |   repeated
 *     |               |  value)       |                               |
 *     +---------------+---------------+-------------------------------+
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { type AttributeCodec, lengthIsMultiple } from "./types.js";

const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

export const extendedCommunitiesCodec: AttributeCodec = {
  type: AttrType.ExtendedCommunities,
  name: "EXTENDED_COMMUNITIES",
  flags: optionalTransitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_EXTENDED_COMMUNITIES",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIsMultiple(8, start, end);
    if (bad) return bad;
    const list: Uint8Array[] = [];
    // Copies: a decoded message must not pin the receive buffer.
    for (let p = start; p < end; p += 8) list.push(buf.slice(p, p + 8));
    out.attrs.extendedCommunities = list;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    const list = attrs.extendedCommunities;
    if (list === undefined || list.length === 0) return;
    const m = w.begin(optionalTransitive, AttrType.ExtendedCommunities);
    for (const c of list) {
      if (c.length !== 8) throw new RangeError(`extended community of ${c.length} octets`);
      w.bytes(c);
    }
    w.end(m);
  },
};
