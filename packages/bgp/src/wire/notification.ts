/**
 * The NOTIFICATION message (RFC 4271 §4.5), the names of its codes and
 * subcodes (RFC 4271 §4.5, RFC 4486, RFC 6608, RFC 7313 §5, RFC 8538,
 * RFC 9234, RFC 9384) and the RFC 9003 shutdown communication.
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Error code    | Error subcode |   Data (variable)             |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 9003 §2, the Data of Cease / Administrative Shutdown (2) or Reset (4):
 *
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Error Code 6  |    Subcode    |    Length     |     ...       \
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               /
 *     \                                                               \
 *     /                 ... Shutdown Communication ...                /
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Receive path: decodeNotification keeps Data as received and, for those two
 * subcodes, also sets `shutdownCommunication` when Length matches the data
 * and the text is valid UTF-8; anything else stays raw for the caller to log
 * as hex (RFC 9003 §2: a receiver "MUST NOT interpret invalid UTF-8
 * sequences"; §4: such a message SHOULD be logged).
 * Send path: encodeNotification; notificationOf(err) turns any codec error
 * into the NOTIFICATION that reports it.
 */
import {
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  Header,
  MaxShutdownCommunicationLength,
  MessageHeaderSubcode,
  MessageType,
  OpenMessageSubcode,
  RouteRefreshSubcode,
  UpdateMessageSubcode,
} from "./constants.js";
import { type BgpWireError, badMessageLength } from "./errors.js";
import { writeHeader } from "./header.js";
import type { NotificationMessage } from "./messages.js";

/** Offsets into the whole message (header included). */
const At = { code: 19, subcode: 20, data: 21 } as const;
const MinNotificationLength = At.data;

const utf8 = new TextEncoder();
// `fatal` rejects invalid and overlong sequences and lone surrogates (RFC 3629,
// the shortest form RFC 9003 §2 requires); `ignoreBOM` keeps a leading U+FEFF
// as text so that decode and encode stay inverse.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset)
  );
}

/** The RFC 9003 text in `data`, or undefined when Length or the UTF-8 is not valid. */
function shutdownCommunicationOf(data: Uint8Array): string | undefined {
  if (data.length === 0 || data[0] !== data.length - 1) return undefined;
  try {
    return strictUtf8.decode(data.subarray(1));
  } catch {
    return undefined;
  }
}

/** Decodes one whole NOTIFICATION (19-octet header included). */
export function decodeNotification(frame: Uint8Array): NotificationMessage {
  if (frame.length < MinNotificationLength) throw badMessageLength(frame.length);
  const code = frame[At.code]!;
  const subcode = frame[At.subcode]!;
  // A copy: the frame may be a view of a large receive buffer.
  const data = frame.slice(At.data);
  const text = carriesShutdownCommunication(code, subcode) ? shutdownCommunicationOf(data) : undefined;
  return text === undefined
    ? { type: MessageType.Notification, code, subcode, data }
    : { type: MessageType.Notification, code, subcode, data, shutdownCommunication: text };
}

/**
 * Encodes a NOTIFICATION. With `shutdownCommunication` set (Cease subcodes 2
 * and 4 only) the data is its RFC 9003 form and `data` is ignored. Throws a
 * RangeError for a text over 255 octets of UTF-8 (see
 * truncateShutdownCommunication), a code or subcode over 255, or a message
 * over 4096 octets.
 */
export function encodeNotification(msg: NotificationMessage): Uint8Array {
  let data = msg.data;
  if (msg.shutdownCommunication !== undefined) {
    if (!carriesShutdownCommunication(msg.code, msg.subcode))
      throw new RangeError(
        `a shutdown communication belongs to Cease/Administrative Shutdown or Reset, not ${describeNotification(msg.code, msg.subcode)}`,
      );
    const text = utf8.encode(msg.shutdownCommunication);
    if (text.length > MaxShutdownCommunicationLength)
      throw new RangeError(`shutdown communication of ${text.length} octets exceeds 255 (RFC 9003 §2)`);
    data = new Uint8Array(1 + text.length);
    data[0] = text.length;
    data.set(text, 1);
  }
  checkOctet("error code", msg.code);
  checkOctet("error subcode", msg.subcode);
  const length = MinNotificationLength + data.length;
  if (length > Header.maxMessageLength) throw new RangeError(`NOTIFICATION of ${length} octets exceeds 4096`);
  const out = new Uint8Array(length);
  writeHeader(out, 0, length, MessageType.Notification);
  out[At.code] = msg.code;
  out[At.subcode] = msg.subcode;
  out.set(data, At.data);
  return out;
}

function checkOctet(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${what} ${n} is not in 0..255`);
}

/**
 * The longest prefix of `text` whose UTF-8 form fits the 255 octets of
 * RFC 9003 §2, cut between code points (never inside one).
 */
export function truncateShutdownCommunication(text: string): string {
  const bytes = utf8.encode(text);
  if (bytes.length <= MaxShutdownCommunicationLength) return text;
  let cut = MaxShutdownCommunicationLength;
  // Back up over continuation octets (10xxxxxx) to the start of a code point.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return strictUtf8.decode(bytes.subarray(0, cut));
}

/** The NOTIFICATION that reports a codec error (RFC 4271 §6): its code, subcode and data. */
export function notificationOf(err: BgpWireError): NotificationMessage {
  return { type: MessageType.Notification, code: err.errorCode, subcode: err.subcode, data: err.data };
}

// --- names -------------------------------------------------------------------

/** Subcodes RFC 4271 §6.2/§6.3 list as deprecated; not raised, only named. */
const DeprecatedSubcode = { AuthenticationFailure: 5, AsRoutingLoop: 7 } as const;

const codeNames: Readonly<Record<number, string>> = {
  [ErrorCode.MessageHeader]: "Message Header Error",
  [ErrorCode.OpenMessage]: "OPEN Message Error",
  [ErrorCode.UpdateMessage]: "UPDATE Message Error",
  [ErrorCode.HoldTimerExpired]: "Hold Timer Expired",
  [ErrorCode.FiniteStateMachine]: "Finite State Machine Error",
  [ErrorCode.Cease]: "Cease",
  [ErrorCode.RouteRefresh]: "ROUTE-REFRESH Message Error",
};

const subcodeNames: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [ErrorCode.MessageHeader]: {
    [MessageHeaderSubcode.ConnectionNotSynchronized]: "Connection Not Synchronized",
    [MessageHeaderSubcode.BadMessageLength]: "Bad Message Length",
    [MessageHeaderSubcode.BadMessageType]: "Bad Message Type",
  },
  [ErrorCode.OpenMessage]: {
    [OpenMessageSubcode.Unspecific]: "Unspecific",
    [OpenMessageSubcode.UnsupportedVersionNumber]: "Unsupported Version Number",
    [OpenMessageSubcode.BadPeerAs]: "Bad Peer AS",
    [OpenMessageSubcode.BadBgpIdentifier]: "Bad BGP Identifier",
    [OpenMessageSubcode.UnsupportedOptionalParameter]: "Unsupported Optional Parameter",
    [DeprecatedSubcode.AuthenticationFailure]: "Authentication Failure (deprecated)",
    [OpenMessageSubcode.UnacceptableHoldTime]: "Unacceptable Hold Time",
    [OpenMessageSubcode.UnsupportedCapability]: "Unsupported Capability",
    [OpenMessageSubcode.RoleMismatch]: "Role Mismatch",
  },
  [ErrorCode.UpdateMessage]: {
    [UpdateMessageSubcode.Unspecific]: "Unspecific",
    [UpdateMessageSubcode.MalformedAttributeList]: "Malformed Attribute List",
    [UpdateMessageSubcode.UnrecognizedWellKnownAttribute]: "Unrecognized Well-known Attribute",
    [UpdateMessageSubcode.MissingWellKnownAttribute]: "Missing Well-known Attribute",
    [UpdateMessageSubcode.AttributeFlagsError]: "Attribute Flags Error",
    [UpdateMessageSubcode.AttributeLengthError]: "Attribute Length Error",
    [UpdateMessageSubcode.InvalidOriginAttribute]: "Invalid ORIGIN Attribute",
    [DeprecatedSubcode.AsRoutingLoop]: "AS Routing Loop (deprecated)",
    [UpdateMessageSubcode.InvalidNextHopAttribute]: "Invalid NEXT_HOP Attribute",
    [UpdateMessageSubcode.OptionalAttributeError]: "Optional Attribute Error",
    [UpdateMessageSubcode.InvalidNetworkField]: "Invalid Network Field",
    [UpdateMessageSubcode.MalformedAsPath]: "Malformed AS_PATH",
  },
  [ErrorCode.HoldTimerExpired]: {},
  [ErrorCode.FiniteStateMachine]: {
    [FsmSubcode.Unspecified]: "Unspecified Error",
    [FsmSubcode.UnexpectedMessageInOpenSent]: "Receive Unexpected Message in OpenSent State",
    [FsmSubcode.UnexpectedMessageInOpenConfirm]: "Receive Unexpected Message in OpenConfirm State",
    [FsmSubcode.UnexpectedMessageInEstablished]: "Receive Unexpected Message in Established State",
  },
  [ErrorCode.Cease]: {
    [CeaseSubcode.MaximumNumberOfPrefixesReached]: "Maximum Number of Prefixes Reached",
    [CeaseSubcode.AdministrativeShutdown]: "Administrative Shutdown",
    [CeaseSubcode.PeerDeconfigured]: "Peer De-configured",
    [CeaseSubcode.AdministrativeReset]: "Administrative Reset",
    [CeaseSubcode.ConnectionRejected]: "Connection Rejected",
    [CeaseSubcode.OtherConfigurationChange]: "Other Configuration Change",
    [CeaseSubcode.ConnectionCollisionResolution]: "Connection Collision Resolution",
    [CeaseSubcode.OutOfResources]: "Out of Resources",
    [CeaseSubcode.HardReset]: "Hard Reset",
    [CeaseSubcode.BfdDown]: "BFD Down",
  },
  [ErrorCode.RouteRefresh]: {
    [RouteRefreshSubcode.InvalidMessageLength]: "Invalid Message Length",
  },
};

/**
 * The RFC names of a code/subcode pair: "Cease/Administrative Shutdown",
 * "UPDATE Message Error/Malformed AS_PATH". A code whose subcode 0 has no
 * name (Hold Timer Expired, a bare Cease) is its code name alone; unknown
 * values fall back to numbers ("Cease/subcode 42", "code 9/subcode 1").
 */
export function describeNotification(code: number, subcode: number): string {
  const codeName = codeNames[code];
  if (codeName === undefined) return `code ${code}/subcode ${subcode}`;
  const subName = subcodeNames[code]?.[subcode];
  if (subName !== undefined) return `${codeName}/${subName}`;
  return subcode === 0 ? codeName : `${codeName}/subcode ${subcode}`;
}
