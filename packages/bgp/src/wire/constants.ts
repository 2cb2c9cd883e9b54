/**
 * IANA numbers of BGP-4, named as the RFCs name them.
 *
 * RFC 4271 (base), 4760 (MP-BGP), 5492 (capabilities), 2918/7313 (route
 * refresh), 6793 (4-octet AS), 7911 (ADD-PATH), 4724 (graceful restart),
 * 8654 (extended message), 8950 (extended next hop), 4456 (route
 * reflection), 1997/4360/8092 (communities), 4486/9003 (Cease).
 */

/** RFC 4271 §4.1: the fixed header. */
export const Header = {
  markerLength: 16,
  length: 19,
  minMessageLength: 19,
  maxMessageLength: 4096,
  /** RFC 8654: once the Extended Message capability is exchanged. */
  maxExtendedMessageLength: 65535,
} as const;

export const BgpVersion = 4;
export const BgpPort = 179;
/** RFC 6793 §9: the 2-octet placeholder for a 4-octet AS number. */
export const AsTrans = 23456;

export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
export type Afi = (typeof Afi)[keyof typeof Afi];

export const Safi = { Unicast: 1, Multicast: 2 } as const;
export type Safi = number;

/** RFC 5492 §4 optional parameter types; 255 is RFC 9072's extended-length marker. */
export const OptionalParameterType = { Capabilities: 2, ExtendedLength: 255 } as const;

export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedNextHop: 5,
  ExtendedMessage: 6,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
} as const;
export type CapabilityCode = (typeof CapabilityCode)[keyof typeof CapabilityCode];

/** RFC 4271 §4.3 attribute flag bits. */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunity: 32,
} as const;
export type AttrType = (typeof AttrType)[keyof typeof AttrType];

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

export const AsPathSegmentType = {
  AsSet: 1,
  AsSequence: 2,
  AsConfedSequence: 3,
  AsConfedSet: 4,
} as const;
export type AsPathSegmentType = (typeof AsPathSegmentType)[keyof typeof AsPathSegmentType];

/** RFC 1997 and the IANA registry of well-known communities. */
export const WellKnownCommunity = {
  GracefulShutdown: 0xffff0000,
  AcceptOwn: 0xffff0001,
  LlgrStale: 0xffff0006,
  NoLlgr: 0xffff0007,
  Blackhole: 0xffff029a,
  NoExport: 0xffffff01,
  NoAdvertise: 0xffffff02,
  NoExportSubconfed: 0xffffff03,
  NoPeer: 0xffffff04,
} as const;

/** RFC 4271 §4.5 error codes. */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefresh: 7,
  /** RFC 9687: the peer stopped reading and our output could not drain. */
  SendHoldTimerExpired: 8,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const MessageHeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

export const OpenMessageSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

export const UpdateMessageSubcode = {
  Unspecific: 0,
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** RFC 4486 (and RFC 8203/9003 for the shutdown communication). */
export const CeaseSubcode = {
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** RFC 7313 §5. */
export const RouteRefreshSubcode = { InvalidMessageLength: 1 } as const;

/** RFC 7313 §3: the Message Subtype of a ROUTE-REFRESH. */
export const RouteRefreshSubtype = { Normal: 0, BeginningOfRefresh: 1, EndOfRefresh: 2 } as const;
export type RouteRefreshSubtype = (typeof RouteRefreshSubtype)[keyof typeof RouteRefreshSubtype];

/** RFC 7911 §4 Send/Receive field. */
export const AddPathDirection = { Receive: 1, Send: 2, Both: 3 } as const;
export type AddPathDirection = (typeof AddPathDirection)[keyof typeof AddPathDirection];

/** RFC 9003: the shutdown communication may be at most 255 octets of UTF-8. */
export const MaxShutdownCommunicationLength = 255;
