/**
 * LARGE_COMMUNITY (type 32), optional transitive. RFC 8092 §3, §6: a length
 * that is not a non-zero multiple of 12 is malformed, treat-as-withdraw.
 * Text form "4200000001:1:2" (RFC 8195).
 *
 *     +-------------------------------+
 *     | Global Administrator (4)      |
 *     +-------------------------------+
 *     | Local Data Part 1 (4)         |   repeated
 *     +-------------------------------+
 *     | Local Data Part 2 (4)         |
 *     +-------------------------------+
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import type { LargeCommunity } from "../messages.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIsMultiple } from "./types.js";

const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/** Parses "a:b:c" (each 0..4294967295). Throws RangeError. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.trim());
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (parts.length !== 3 || parts.some((n) => n > 0xffffffff))
    throw new RangeError(`not a large community: ${JSON.stringify(text)}`);
  return { globalAdmin: parts[0]!, localData1: parts[1]!, localData2: parts[2]! };
}

export const largeCommunitiesCodec: AttributeCodec = {
  type: AttrType.LargeCommunity,
  name: "LARGE_COMMUNITY",
  flags: optionalTransitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_LARGE_COMMUNITY",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIsMultiple(12, start, end);
    if (bad) return bad;
    const list: LargeCommunity[] = [];
    for (let p = start; p < end; p += 12)
      list.push({
        globalAdmin: readU32(buf, p),
        localData1: readU32(buf, p + 4),
        localData2: readU32(buf, p + 8),
      });
    out.attrs.largeCommunities = list;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    const list = attrs.largeCommunities;
    if (list === undefined || list.length === 0) return;
    const m = w.begin(optionalTransitive, AttrType.LargeCommunity);
    for (const c of list) {
      w.u32(c.globalAdmin);
      w.u32(c.localData1);
      w.u32(c.localData2);
    }
    w.end(m);
  },
};
