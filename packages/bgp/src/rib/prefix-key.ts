/**
 * Prefix keys: how the RIBs name a destination without an object per prefix.
 *
 *     IPv4  number   address * 64 + length        (< 2^38, exact in a double)
 *     IPv6  string   8 UTF-16 units (16-bit groups, most significant first)
 *                    + 1 unit holding the length   (9 units, host bits clear)
 *
 * The two families never collide (a number is never equal to a string), so
 * one Map can hold both. Keys come straight from the words of a decoded
 * `NlriList` (wire/nlri.ts), whose host bits are already cleared, so equal
 * prefixes give equal keys; `writeKeyWords` turns a key back into NlriList
 * words for packing (adj-rib-out.ts).
 */
import { Afi, formatIpv4, formatIpv6Words, type NlriList, parsePrefix, strideOf } from "../wire/index.js";

/** A prefix: a number for IPv4, a 9-unit string for IPv6 (see the module header). */
export type PrefixKey = number | string;

/** IPv4 keys leave room for lengths 0..63 below the address (lengths stop at 32). */
const ipv4LengthRadix = 64;
/** UTF-16 code units hold 16 bits: two per 32-bit address word. */
const unitBits = 16;
const unitMask = 0xffff;
const ipv6AddressWords = 4;

export function ipv4Key(address: number, length: number): number {
  return (address >>> 0) * ipv4LengthRadix + length;
}

export function ipv6Key(a0: number, a1: number, a2: number, a3: number, length: number): string {
  return String.fromCharCode(
    a0 >>> unitBits,
    a0 & unitMask,
    a1 >>> unitBits,
    a1 & unitMask,
    a2 >>> unitBits,
    a2 & unitMask,
    a3 >>> unitBits,
    a3 & unitMask,
    length,
  );
}

export function isIpv4Key(key: PrefixKey): key is number {
  return typeof key === "number";
}

export function afiOfKey(key: PrefixKey): Afi {
  return typeof key === "number" ? Afi.Ipv4 : Afi.Ipv6;
}

/** The key of entry `i` of a decoded NLRI list (its path identifier is not part of it). */
export function keyAt(list: NlriList, i: number): PrefixKey {
  const w = list.words;
  if (list.afi === Afi.Ipv4) {
    const base = i * strideOf(Afi.Ipv4);
    return w[base + 1]! * ipv4LengthRadix + w[base + 2]!;
  }
  const base = i * strideOf(Afi.Ipv6);
  return ipv6Key(w[base + 1]!, w[base + 2]!, w[base + 3]!, w[base + 4]!, w[base + 5]!);
}

export function prefixLengthOf(key: PrefixKey): number {
  return typeof key === "number" ? key % ipv4LengthRadix : key.charCodeAt(2 * ipv6AddressWords);
}

/**
 * Writes the address words and the length of `key` at `words[at..]` (the
 * NlriList layout minus the leading path identifier word).
 */
export function writeKeyWords(key: PrefixKey, words: Uint32Array, at: number): void {
  if (typeof key === "number") {
    const length = key % ipv4LengthRadix;
    words[at] = (key - length) / ipv4LengthRadix;
    words[at + 1] = length;
    return;
  }
  for (let k = 0; k < ipv6AddressWords; k++)
    words[at + k] = ((key.charCodeAt(2 * k) << unitBits) | key.charCodeAt(2 * k + 1)) >>> 0;
  words[at + ipv6AddressWords] = key.charCodeAt(2 * ipv6AddressWords);
}

/** "203.0.113.0/24" or "2001:db8::/32". */
export function prefixKeyToText(key: PrefixKey): string {
  if (typeof key === "number") {
    const length = key % ipv4LengthRadix;
    return `${formatIpv4((key - length) / ipv4LengthRadix)}/${length}`;
  }
  const words = new Uint32Array(ipv6AddressWords + 1);
  writeKeyWords(key, words, 0);
  return `${formatIpv6Words(words[0]!, words[1]!, words[2]!, words[3]!)}/${words[4]}`;
}

/** Parses prefix text (host bits cleared). Throws RangeError on bad text. */
export function prefixKeyFromText(text: string): PrefixKey {
  const { afi, words } = parsePrefix(text);
  if (afi === Afi.Ipv4) return ipv4Key(words[0]!, words[1]!);
  return ipv6Key(words[0]!, words[1]!, words[2]!, words[3]!, words[4]!);
}
