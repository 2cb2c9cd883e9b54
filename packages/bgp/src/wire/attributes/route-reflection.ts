/**
 * ORIGINATOR_ID (type 9) and CLUSTER_LIST (type 10), optional
 * non-transitive. RFC 4456 §8; RFC 7606 §7.9 (ORIGINATOR_ID length other
 * than 4) and §7.10 (CLUSTER_LIST length zero or not a multiple of 4):
 * treat-as-withdraw.
 *
 *     ORIGINATOR_ID:  +-------------------------------+
 *                     | BGP Identifier (4 octets)     |
 *                     +-------------------------------+
 *     CLUSTER_LIST:   +-------------------------------+
 *                     | CLUSTER_ID (4 octets)         |  repeated,
 *                     +-------------------------------+  newest first
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { formatIpv4 } from "../nlri.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIs, lengthIsMultiple } from "./types.js";

export const originatorIdCodec: AttributeCodec = {
  type: AttrType.OriginatorId,
  name: "ORIGINATOR_ID",
  flags: AttrFlag.Optional,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_ORIGINATOR_ID",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIs(4, start, end);
    if (bad) return bad;
    out.attrs.originatorId = formatIpv4(readU32(buf, start));
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.originatorId === undefined) return;
    const m = w.begin(AttrFlag.Optional, AttrType.OriginatorId);
    w.ipv4(attrs.originatorId);
    w.end(m);
  },
};

export const clusterListCodec: AttributeCodec = {
  type: AttrType.ClusterList,
  name: "CLUSTER_LIST",
  flags: AttrFlag.Optional,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_CLUSTER_LIST",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIsMultiple(4, start, end);
    if (bad) return bad;
    const ids: string[] = [];
    for (let p = start; p < end; p += 4) ids.push(formatIpv4(readU32(buf, p)));
    out.attrs.clusterList = ids;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    if (attrs.clusterList === undefined || attrs.clusterList.length === 0) return;
    const m = w.begin(AttrFlag.Optional, AttrType.ClusterList);
    for (const id of attrs.clusterList) w.ipv4(id);
    w.end(m);
  },
};
