// PLACEHOLDER — to be replaced by the UPDATE implementation.
import type { CodecContext } from "./context.js";
import type { UpdateMessage } from "./messages.js";
export function decodeUpdate(_frame: Uint8Array, _ctx: CodecContext): UpdateMessage {
  throw new Error("not implemented");
}
export function encodeUpdate(_msg: UpdateMessage, _ctx: CodecContext): Uint8Array {
  throw new Error("not implemented");
}
