/**
 * RFC 4271 §4.1 message header.
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                                                               |
 *     +                           Marker (16 x 0xff)                  +
 *     |                                                               |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |          Length               |      Type     |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { Header, MessageType } from "./constants.js";
import { badMessageLength, badMessageType, connectionNotSynchronized } from "./errors.js";

/** Minimum total length per message type (RFC 4271 §4.2-§4.5, RFC 2918 §3). */
const minLength: Record<number, number> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

/**
 * Checks the header at `offset` and returns the message length. `maxLength`
 * is 4096, or 65535 with RFC 8654 extended messages (which never applies to
 * OPEN and KEEPALIVE, §4 of that RFC).
 */
export function checkHeader(buf: Uint8Array, offset: number, maxLength: number): number {
  for (let i = 0; i < Header.markerLength; i++) {
    if (buf[offset + i] !== 0xff) throw connectionNotSynchronized();
  }
  const length = (buf[offset + 16]! << 8) | buf[offset + 17]!;
  const type = buf[offset + 18]!;
  const min = minLength[type];
  if (min === undefined) {
    if (length < Header.minMessageLength || length > maxLength) throw badMessageLength(length);
    throw badMessageType(type);
  }
  const max =
    type === MessageType.Open || type === MessageType.Keepalive ? Header.maxMessageLength : maxLength;
  if (length < min || length > max) throw badMessageLength(length);
  if (type === MessageType.Keepalive && length !== Header.length) throw badMessageLength(length);
  return length;
}

/** Writes marker, length and type into `out` at `offset`. */
export function writeHeader(out: Uint8Array, offset: number, length: number, type: MessageType): void {
  out.fill(0xff, offset, offset + Header.markerLength);
  out[offset + 16] = length >>> 8;
  out[offset + 17] = length & 0xff;
  out[offset + 18] = type;
}
