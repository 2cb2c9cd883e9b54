/**
 * An incremental stream framer: feed it TCP chunks of any size, get back
 * whole messages. A frame is a view of the complete message (header
 * included). Frames that lie inside one chunk are zero-copy views of it; a
 * message split over chunks is assembled once, when its last octet arrives
 * (so a message dripped in one octet at a time costs O(n), not O(n^2)). The
 * header is checked as soon as its 19 octets are in, so a bad length is
 * reported without waiting for a body that would never come.
 */
import { Header } from "./constants.js";
import { checkHeader } from "./header.js";

export class Framer {
  /** Chunks of an incomplete message, oldest first. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  /** Length of the incomplete message once its header is known, else 0. */
  #needed = 0;
  #maxLength: number;

  constructor(maxLength: number = Header.maxMessageLength) {
    this.#maxLength = maxLength;
  }

  /** RFC 8654: raise the limit once extended messages are negotiated. */
  setMaxLength(maxLength: number): void {
    this.#maxLength = maxLength;
  }

  /** Octets received but not yet part of a whole message. */
  get buffered(): number {
    return this.#partsLength;
  }

  /** Adds a chunk and returns every message it completes. Throws a `MessageHeaderError`. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    let buf = chunk;
    if (this.#partsLength > 0) {
      const total = this.#partsLength + chunk.length;
      if (this.#needed === 0 && total >= Header.length) {
        const head = concat(this.#parts, this.#partsLength, chunk, Header.length);
        this.#needed = checkHeader(head, 0, this.#maxLength);
      }
      if (total < Math.max(this.#needed, Header.length)) {
        this.#parts.push(chunk);
        this.#partsLength = total;
        return [];
      }
      buf = concat(this.#parts, this.#partsLength, chunk, total);
      this.#parts = [];
      this.#partsLength = 0;
      this.#needed = 0;
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (buf.length - offset >= Header.length) {
      const length = checkHeader(buf, offset, this.#maxLength);
      if (buf.length - offset < length) {
        this.#needed = length;
        break;
      }
      frames.push(buf.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < buf.length) {
      // Copy the tail so an incomplete message never pins a large chunk.
      const tail = buf.slice(offset);
      this.#parts = [tail];
      this.#partsLength = tail.length;
    }
    return frames;
  }
}

/** The first `take` octets of parts ++ chunk. */
function concat(parts: Uint8Array[], partsLength: number, chunk: Uint8Array, take: number): Uint8Array {
  const out = new Uint8Array(take);
  let at = 0;
  for (const p of parts) {
    out.set(p.subarray(0, take - at), at);
    at += Math.min(p.length, take - at);
    if (at >= take) return out;
  }
  out.set(chunk.subarray(0, take - partsLength), at);
  return out;
}
