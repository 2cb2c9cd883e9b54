/**
 * Octet readers and a growable writer for the attribute codec.
 *
 * The writer frames one path attribute at a time (RFC 4271 §4.3):
 *
 *     +---------------+---------------+-------------------+----------------+
 *     | Attr. Flags   | Attr. Type    | Length (1 or 2)   | Value ...      |
 *     +---------------+---------------+-------------------+----------------+
 *
 * `begin()` reserves a 2-octet length; `end()` writes the real length and,
 * when the value fits in 255 octets, drops to the 1-octet form and clears the
 * Extended Length bit (the canonical encoding: extended only when needed).
 */
import { AttrFlag } from "../constants.js";
import { parseIpv4, parseIpv6 } from "../nlri.js";

export function readU16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

export function readU32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

export class ByteWriter {
  #buf: Uint8Array;
  pos = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.pos));
    this.#buf = next;
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.#ensure(2);
    this.#buf[this.pos++] = (v >>> 8) & 0xff;
    this.#buf[this.pos++] = v & 0xff;
  }

  u32(v: number): void {
    this.#ensure(4);
    const b = this.#buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
  }

  bytes(src: Uint8Array): void {
    this.#ensure(src.length);
    this.#buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** An IPv4 address in text form, 4 octets. Throws RangeError on bad text. */
  ipv4(text: string): void {
    this.u32(parseIpv4(text));
  }

  /** An IPv6 address in text form, 16 octets. Throws RangeError on bad text. */
  ipv6(text: string): void {
    for (const w of parseIpv6(text)) this.u32(w);
  }

  /** Starts an attribute; returns the mark to pass to `end`. */
  begin(flags: number, type: number): number {
    const mark = this.pos;
    this.u8(flags | AttrFlag.ExtendedLength);
    this.u8(type);
    this.u16(0);
    return mark;
  }

  /** Ends the attribute started at `mark`, choosing the shortest length form. */
  end(mark: number): void {
    const valueStart = mark + 4;
    const len = this.pos - valueStart;
    if (len > 0xffff) throw new RangeError(`attribute ${this.#buf[mark + 1]} value is ${len} octets`);
    const b = this.#buf;
    if (len <= 0xff) {
      b[mark] = b[mark]! & ~AttrFlag.ExtendedLength;
      b[mark + 2] = len;
      b.copyWithin(mark + 3, valueStart, this.pos);
      this.pos--;
    } else {
      b[mark + 2] = len >>> 8;
      b[mark + 3] = len & 0xff;
    }
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.pos);
  }
}
