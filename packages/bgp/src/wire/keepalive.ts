/** RFC 4271 §4.4: a KEEPALIVE is the 19-octet header alone. */
import { Header, MessageType } from "./constants.js";
import { writeHeader } from "./header.js";

const keepalive = new Uint8Array(Header.length);
writeHeader(keepalive, 0, Header.length, MessageType.Keepalive);

/** A fresh copy of the KEEPALIVE message. */
export function encodeKeepalive(): Uint8Array {
  return keepalive.slice();
}
