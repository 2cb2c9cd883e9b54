/**
 * LOCAL_PREF (type 5), well-known; sent on iBGP only. RFC 4271 §4.3 e,
 * §5.1.5; RFC 7606 §7.5: a length other than 4 is malformed, handled as
 * treat-as-withdraw. (§7.5 also says a LOCAL_PREF from an eBGP peer is
 * discarded; the codec does not know the peer type, the session does.)
 *
 *     +-------------------------------+
 *     | LOCAL_PREF (4 octets)         |
 *     +-------------------------------+
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIs } from "./types.js";

export const localPrefCodec: AttributeCodec = {
  type: AttrType.LocalPref,
  name: "LOCAL_PREF",
  flags: AttrFlag.Transitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.AttributeLengthError,
  code: "ERR_BGP_UPDATE_MALFORMED_LOCAL_PREF",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIs(4, start, end);
    if (bad) return bad;
    out.attrs.localPref = readU32(buf, start);
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.localPref === undefined) return;
    const m = w.begin(AttrFlag.Transitive, AttrType.LocalPref);
    w.u32(attrs.localPref);
    w.end(m);
  },
};
