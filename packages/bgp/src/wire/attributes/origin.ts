/**
 * ORIGIN (type 1), well-known mandatory. RFC 4271 §4.3 a, §5.1.1;
 * RFC 7606 §7.1: length other than 1 or an undefined value is malformed,
 * handled as treat-as-withdraw.
 *
 *     +---------------+
 *     | 0 IGP / 1 EGP |
 *     | 2 INCOMPLETE  |   1 octet
 *     +---------------+
 */
import { AttrFlag, AttrType, Origin, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { type AttributeCodec, lengthIs, malformed } from "./types.js";

export const originCodec: AttributeCodec = {
  type: AttrType.Origin,
  name: "ORIGIN",
  flags: AttrFlag.Transitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.InvalidOriginAttribute,
  code: "ERR_BGP_UPDATE_MALFORMED_ORIGIN",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIs(1, start, end);
    if (bad) return bad;
    const v = buf[start]!;
    if (v > Origin.Incomplete) return malformed(`undefined ORIGIN value ${v}`);
    out.attrs.origin = v as Origin;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.origin === undefined) return;
    const m = w.begin(AttrFlag.Transitive, AttrType.Origin);
    w.u8(attrs.origin);
    w.end(m);
  },
};
