/**
 * The codec's front door: one frame (as the Framer returns it) to a typed
 * message, and back.
 *
 * Receive path: Framer.push(chunk) -> frames -> decodeMessage(frame, ctx).
 * The header was already checked by the framer (checkHeader); each body
 * decoder checks its own fields and throws a BgpWireError that maps to the
 * NOTIFICATION to send (notificationOf). UPDATE soft errors (RFC 7606) come
 * back as data on the message.
 *
 * Send path: encodeMessage(msg, ctx) -> one complete message. Large UPDATEs
 * are split by packUpdates (update-packer.ts), not here.
 */
import { MessageType } from "./constants.js";
import type { CodecContext } from "./context.js";
import { defaultContext, maxMessageLength } from "./context.js";
import { badMessageType } from "./errors.js";
import { checkHeader } from "./header.js";
import { encodeKeepalive } from "./keepalive.js";
import type { BgpMessage } from "./messages.js";
import { decodeNotification, encodeNotification } from "./notification.js";
import { decodeOpen, encodeOpen } from "./open.js";
import { decodeRouteRefresh, encodeRouteRefresh } from "./route-refresh.js";
import { decodeUpdate, encodeUpdate } from "./update.js";

/**
 * Decodes one whole message (header included). Re-checks the header, so it
 * is safe on bytes that did not come through a Framer.
 */
export function decodeMessage(frame: Uint8Array, ctx: CodecContext = defaultContext): BgpMessage {
  const length = checkHeader(frame, 0, maxMessageLength(ctx));
  const msg = length === frame.length ? frame : frame.subarray(0, length);
  const type = msg[18]!;
  switch (type) {
    case MessageType.Open:
      return decodeOpen(msg);
    case MessageType.Update:
      return decodeUpdate(msg, ctx);
    case MessageType.Notification:
      return decodeNotification(msg);
    case MessageType.Keepalive:
      return { type: MessageType.Keepalive };
    case MessageType.RouteRefresh:
      return decodeRouteRefresh(msg);
    default:
      throw badMessageType(type);
  }
}

/** Encodes one message. Throws a RangeError when it does not fit the context's maximum length. */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext = defaultContext): Uint8Array {
  switch (msg.type) {
    case MessageType.Open:
      return encodeOpen(msg);
    case MessageType.Update:
      return encodeUpdate(msg, ctx);
    case MessageType.Notification:
      return encodeNotification(msg);
    case MessageType.Keepalive:
      return encodeKeepalive();
    case MessageType.RouteRefresh:
      return encodeRouteRefresh(msg);
  }
}
