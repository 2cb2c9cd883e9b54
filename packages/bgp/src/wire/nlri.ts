/**
 * IPv4/IPv6 unicast NLRI (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3).
 *
 *     +---------------------------+
 *     | Path Identifier (4 octets)|   only when ADD-PATH is negotiated
 *     +---------------------------+   for this family and direction
 *     | Length (1 octet, in bits) |
 *     +---------------------------+
 *     | Prefix (ceil(Length/8))   |
 *     +---------------------------+
 *
 * Built for volume: a decoded list is ONE `Uint32Array`, not an object per
 * prefix. IPv4 entries take 3 words `[pathId, address, length]`; IPv6
 * entries take 6 words `[pathId, a0, a1, a2, a3, length]` (a0 the most
 * significant). Host bits past the length are cleared on decode, so equal
 * prefixes have equal words. Decoding walks the bytes twice: once to check
 * and count, once to fill an exactly-sized array.
 */
import { Afi } from "./constants.js";

export interface NlriList {
  readonly afi: Afi;
  /** Entries carry meaningful path identifiers (ADD-PATH). Without it pathId is 0. */
  readonly addPath: boolean;
  readonly count: number;
  readonly words: Uint32Array;
}

/** Why a run of NLRI octets could not be read; the caller maps it to an error action. */
export class NlriSyntaxError extends Error {
  override readonly name = "NlriSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function strideOf(afi: Afi): number {
  return afi === Afi.Ipv4 ? 3 : 6;
}

function maxBitsOf(afi: Afi): number {
  return afi === Afi.Ipv4 ? 32 : 128;
}

const emptyWords = new Uint32Array(0);

export function emptyNlri(afi: Afi, addPath = false): NlriList {
  return { afi, addPath, count: 0, words: emptyWords };
}

/**
 * Decodes `buf[start, end)` as a run of NLRI. Throws `NlriSyntaxError` when a
 * length exceeds the family's width or an entry runs past `end`.
 */
export function decodeNlri(
  buf: Uint8Array,
  start: number,
  end: number,
  afi: Afi,
  addPath: boolean,
): NlriList {
  const maxBits = maxBitsOf(afi);
  const idLen = addPath ? 4 : 0;
  let count = 0;
  let p = start;
  while (p < end) {
    if (p + idLen >= end) throw new NlriSyntaxError("NLRI truncated before the prefix length", p);
    const bits = buf[p + idLen]!;
    if (bits > maxBits) throw new NlriSyntaxError(`prefix length ${bits} exceeds ${maxBits}`, p);
    p += idLen + 1 + ((bits + 7) >>> 3);
    if (p > end) throw new NlriSyntaxError("prefix runs past the end of the NLRI", p);
    count++;
  }
  if (count === 0) return emptyNlri(afi, addPath);
  const stride = strideOf(afi);
  const words = new Uint32Array(count * stride);
  p = start;
  for (let w = 0; w < words.length; w += stride) {
    if (addPath) {
      words[w] = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      p += 4;
    }
    const bits = buf[p++]!;
    const bytes = (bits + 7) >>> 3;
    if (stride === 3) {
      let a = 0;
      for (let i = 0; i < bytes; i++) a |= buf[p + i]! << (24 - 8 * i);
      words[w + 1] = bits === 0 ? 0 : (a & (0xffffffff << (32 - bits))) >>> 0;
      words[w + 2] = bits;
    } else {
      for (let k = 0; k < 4; k++) {
        let a = 0;
        for (let i = 0; i < 4; i++) {
          const j = 4 * k + i;
          if (j < bytes) a |= buf[p + j]! << (24 - 8 * i);
        }
        const wordBits = bits - 32 * k;
        words[w + 1 + k] =
          wordBits <= 0 ? 0 : wordBits >= 32 ? a >>> 0 : (a & (0xffffffff << (32 - wordBits))) >>> 0;
      }
      words[w + 5] = bits;
    }
    p += bytes;
  }
  return { afi, addPath, count, words };
}

/** Octets `list` takes on the wire. */
export function nlriLength(list: NlriList): number {
  const stride = strideOf(list.afi);
  const lenAt = stride - 1;
  const idLen = list.addPath ? 4 : 0;
  let n = 0;
  // Bounded by count, as encodeNlri is: words may be longer than count entries.
  const end = list.count * stride;
  for (let w = 0; w < end; w += stride) n += idLen + 1 + ((list.words[w + lenAt]! + 7) >>> 3);
  return n;
}

/** Octets entry `i` takes on the wire. */
export function nlriEntryLength(list: NlriList, i: number): number {
  const stride = strideOf(list.afi);
  return (list.addPath ? 4 : 0) + 1 + ((list.words[i * stride + stride - 1]! + 7) >>> 3);
}

/** Writes entries [from, to) of `list` at `offset`; returns the offset after them. */
export function encodeNlri(
  list: NlriList,
  out: Uint8Array,
  offset: number,
  from = 0,
  to = list.count,
): number {
  const stride = strideOf(list.afi);
  const w = list.words;
  let p = offset;
  for (let e = from; e < to; e++) {
    const base = e * stride;
    if (list.addPath) {
      const id = w[base]!;
      out[p] = id >>> 24;
      out[p + 1] = (id >>> 16) & 0xff;
      out[p + 2] = (id >>> 8) & 0xff;
      out[p + 3] = id & 0xff;
      p += 4;
    }
    const bits = w[base + stride - 1]!;
    out[p++] = bits;
    const bytes = (bits + 7) >>> 3;
    for (let i = 0; i < bytes; i++) out[p + i] = (w[base + 1 + (i >>> 2)]! >>> (24 - 8 * (i & 3))) & 0xff;
    p += bytes;
  }
  return p;
}

/** A run of entries [from, to) as its own list (shares the words). */
export function sliceNlri(list: NlriList, from: number, to: number): NlriList {
  const stride = strideOf(list.afi);
  return {
    afi: list.afi,
    addPath: list.addPath,
    count: to - from,
    words: list.words.subarray(from * stride, to * stride),
  };
}

// ---------------------------------------------------------------------------
// Text form: "203.0.113.0/24", "2001:db8::/32". Hand-written because this is
// on the path of every CLI line and test; config parsing uses ip-num.

export interface PrefixEntry {
  readonly prefix: string;
  readonly pathId: number;
}

/** Builds a list from text prefixes (host bits cleared). Throws `RangeError` on bad text. */
export function nlriFromPrefixes(
  afi: Afi,
  prefixes: readonly (string | PrefixEntry)[],
  addPath = false,
): NlriList {
  const stride = strideOf(afi);
  const words = new Uint32Array(prefixes.length * stride);
  prefixes.forEach((entry, i) => {
    const { prefix, pathId } = typeof entry === "string" ? { prefix: entry, pathId: 0 } : entry;
    const parsed = parsePrefix(prefix);
    if (parsed.afi !== afi)
      throw new RangeError(`${prefix} is not an ${afi === Afi.Ipv4 ? "IPv4" : "IPv6"} prefix`);
    words[i * stride] = pathId >>> 0;
    words.set(parsed.words, i * stride + 1);
  });
  return { afi, addPath, count: prefixes.length, words };
}

export function prefixAt(list: NlriList, i: number): string {
  const stride = strideOf(list.afi);
  const base = i * stride;
  const w = list.words;
  if (stride === 3) return `${formatIpv4(w[base + 1]!)}/${w[base + 2]}`;
  return `${formatIpv6Words(w[base + 1]!, w[base + 2]!, w[base + 3]!, w[base + 4]!)}/${w[base + 5]}`;
}

export function pathIdAt(list: NlriList, i: number): number {
  return list.words[i * strideOf(list.afi)]!;
}

export function nlriToPrefixes(list: NlriList): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.count; i++) out.push(prefixAt(list, i));
  return out;
}

export function nlriToEntries(list: NlriList): PrefixEntry[] {
  const out: PrefixEntry[] = [];
  for (let i = 0; i < list.count; i++) out.push({ prefix: prefixAt(list, i), pathId: pathIdAt(list, i) });
  return out;
}

/** Parses "a.b.c.d/len" or an IPv6 prefix into family + words (address words then length). */
export function parsePrefix(text: string): { afi: Afi; words: Uint32Array } {
  const slash = text.indexOf("/");
  if (slash < 0) throw new RangeError(`not a prefix: ${JSON.stringify(text)}`);
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) throw new RangeError(`bad prefix length in ${JSON.stringify(text)}`);
  const bits = Number(lenText);
  if (addr.includes(":")) {
    if (bits > 128) throw new RangeError(`prefix length ${bits} exceeds 128`);
    const a = parseIpv6(addr);
    const words = new Uint32Array(5);
    for (let k = 0; k < 4; k++) {
      const wordBits = bits - 32 * k;
      words[k] = wordBits <= 0 ? 0 : wordBits >= 32 ? a[k]! : (a[k]! & (0xffffffff << (32 - wordBits))) >>> 0;
    }
    words[4] = bits;
    return { afi: Afi.Ipv6, words };
  }
  if (bits > 32) throw new RangeError(`prefix length ${bits} exceeds 32`);
  const a = parseIpv4(addr);
  return {
    afi: Afi.Ipv4,
    words: Uint32Array.of(bits === 0 ? 0 : (a & (0xffffffff << (32 - bits))) >>> 0, bits),
  };
}

export function parseIpv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  let a = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255)
      throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
    a = a * 256 + Number(part);
  }
  return a >>> 0;
}

export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted quad) into four words. */
export function parseIpv6(text: string): Uint32Array {
  const bad = (): RangeError => new RangeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  let s = text;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.includes(".", lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const parseGroups = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
          return Number.parseInt(g, 16);
        });
  let groups: number[];
  const dbl = s.indexOf("::");
  if (dbl >= 0) {
    if (s.indexOf("::", dbl + 1) >= 0) throw bad();
    const head = parseGroups(s.slice(0, dbl));
    const back = parseGroups(s.slice(dbl + 2));
    const fill = 8 - head.length - back.length;
    if (fill < 1) throw bad();
    groups = [...head, ...new Array<number>(fill).fill(0), ...back];
  } else {
    groups = parseGroups(s);
  }
  if (groups.length !== 8) throw bad();
  const out = new Uint32Array(4);
  for (let k = 0; k < 4; k++) out[k] = ((groups[2 * k]! << 16) | groups[2 * k + 1]!) >>> 0;
  return out;
}

/** RFC 5952 text form of four words. */
export function formatIpv6Words(a0: number, a1: number, a2: number, a3: number): string {
  // RFC 5952 §5: IPv4-mapped addresses end in dotted decimal.
  if (a0 === 0 && a1 === 0 && a2 === 0xffff) return `::ffff:${formatIpv4(a3)}`;
  const g = [a0 >>> 16, a0 & 0xffff, a1 >>> 16, a1 & 0xffff, a2 >>> 16, a2 & 0xffff, a3 >>> 16, a3 & 0xffff];
  // RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first if tied.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const w = (k: number): number =>
    ((bytes[offset + 4 * k]! << 24) |
      (bytes[offset + 4 * k + 1]! << 16) |
      (bytes[offset + 4 * k + 2]! << 8) |
      bytes[offset + 4 * k + 3]!) >>>
    0;
  return formatIpv6Words(w(0), w(1), w(2), w(3));
}

export function ipv6ToBytes(text: string): Uint8Array {
  const w = parseIpv6(text);
  const out = new Uint8Array(16);
  for (let k = 0; k < 4; k++) {
    out[4 * k] = w[k]! >>> 24;
    out[4 * k + 1] = (w[k]! >>> 16) & 0xff;
    out[4 * k + 2] = (w[k]! >>> 8) & 0xff;
    out[4 * k + 3] = w[k]! & 0xff;
  }
  return out;
}

/**
 * The same entries, read or written with (or without) path identifiers: the
 * wire form follows the session's ADD-PATH state, not the list's.
 */
export function withAddPath(list: NlriList, addPath: boolean): NlriList {
  return list.addPath === addPath ? list : { afi: list.afi, addPath, count: list.count, words: list.words };
}
