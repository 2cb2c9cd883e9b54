/**
 * The typed BGP messages: what `decodeMessage` returns and `encodeMessage`
 * takes. Plain data, no classes, so messages deep-compare in tests and
 * serialise for the CLI. Addresses are text (`"198.18.0.1"`,
 * `"2001:db8::1"`); NLRI are compact `NlriList`s (see nlri.ts).
 */
import type { Afi, AsPathSegmentType, MessageType, Origin, RouteRefreshSubtype, Safi } from "./constants.js";
import type { AttributeIssue } from "./errors.js";
import type { NlriList } from "./nlri.js";

// --- OPEN (RFC 4271 §4.2) and capabilities (RFC 5492) ----------------------

export interface AfiSafi {
  readonly afi: Afi | number;
  readonly safi: Safi;
}

export type Capability =
  /** RFC 4760 §8. */
  | { readonly kind: "multiprotocol"; readonly afi: Afi | number; readonly safi: Safi }
  /** RFC 2918. */
  | { readonly kind: "route-refresh" }
  /** RFC 7313. */
  | { readonly kind: "enhanced-route-refresh" }
  /** RFC 8950 §3: NLRI of (afi, safi) may carry a next hop of nextHopAfi. */
  | {
      readonly kind: "extended-next-hop";
      readonly entries: readonly { readonly afi: number; readonly safi: Safi; readonly nextHopAfi: number }[];
    }
  /** RFC 8654. */
  | { readonly kind: "extended-message" }
  /** RFC 4724 §3 (N bit from RFC 8538). */
  | {
      readonly kind: "graceful-restart";
      /** R bit: the sender has restarted. */
      readonly restarting: boolean;
      /** N bit (RFC 8538): graceful NOTIFICATION support. */
      readonly notification: boolean;
      /** Restart Time in seconds (12 bits). */
      readonly restartTime: number;
      readonly families: readonly {
        readonly afi: number;
        readonly safi: Safi;
        /** F bit: forwarding state was preserved. */
        readonly forwarding: boolean;
      }[];
    }
  /** RFC 6793 §3. */
  | { readonly kind: "four-octet-as"; readonly asn: number }
  /** RFC 7911 §4. */
  | {
      readonly kind: "add-path";
      readonly families: readonly {
        readonly afi: number;
        readonly safi: Safi;
        readonly direction: 1 | 2 | 3;
      }[];
    }
  /** Anything else, kept as received. */
  | { readonly kind: "unknown"; readonly code: number; readonly value: Uint8Array };

export interface OpenMessage {
  readonly type: typeof MessageType.Open;
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as a dotted quad. */
  readonly bgpId: string;
  /** All Capabilities optional parameters, flattened in the order received. */
  readonly capabilities: readonly Capability[];
}

// --- UPDATE (RFC 4271 §4.3) ------------------------------------------------

export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  readonly asns: readonly number[];
}

export interface LargeCommunity {
  readonly globalAdmin: number;
  readonly localData1: number;
  readonly localData2: number;
}

export interface UnknownAttribute {
  /** Flags as received (the Extended Length bit is recomputed on encode). */
  readonly flags: number;
  readonly type: number;
  readonly value: Uint8Array;
}

/**
 * Decoded path attributes other than MP_REACH_NLRI / MP_UNREACH_NLRI (those
 * are on the UpdateMessage). `asPath` and `aggregator` are the EFFECTIVE
 * values: on a 2-octet session AS4_PATH / AS4_AGGREGATOR are merged in as
 * RFC 6793 §4.2.3 says, and the encoder splits them out again for such a
 * session.
 */
export interface PathAttributes {
  readonly origin?: Origin;
  readonly asPath?: readonly AsPathSegment[];
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: true;
  readonly aggregator?: { readonly asn: number; readonly address: string };
  /** RFC 1997 communities as 32-bit values (high 16 bits: ASN). */
  readonly communities?: readonly number[];
  readonly originatorId?: string;
  readonly clusterList?: readonly string[];
  /** RFC 4360 extended communities, 8 raw octets each. */
  readonly extendedCommunities?: readonly Uint8Array[];
  readonly largeCommunities?: readonly LargeCommunity[];
  /** Attributes this codec does not know, in the order received. */
  readonly unknown?: readonly UnknownAttribute[];
}

/** RFC 4760 §3. */
export interface MpReach {
  readonly afi: Afi;
  readonly safi: Safi;
  /** Global next hop (IPv4 text for an IPv4 next hop, RFC 8950). */
  readonly nextHop: string;
  /** Link-local next hop when the IPv6 next hop is 32 octets (RFC 2545 §3). */
  readonly linkLocalNextHop?: string;
  readonly nlri: NlriList;
}

/** RFC 4760 §4. */
export interface MpUnreach {
  readonly afi: Afi;
  readonly safi: Safi;
  readonly nlri: NlriList;
}

export interface UpdateMessage {
  readonly type: typeof MessageType.Update;
  /** IPv4 unicast Withdrawn Routes. */
  readonly withdrawn: NlriList;
  readonly attributes: PathAttributes;
  /** IPv4 unicast NLRI. */
  readonly nlri: NlriList;
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  /**
   * RFC 7606 outcomes that did not reset the session. Empty for a clean
   * UPDATE. Ignored by the encoder.
   */
  readonly issues?: readonly AttributeIssue[];
  /**
   * RFC 7606 "treat-as-withdraw": every prefix in `nlri` and `mpReach.nlri`
   * MUST be handled as withdrawn. Set by the decoder only.
   */
  readonly treatAsWithdraw?: true;
  /**
   * On decode: the attribute octets other than MP_REACH/MP_UNREACH exactly
   * as received, for passing on without re-encoding. Ignored by the encoder.
   */
  readonly rawAttributes?: Uint8Array;
}

// --- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---------------------------------

export interface NotificationMessage {
  readonly type: typeof MessageType.Notification;
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /**
   * RFC 9003 shutdown communication, decoded from `data` for Cease
   * Administrative Shutdown / Reset when it is valid UTF-8 of the stated
   * length. On encode, when set, it is the data (and `data` is ignored).
   */
  readonly shutdownCommunication?: string;
}

export interface KeepaliveMessage {
  readonly type: typeof MessageType.Keepalive;
}

/** RFC 2918 §3; RFC 7313 §3 gives the reserved octet a subtype. */
export interface RouteRefreshMessage {
  readonly type: typeof MessageType.RouteRefresh;
  readonly afi: number;
  readonly safi: Safi;
  readonly subtype: RouteRefreshSubtype | number;
}

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;
