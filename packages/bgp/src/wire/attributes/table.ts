/**
 * The attribute table: one row per type code (name, expected flags,
 * RFC 7606 action, decode, encode), in the style of BIRD's attribute table.
 *
 *     type  name                  flags  malformed ->        RFC 7606
 *     ----  --------------------  -----  ------------------  --------
 *       1   ORIGIN                 T     treat-as-withdraw   §7.1
 *       2   AS_PATH                T     treat-as-withdraw   §7.2
 *       3   NEXT_HOP               T     treat-as-withdraw   §7.3
 *       4   MULTI_EXIT_DISC       O      treat-as-withdraw   §7.4
 *       5   LOCAL_PREF             T     treat-as-withdraw   §7.5
 *       6   ATOMIC_AGGREGATE       T     attribute-discard   §7.6
 *       7   AGGREGATOR            OT     attribute-discard   §7.7
 *       8   COMMUNITIES           OT     treat-as-withdraw   §7.8
 *       9   ORIGINATOR_ID         O      treat-as-withdraw   §7.9
 *      10   CLUSTER_LIST          O      treat-as-withdraw   §7.10
 *      14   MP_REACH_NLRI         O      afi-safi-disable    §7.11
 *      15   MP_UNREACH_NLRI       O      afi-safi-disable    §7.11
 *      16   EXTENDED_COMMUNITIES  OT     treat-as-withdraw   §7.14
 *      17   AS4_PATH              OT     attribute-discard   RFC 6793 §6
 *      18   AS4_AGGREGATOR        OT     attribute-discard   RFC 6793 §6
 *      32   LARGE_COMMUNITY       OT     treat-as-withdraw   RFC 8092 §6
 *
 * Conflicting Optional/Transitive flags make the attribute malformed with
 * the same action (RFC 7606 §3.c). Encoding follows `encodeOrder`: the MP
 * attributes first (RFC 7606 §5.1), then ascending type code (RFC 4271 §5).
 */
import { aggregatorCodec, atomicAggregateCodec } from "./aggregator.js";
import { asPathCodec } from "./as-path.js";
import { as4AggregatorCodec, as4PathCodec } from "./as4.js";
import { communitiesCodec } from "./communities.js";
import { extendedCommunitiesCodec } from "./extended-communities.js";
import { largeCommunitiesCodec } from "./large-communities.js";
import { localPrefCodec } from "./local-pref.js";
import { medCodec } from "./med.js";
import { mpReachCodec } from "./mp-reach.js";
import { mpUnreachCodec } from "./mp-unreach.js";
import { nextHopCodec } from "./next-hop.js";
import { originCodec } from "./origin.js";
import { clusterListCodec, originatorIdCodec } from "./route-reflection.js";
import type { AttributeCodec } from "./types.js";

/** Every row, MP attributes first, then by ascending type code: the encoding order. */
export const encodeOrder: readonly AttributeCodec[] = [
  mpReachCodec,
  mpUnreachCodec,
  originCodec,
  asPathCodec,
  nextHopCodec,
  medCodec,
  localPrefCodec,
  atomicAggregateCodec,
  aggregatorCodec,
  communitiesCodec,
  originatorIdCodec,
  clusterListCodec,
  extendedCommunitiesCodec,
  as4PathCodec,
  as4AggregatorCodec,
  largeCommunitiesCodec,
];

const byType: (AttributeCodec | undefined)[] = new Array(256).fill(undefined);
for (const row of encodeOrder) byType[row.type] = row;

/** The row for a type code, or undefined for an attribute this codec does not know. */
export function attributeCodec(type: number): AttributeCodec | undefined {
  return byType[type];
}

export function isKnownAttribute(type: number): boolean {
  return byType[type] !== undefined;
}
