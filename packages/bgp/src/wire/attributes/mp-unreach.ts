/**
 * MP_UNREACH_NLRI (type 15), optional non-transitive. RFC 4760 §4; path
 * identifiers per RFC 7911 when ADD-PATH receive is on for the family. An
 * MP_UNREACH_NLRI with no withdrawn routes is an End-of-RIB marker
 * (RFC 4724 §2, see end-of-rib.ts).
 *
 *     +---------------------------------------------------------+
 *     | Address Family Identifier (2 octets)                    |
 *     | Subsequent Address Family Identifier (1 octet)          |
 *     | Withdrawn Routes (variable)                             |
 *     +---------------------------------------------------------+
 *
 * RFC 7606 §7.11: malformed -> AFI/SAFI disable (session reset when the
 * AFI/SAFI cannot be read).
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { familyKey } from "../context.js";
import { ErrorAction } from "../errors.js";
import { withAddPath } from "../nlri.js";
import { readU16 } from "./bytes.js";
import { decodeMpNlri, isSupportedFamily, unsupportedFamily, writeNlri } from "./mp-reach.js";
import { type AttributeCodec, malformed } from "./types.js";

export const mpUnreachCodec: AttributeCodec = {
  type: AttrType.MpUnreachNlri,
  name: "MP_UNREACH_NLRI",
  flags: AttrFlag.Optional,
  onMalformed: ErrorAction.AfiSafiDisable,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_MP_UNREACH_NLRI",
  decode(buf, start, end, ctx, out) {
    if (end - start < 3) return malformed(`length ${end - start} is shorter than 3`);
    const afi = readU16(buf, start);
    const safi = buf[start + 2]!;
    if (!isSupportedFamily(afi, safi)) return unsupportedFamily(afi, safi);
    const nlri = decodeMpNlri(buf, start + 3, end, afi, ctx.addPathReceive.has(familyKey(afi, safi)));
    if (!("words" in nlri)) return nlri;
    out.mpUnreach = { afi, safi, nlri };
    return undefined;
  },
  encode({ mpUnreach: u }, ctx, w) {
    if (u === undefined) return;
    if (u.nlri.afi !== u.afi)
      throw new RangeError(`MP_UNREACH_NLRI of AFI ${u.afi} holds AFI ${u.nlri.afi} NLRI`);
    const m = w.begin(AttrFlag.Optional, AttrType.MpUnreachNlri);
    w.u16(u.afi);
    w.u8(u.safi);
    writeNlri(w, withAddPath(u.nlri, ctx.addPathSend.has(familyKey(u.afi, u.safi))));
    w.end(m);
  },
};
