/**
 * The typed errors of the wire codec.
 *
 * Every error a peer's bytes can cause is a `BgpWireError` carrying the
 * NOTIFICATION it maps to (RFC 4271 §4.5/§6): `errorCode`, `subcode` and
 * `data` (the offending bytes, as §6.1-§6.3 specify for each case). One
 * subclass per NOTIFICATION error code; `notificationOf()` turns any of them
 * into the NOTIFICATION to send. Only session-reset errors are thrown: the
 * softer RFC 7606 outcomes are returned as data (`AttributeIssue`) on the
 * decoded UPDATE.
 *
 * `code` is a stable string for logs and programs (`ERR_BGP_...`).
 */
import {
  ErrorCode,
  MessageHeaderSubcode,
  type OpenMessageSubcode,
  RouteRefreshSubcode,
  type UpdateMessageSubcode,
} from "./constants.js";

const empty = new Uint8Array(0);

export abstract class BgpWireError extends Error {
  abstract readonly errorCode: ErrorCode;
  readonly subcode: number;
  /** The NOTIFICATION data field: the offending bytes, per RFC 4271 §6. */
  readonly data: Uint8Array;
  /** A stable machine-readable code, e.g. `ERR_BGP_UPDATE_MALFORMED_AS_PATH`. */
  readonly code: string;

  constructor(code: string, subcode: number, message: string, data: Uint8Array = empty) {
    super(message);
    this.code = code;
    this.subcode = subcode;
    this.data = data;
  }
}

/** NOTIFICATION code 1. */
export class MessageHeaderError extends BgpWireError {
  override readonly name = "MessageHeaderError";
  readonly errorCode = ErrorCode.MessageHeader;
}

/** NOTIFICATION code 2. */
export class OpenMessageError extends BgpWireError {
  override readonly name = "OpenMessageError";
  readonly errorCode = ErrorCode.OpenMessage;
}

/** NOTIFICATION code 3. */
export class UpdateMessageError extends BgpWireError {
  override readonly name = "UpdateMessageError";
  readonly errorCode = ErrorCode.UpdateMessage;
}

/** NOTIFICATION code 7 (RFC 7313 §5). */
export class RouteRefreshMessageError extends BgpWireError {
  override readonly name = "RouteRefreshMessageError";
  readonly errorCode = ErrorCode.RouteRefresh;
}

/** Codes 4, 5 and 6 are raised by the session layer, not the codec. */
export class SessionError extends BgpWireError {
  override readonly name = "SessionError";
  readonly errorCode: ErrorCode;
  constructor(errorCode: ErrorCode, code: string, subcode: number, message: string, data?: Uint8Array) {
    super(code, subcode, message, data);
    this.errorCode = errorCode;
  }
}

/** RFC 4271 §6.1: bad message length; data is the 2-octet length field. */
export function badMessageLength(length: number): MessageHeaderError {
  return new MessageHeaderError(
    "ERR_BGP_BAD_MESSAGE_LENGTH",
    MessageHeaderSubcode.BadMessageLength,
    `bad message length ${length}`,
    u16(length),
  );
}

export function badMessageType(type: number): MessageHeaderError {
  return new MessageHeaderError(
    "ERR_BGP_BAD_MESSAGE_TYPE",
    MessageHeaderSubcode.BadMessageType,
    `bad message type ${type}`,
    Uint8Array.of(type),
  );
}

export function connectionNotSynchronized(): MessageHeaderError {
  return new MessageHeaderError(
    "ERR_BGP_CONNECTION_NOT_SYNCHRONIZED",
    MessageHeaderSubcode.ConnectionNotSynchronized,
    "marker is not all ones",
  );
}

export function openError(
  subcode: (typeof OpenMessageSubcode)[keyof typeof OpenMessageSubcode],
  code: string,
  message: string,
  data?: Uint8Array,
): OpenMessageError {
  return new OpenMessageError(code, subcode, message, data);
}

export function updateError(
  subcode: (typeof UpdateMessageSubcode)[keyof typeof UpdateMessageSubcode],
  code: string,
  message: string,
  data?: Uint8Array,
): UpdateMessageError {
  return new UpdateMessageError(code, subcode, message, data);
}

export function routeRefreshLengthError(frame: Uint8Array): RouteRefreshMessageError {
  return new RouteRefreshMessageError(
    "ERR_BGP_ROUTE_REFRESH_LENGTH",
    RouteRefreshSubcode.InvalidMessageLength,
    `invalid ROUTE-REFRESH length ${frame.length}`,
    frame,
  );
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

/**
 * RFC 7606 §2: what to do about a malformed attribute. `SessionReset` is
 * thrown as an `UpdateMessageError`; the others are reported on the decoded
 * UPDATE and the session stays up.
 */
export const ErrorAction = {
  SessionReset: "session-reset",
  AfiSafiDisable: "afi-safi-disable",
  TreatAsWithdraw: "treat-as-withdraw",
  AttributeDiscard: "attribute-discard",
} as const;
export type ErrorAction = (typeof ErrorAction)[keyof typeof ErrorAction];

/** A soft (non-reset) RFC 7606 outcome found while decoding an UPDATE. */
export interface AttributeIssue {
  readonly action: Exclude<ErrorAction, "session-reset">;
  /** Attribute type code the issue is about (0 when it is about the message as a whole). */
  readonly attrType: number;
  /** The UPDATE Message Error subcode the error would have had under RFC 4271. */
  readonly subcode: number;
  readonly code: string;
  readonly reason: string;
  /** For "afi-safi-disable": the family to disable (RFC 4760 §7, RFC 7606 §7.11). */
  readonly afi?: number;
  readonly safi?: number;
}
