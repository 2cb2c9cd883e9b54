/**
 * The RIB's two small records: who a route came from (PeerRef) and one route
 * to one prefix (Path). RFC 4271 §3.2 (Adj-RIB-In / Loc-RIB / Adj-RIB-Out
 * hold paths), RFC 7911 §3 (a path is named by prefix + path identifier).
 *
 *     Adj-RIB-In (per peer) ──Path──> Loc-RIB candidates ──best / multipath──> Adj-RIB-Out
 *
 * A Path is the ONLY per-prefix object: its prefix is a PrefixKey (a number
 * for IPv4), its attributes a shared AttrSet, its peer a shared PeerRef. The
 * same Path object sits in its Adj-RIB-In and among the Loc-RIB candidates;
 * a changed route is a new Path, so identity means "same route".
 */
import { parseIpv4, parseIpv6 } from "../wire/index.js";
import type { AttrSet } from "./attr-set.js";
import type { PrefixKey } from "./prefix-key.js";

/** Peer ids fit 21 bits so that (peer id, path id) is one exact number (out-paths.ts: sourceOf). */
export const maxPeerId = 0x1fffff;
/** The id of the local pseudo-peer that originates our own routes. */
export const localPeerId = 0;

export interface PeerRefInit {
  /** Unique per speaker, 1..maxPeerId (0 is the local pseudo-peer). */
  readonly id: number;
  /** Transport address of the peer, IPv4 or IPv6 text. */
  readonly address: string;
  readonly asn: number;
  /** The peer's BGP Identifier (dotted quad). */
  readonly bgpId: string;
  /** Same AS as ours (RFC 4271 §3: internal peer). */
  readonly ibgp: boolean;
  /** RFC 4456 §2: a route-reflector client of ours. */
  readonly rrClient?: boolean;
}

export interface PeerRef extends Required<PeerRefInit> {
  /** The local pseudo-peer: the route was originated here, not received. */
  readonly local: boolean;
  /** BGP Identifier as an unsigned number (RFC 4271 §9.1.2.2 f). */
  readonly bgpIdValue: number;
  /**
   * The address as 32 hex digits (IPv4 mapped into ::ffff:0:0/96), so that
   * string order is numeric order (RFC 4271 §9.1.2.2 g).
   */
  readonly addressOrder: string;
}

const hexDigitsPerWord = 8;
const ipv4MappedPrefix = "00000000000000000000ffff";

function addressOrder(address: string): string {
  if (!address.includes(":"))
    return ipv4MappedPrefix + parseIpv4(address).toString(16).padStart(hexDigitsPerWord, "0");
  let out = "";
  for (const w of parseIpv6(address)) out += w.toString(16).padStart(hexDigitsPerWord, "0");
  return out;
}

/** Builds a PeerRef. Throws RangeError on a bad id or address. */
export function makePeerRef(init: PeerRefInit): PeerRef {
  if (!Number.isInteger(init.id) || init.id < 1 || init.id > maxPeerId)
    throw new RangeError(`peer id ${init.id} is outside 1..${maxPeerId}`);
  return Object.freeze({
    id: init.id,
    address: init.address,
    asn: init.asn,
    bgpId: init.bgpId,
    ibgp: init.ibgp,
    rrClient: init.rrClient ?? false,
    local: false,
    bgpIdValue: parseIpv4(init.bgpId),
    addressOrder: addressOrder(init.address),
  });
}

/**
 * The pseudo-peer for locally originated routes: our own router ID and AS,
 * address 0.0.0.0. It is neither iBGP nor eBGP: at RFC 4271 §9.1.2.2 d) a
 * local route is "not received via IBGP" and so survives like an eBGP one.
 */
export function localPeerRef(routerId: string, localAs: number): PeerRef {
  return Object.freeze({
    id: localPeerId,
    address: "0.0.0.0",
    asn: localAs,
    bgpId: routerId,
    ibgp: false,
    rrClient: false,
    local: true,
    bgpIdValue: parseIpv4(routerId),
    addressOrder: addressOrder("0.0.0.0"),
  });
}

/** An IPv4 PrefixKey is address * 64 + length (prefix-key.ts). */
const ipv4LengthRadix = 64;

/**
 * One route: a prefix, as received from one peer under one path identifier.
 *
 * The prefix is stored in two small-integer fields rather than as one
 * number: an IPv4 key (38 bits) is not a V8 small integer, so a number field
 * would put a separately allocated heap number behind every Path — measured
 * as about a third of the time of a full-table load. `prefix` rebuilds it.
 */
export class Path {
  /** IPv4: the address as a signed 32-bit integer; IPv6: 0. (Storage of `prefix`.) */
  readonly keyHigh: number;
  /** IPv4: the prefix length; IPv6: the whole key. (Storage of `prefix`.) */
  readonly keyLow: number | string;
  /** RFC 7911 path identifier as received (0 without ADD-PATH). */
  readonly pathId: number;
  readonly peer: PeerRef;
  readonly attrs: AttrSet;
  /** RFC 4724 §4.2: kept from before the peer restarted, not yet re-announced. */
  stale: boolean;

  constructor(prefix: PrefixKey, pathId: number, peer: PeerRef, attrs: AttrSet) {
    if (typeof prefix === "number") {
      this.keyHigh = (prefix / ipv4LengthRadix) | 0;
      this.keyLow = prefix % ipv4LengthRadix;
    } else {
      this.keyHigh = 0;
      this.keyLow = prefix;
    }
    this.pathId = pathId;
    this.peer = peer;
    this.attrs = attrs;
    this.stale = false;
  }

  get prefix(): PrefixKey {
    const low = this.keyLow;
    return typeof low === "string" ? low : (this.keyHigh >>> 0) * ipv4LengthRadix + low;
  }
}
