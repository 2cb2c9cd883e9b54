/**
 * The OPEN message (RFC 4271 §4.2), its checks (§6.2, RFC 6286 §2.2) and
 * the extended optional parameters length (RFC 9072 §2).
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+
 *     |    Version    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |     My Autonomous System      |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |           Hold Time           |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                         BGP Identifier                        |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Opt Parm Len  |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |             Optional Parameters (variable)                    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *     one parameter:  |  Parm. Type   | Parm. Length  |  Parameter Value (variable)
 *
 * RFC 9072 §2: when Opt Parm Len is non-zero and the next octet is 255, the
 * lengths are two octets wide (the Non-Ext OP Len value itself is ignored):
 *
 *     |Non-Ext OP Len.|Non-Ext OP Type|  Extended Opt. Parm. Length   |
 *     |  Parm. Type   |        Parameter Length       |  Value ...
 *
 * Receive path: decodeOpen checks version, Hold Time and BGP Identifier,
 * walks the parameters without ever reading past the frame, and flattens
 * every Capabilities parameter (RFC 5492 §4, type 2) into one list. Checks
 * that need configuration (Bad Peer AS, our own identifier, capability
 * negotiation) belong to the FSM, not here.
 *
 * Send path: encodeOpen puts all capabilities into ONE Capabilities
 * parameter (RFC 5492 §4 allows either form), in the RFC 9072 form only when
 * the classic form would exceed 255 octets.
 */
import { decodeCapabilities, encodeCapabilities } from "./capabilities.js";
import {
  AsTrans,
  BgpVersion,
  Header,
  MessageType,
  OpenMessageSubcode,
  OptionalParameterType,
} from "./constants.js";
import { badMessageLength, type OpenMessageError, openError, u16 } from "./errors.js";
import { writeHeader } from "./header.js";
import type { Capability, OpenMessage } from "./messages.js";
import { formatIpv4, parseIpv4 } from "./nlri.js";

/** Offsets into the whole message (header included). */
const At = { version: 19, myAs: 20, holdTime: 22, bgpId: 24, optParmLen: 28, params: 29 } as const;
/** The smallest OPEN: header + 10 octets, no parameters (RFC 4271 §4.2). */
const MinOpenLength = At.params;
/** RFC 9072: Non-Ext OP Type (1) + Extended Opt. Parm. Length (2). */
const ExtendedLengthHeader = 3;
const ClassicParamHeader = 2;
const ExtendedParamHeader = 3;
const MaxClassicLength = 0xff;
/** RFC 4271 §4.2: a non-zero Hold Time is at least 3 seconds. */
const MinHoldTime = 3;

const u16At = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

function lengthMismatch(why: string): OpenMessageError {
  // RFC 4271 §6.2 names no subcode for inconsistent parameter lengths; a
  // malformed optional parameter is "Unspecific" there, so that is used.
  return openError(OpenMessageSubcode.Unspecific, "ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH", why);
}

/** Decodes one whole OPEN message (19-octet header included). Throws a BgpWireError. */
export function decodeOpen(frame: Uint8Array): OpenMessage {
  if (frame.length < MinOpenLength) throw badMessageLength(frame.length);
  const declared = u16At(frame, Header.markerLength);
  if (declared !== frame.length) throw badMessageLength(declared);

  const version = frame[At.version]!;
  if (version !== BgpVersion) {
    // §6.2: the data is the largest locally supported version below the bid,
    // else the smallest supported one; 4 is the only one either way.
    throw openError(
      OpenMessageSubcode.UnsupportedVersionNumber,
      "ERR_BGP_OPEN_UNSUPPORTED_VERSION",
      `unsupported BGP version ${version}`,
      u16(BgpVersion),
    );
  }
  const myAs = u16At(frame, At.myAs);
  const holdTime = u16At(frame, At.holdTime);
  // §6.2: "An implementation MUST reject Hold Time values of one or two seconds."
  if (holdTime > 0 && holdTime < MinHoldTime) {
    throw openError(
      OpenMessageSubcode.UnacceptableHoldTime,
      "ERR_BGP_OPEN_UNACCEPTABLE_HOLD_TIME",
      `unacceptable hold time ${holdTime}`,
    );
  }
  const id =
    ((frame[At.bgpId]! << 24) |
      (frame[At.bgpId + 1]! << 16) |
      (frame[At.bgpId + 2]! << 8) |
      frame[At.bgpId + 3]!) >>>
    0;
  // RFC 6286 §2.2: the identifier is a non-zero 4-octet unsigned integer.
  if (id === 0)
    throw openError(
      OpenMessageSubcode.BadBgpIdentifier,
      "ERR_BGP_OPEN_BAD_BGP_IDENTIFIER",
      "BGP Identifier is 0",
    );

  return {
    type: MessageType.Open,
    version,
    myAs,
    holdTime,
    bgpId: formatIpv4(id),
    capabilities: decodeParameters(frame),
  };
}

function decodeParameters(frame: Uint8Array): Capability[] {
  const optParmLen = frame[At.optParmLen]!;
  const extended =
    optParmLen !== 0 && frame.length > At.params && frame[At.params] === OptionalParameterType.ExtendedLength;
  let p: number = At.params;
  let end: number;
  if (extended) {
    if (frame.length < At.params + ExtendedLengthHeader)
      throw lengthMismatch("truncated extended optional parameters length (RFC 9072)");
    end = At.params + ExtendedLengthHeader + u16At(frame, At.params + 1);
    p = At.params + ExtendedLengthHeader;
  } else {
    end = At.params + optParmLen;
  }
  if (end !== frame.length)
    throw lengthMismatch(`optional parameters end at ${end}, the message at ${frame.length}`);

  const headerLength = extended ? ExtendedParamHeader : ClassicParamHeader;
  const capabilities: Capability[] = [];
  while (p < end) {
    if (p + headerLength > end) throw lengthMismatch("truncated optional parameter header");
    const type = frame[p]!;
    const valueStart = p + headerLength;
    const valueEnd = valueStart + (extended ? u16At(frame, p + 1) : frame[p + 1]!);
    if (valueEnd > end) throw lengthMismatch(`optional parameter ${type} runs past the optional parameters`);
    // §6.2: an optional parameter that is not recognized. Type 2 is the only
    // one defined (RFC 5492 §4; type 1, authentication, is deprecated).
    if (type !== OptionalParameterType.Capabilities) {
      throw openError(
        OpenMessageSubcode.UnsupportedOptionalParameter,
        "ERR_BGP_OPEN_UNSUPPORTED_OPTIONAL_PARAMETER",
        `unsupported optional parameter type ${type}`,
      );
    }
    for (const cap of decodeCapabilities(frame, valueStart, valueEnd)) capabilities.push(cap);
    p = valueEnd;
  }
  return capabilities;
}

function checkRange(what: string, n: number, min: number, max: number): number {
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RangeError(`${what} ${n} is not in ${min}..${max}`);
  return n;
}

/** Encodes an OPEN. Throws a RangeError for out-of-range fields or an OPEN over 4096 octets. */
export function encodeOpen(msg: OpenMessage): Uint8Array {
  const caps = encodeCapabilities(msg.capabilities);
  const classic = caps.length === 0 ? 0 : ClassicParamHeader + caps.length;
  const extended = classic > MaxClassicLength;
  const paramsLength = extended ? ExtendedLengthHeader + ExtendedParamHeader + caps.length : classic;
  const length = MinOpenLength + paramsLength;
  // RFC 8654 §4: an OPEN never exceeds 4096 octets, extended messages or not.
  if (length > Header.maxMessageLength) throw new RangeError(`OPEN of ${length} octets exceeds 4096`);

  const out = new Uint8Array(length);
  writeHeader(out, 0, length, MessageType.Open);
  out[At.version] = checkRange("version", msg.version, 0, 0xff);
  out.set(u16(checkRange("My Autonomous System", msg.myAs, 0, 0xffff)), At.myAs);
  out.set(u16(checkRange("Hold Time", msg.holdTime, 0, 0xffff)), At.holdTime);
  const id = parseIpv4(msg.bgpId);
  out.set([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff], At.bgpId);
  if (classic === 0) return out;

  let p: number = At.params;
  if (extended) {
    out[At.optParmLen] = MaxClassicLength; // RFC 9072 §2: Non-Ext OP Len MUST be 255
    out[p++] = OptionalParameterType.ExtendedLength;
    out.set(u16(ExtendedParamHeader + caps.length), p);
    p += 2;
    out[p++] = OptionalParameterType.Capabilities;
    out.set(u16(caps.length), p);
    p += 2;
  } else {
    out[At.optParmLen] = classic;
    out[p++] = OptionalParameterType.Capabilities;
    out[p++] = caps.length;
  }
  out.set(caps, p);
  return out;
}

/** The peer's real AS number: the RFC 6793 capability's ASN if present, else My Autonomous System. */
export function openAsn(open: OpenMessage): number {
  for (const cap of open.capabilities) if (cap.kind === "four-octet-as") return cap.asn;
  return open.myAs;
}

export interface OpenOptions {
  /** Our AS number, 2- or 4-octet. */
  readonly asn: number;
  /** Proposed Hold Time: 0, or 3..65535 seconds (RFC 4271 §4.2). */
  readonly holdTime: number;
  /** BGP Identifier, a non-zero dotted quad. */
  readonly bgpId: string;
  readonly capabilities?: readonly Capability[];
}

/**
 * Builds the OPEN we send. An ASN above 65535 goes out as AS_TRANS in My
 * Autonomous System (RFC 6793 §4.1) and, since the peer could not learn it
 * otherwise, a 4-octet AS capability carrying it is appended when the caller
 * did not include one. Throws a RangeError for a bad ASN, Hold Time or
 * identifier, or a 4-octet AS capability that contradicts `asn`.
 */
export function buildOpen(options: OpenOptions): OpenMessage {
  const { asn, holdTime, bgpId } = options;
  // RFC 7607: AS 0 is never a valid peer AS.
  checkRange("ASN", asn, 1, 0xffffffff);
  if (holdTime !== 0) checkRange("Hold Time", holdTime, MinHoldTime, 0xffff);
  if (parseIpv4(bgpId) === 0) throw new RangeError("BGP Identifier must not be 0.0.0.0 (RFC 6286 §2.2)");
  const capabilities = [...(options.capabilities ?? [])];
  const fourOctet = capabilities.find((c) => c.kind === "four-octet-as");
  if (fourOctet && fourOctet.asn !== asn)
    throw new RangeError(`4-octet AS capability ${fourOctet.asn} contradicts asn ${asn}`);
  const wide = asn > 0xffff;
  if (wide && !fourOctet) capabilities.push({ kind: "four-octet-as", asn });
  return {
    type: MessageType.Open,
    version: BgpVersion,
    myAs: wide ? AsTrans : asn,
    holdTime,
    bgpId,
    capabilities,
  };
}
