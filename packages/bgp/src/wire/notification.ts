// PLACEHOLDER — to be replaced by the NOTIFICATION implementation.
import type { NotificationMessage } from "./messages.js";
export function decodeNotification(_frame: Uint8Array): NotificationMessage {
  throw new Error("not implemented");
}
export function encodeNotification(_msg: NotificationMessage): Uint8Array {
  throw new Error("not implemented");
}
