/**
 * MULTI_EXIT_DISC (type 4), optional non-transitive. RFC 4271 §4.3 d,
 * §5.1.4; RFC 7606 §7.4: a length other than 4 is malformed, handled as
 * treat-as-withdraw.
 *
 *     +-------------------------------+
 *     | MED (4 octets, unsigned)      |
 *     +-------------------------------+
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIs } from "./types.js";

export const medCodec: AttributeCodec = {
  type: AttrType.MultiExitDisc,
  name: "MULTI_EXIT_DISC",
  flags: AttrFlag.Optional,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_MULTI_EXIT_DISC",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIs(4, start, end);
    if (bad) return bad;
    out.attrs.med = readU32(buf, start);
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.med === undefined) return;
    const m = w.begin(AttrFlag.Optional, AttrType.MultiExitDisc);
    w.u32(attrs.med);
    w.end(m);
  },
};
