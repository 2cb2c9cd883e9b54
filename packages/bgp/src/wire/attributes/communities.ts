/**
 * COMMUNITIES (type 8), optional transitive. RFC 1997; well-known values
 * from the IANA registry (RFC 8326 GRACEFUL_SHUTDOWN, RFC 7611 ACCEPT_OWN,
 * RFC 7999 BLACKHOLE, RFC 3765 NOPEER, RFC 9494 LLGR). RFC 7606 §7.8: a
 * length of zero or not a multiple of 4 is malformed, treat-as-withdraw.
 *
 *     +-------------------------------+-------------------------------+
 *     | AS (2 octets)                 | Value (2 octets)              |   repeated
 *     +-------------------------------+-------------------------------+
 *
 * A community is one 32-bit number here; text is "65000:1" or a name.
 */
import { AttrFlag, AttrType, UpdateMessageSubcode, WellKnownCommunity } from "../constants.js";
import { ErrorAction } from "../errors.js";
import { readU32 } from "./bytes.js";
import { type AttributeCodec, lengthIsMultiple } from "./types.js";

export const GRACEFUL_SHUTDOWN = WellKnownCommunity.GracefulShutdown;
export const ACCEPT_OWN = WellKnownCommunity.AcceptOwn;
export const LLGR_STALE = WellKnownCommunity.LlgrStale;
export const NO_LLGR = WellKnownCommunity.NoLlgr;
export const BLACKHOLE = WellKnownCommunity.Blackhole;
export const NO_EXPORT = WellKnownCommunity.NoExport;
export const NO_ADVERTISE = WellKnownCommunity.NoAdvertise;
export const NO_EXPORT_SUBCONFED = WellKnownCommunity.NoExportSubconfed;
export const NO_PEER = WellKnownCommunity.NoPeer;

/** Text names of the well-known communities, as the IANA registry spells them (lower-case). */
export const wellKnownCommunityNames: ReadonlyMap<number, string> = new Map([
  [GRACEFUL_SHUTDOWN, "graceful-shutdown"],
  [ACCEPT_OWN, "accept-own"],
  [LLGR_STALE, "llgr-stale"],
  [NO_LLGR, "no-llgr"],
  [BLACKHOLE, "blackhole"],
  [NO_EXPORT, "no-export"],
  [NO_ADVERTISE, "no-advertise"],
  [NO_EXPORT_SUBCONFED, "no-export-subconfed"],
  [NO_PEER, "no-peer"],
]);
const byName = new Map([...wellKnownCommunityNames].map(([v, n]) => [n, v]));

/** "no-export" for a well-known community, else "65000:1". */
export function formatCommunity(c: number): string {
  return wellKnownCommunityNames.get(c) ?? `${c >>> 16}:${c & 0xffff}`;
}

/** Parses "65000:1" or a well-known name (case-insensitive). Throws RangeError. */
export function parseCommunity(text: string): number {
  const named = byName.get(text.trim().toLowerCase());
  if (named !== undefined) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text.trim());
  const hi = m ? Number(m[1]) : Number.NaN;
  const lo = m ? Number(m[2]) : Number.NaN;
  if (!(hi <= 0xffff && lo <= 0xffff)) throw new RangeError(`not a community: ${JSON.stringify(text)}`);
  return ((hi << 16) | lo) >>> 0;
}

const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

export const communitiesCodec: AttributeCodec = {
  type: AttrType.Communities,
  name: "COMMUNITIES",
  flags: optionalTransitive,
  onMalformed: ErrorAction.TreatAsWithdraw,
  subcode: UpdateMessageSubcode.OptionalAttributeError,
  code: "ERR_BGP_UPDATE_MALFORMED_COMMUNITIES",
  decode(buf, start, end, _ctx, out) {
    const bad = lengthIsMultiple(4, start, end);
    if (bad) return bad;
    const list = new Array<number>((end - start) >>> 2);
    for (let p = start, i = 0; p < end; p += 4, i++) list[i] = readU32(buf, p);
    out.attrs.communities = list;
    return undefined;
  },
  encode({ attrs }, _ctx, w) {
    const list = attrs.communities;
    if (list === undefined || list.length === 0) return;
    const m = w.begin(optionalTransitive, AttrType.Communities);
    for (const c of list) w.u32(c);
    w.end(m);
  },
};
