/**
 * The path attribute codec: the table (table.ts), one small file per
 * attribute, the RFC 7606 walk (decode-attributes.ts) and the encoder.
 */
export { aggregatorCodec, atomicAggregateCodec } from "./aggregator.js";
export { asPathCodec, pathLength } from "./as-path.js";
export { as4AggregatorCodec, as4PathCodec, mergeAsPath } from "./as4.js";
export {
  ACCEPT_OWN,
  BLACKHOLE,
  communitiesCodec,
  formatCommunity,
  GRACEFUL_SHUTDOWN,
  LLGR_STALE,
  NO_ADVERTISE,
  NO_EXPORT,
  NO_EXPORT_SUBCONFED,
  NO_LLGR,
  NO_PEER,
  parseCommunity,
  wellKnownCommunityNames,
} from "./communities.js";
export { type DecodedAttributes, decodeAttributes } from "./decode-attributes.js";
export { encodeAttributes } from "./encode-attributes.js";
export { extendedCommunitiesCodec } from "./extended-communities.js";
export { formatLargeCommunity, largeCommunitiesCodec, parseLargeCommunity } from "./large-communities.js";
export { localPrefCodec } from "./local-pref.js";
export { medCodec } from "./med.js";
export { mpReachCodec } from "./mp-reach.js";
export { mpUnreachCodec } from "./mp-unreach.js";
export { nextHopCodec } from "./next-hop.js";
export { originCodec } from "./origin.js";
export { clusterListCodec, originatorIdCodec } from "./route-reflection.js";
export { attributeCodec, encodeOrder, isKnownAttribute } from "./table.js";
export type { AttributeCodec, Malformed } from "./types.js";
export { passOnUnknown } from "./unknown.js";
