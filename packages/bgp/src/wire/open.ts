// PLACEHOLDER — to be replaced by the OPEN/capabilities implementation.
import type { OpenMessage } from "./messages.js";
export function decodeOpen(_frame: Uint8Array): OpenMessage {
  throw new Error("not implemented");
}
export function encodeOpen(_msg: OpenMessage): Uint8Array {
  throw new Error("not implemented");
}
