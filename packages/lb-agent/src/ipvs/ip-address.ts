/**
 * IP addresses as IPVS sees them: parsed to bytes, printed in one canonical
 * text form, and ordered numerically.
 *
 * Why: `ipvsadm-save -n` prints addresses with inet_ntop (IPv6 compressed,
 * lower case, RFC 5952), while desired state comes from configuration in
 * whatever spelling the user chose (`2001:DB8:0::1`). Comparing the two needs
 * one canonical form. The numeric order is the "canonical order" in which
 * real servers are added (see plan.ts): `198.18.0.9` sorts before
 * `198.18.0.10`, IPv4 before IPv6.
 */
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";

export type AddressFamily = "inet" | "inet6";

/** A parsed address: 4 or 16 bytes. */
export interface ParsedAddress {
  readonly family: AddressFamily;
  readonly bytes: Uint8Array;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? "";
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseGroups(text: string): number[] | null {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** Parses an IPv4 or IPv6 address (no brackets, no zone); null if it is neither. */
export function parseAddress(text: string): ParsedAddress | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: "inet", bytes: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : null;
  return v6 === null ? null : { family: "inet6", bytes: v6 };
}

/** RFC 5952 text: lower case, longest run (>= 2) of zero groups compressed. */
export function formatAddress(address: ParsedAddress): string {
  const b = address.bytes;
  if (address.family === "inet") return Array.from(b).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

/**
 * Memo of canonicalAddress: every reconcile parses the same few thousand
 * addresses many times (desired table, sorting, planning); parsing dominated
 * the planning benchmark. Bounded: cleared when it reaches the cap.
 */
const canonicalCache = new Map<string, ParsedAddress & { readonly text: string }>();
const canonicalCacheCap = 16_384;

/** Canonical text of an address, or a typed error naming the bad input. */
export function canonicalAddress(text: string): ParsedAddress & { readonly text: string } {
  const cached = canonicalCache.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseAddress(text);
  if (parsed === null) {
    throw new IpvsError(IpvsErrorCode.InvalidAddress, `not an IPv4 or IPv6 address: "${text}"`);
  }
  const canonical = Object.freeze({ ...parsed, text: formatAddress(parsed) });
  if (canonicalCache.size >= canonicalCacheCap) canonicalCache.clear();
  canonicalCache.set(text, canonical);
  return canonical;
}

/** Numeric order: IPv4 before IPv6, then byte by byte. Both must be valid. */
export function compareAddresses(a: string, b: string): number {
  const pa = canonicalAddress(a);
  const pb = canonicalAddress(b);
  if (pa.family !== pb.family) return pa.family === "inet" ? -1 : 1;
  for (let i = 0; i < pa.bytes.length; i++) {
    const d = (pa.bytes[i] ?? 0) - (pb.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The prefix length of a contiguous IPv4 netmask (`255.255.255.0` -> 24); null if not contiguous. */
export function ipv4NetmaskToPrefix(mask: string): number | null {
  const bytes = parseIpv4(mask);
  if (bytes === null) return null;
  const bits = Array.from(bytes, (byte) => byte.toString(2).padStart(8, "0")).join("");
  const prefix = bits.indexOf("0") === -1 ? 32 : bits.indexOf("0");
  return bits.slice(prefix).includes("1") ? null : prefix;
}

/** The dotted IPv4 netmask of a prefix length (24 -> `255.255.255.0`). */
export function prefixToIpv4Netmask(prefix: number): string {
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = (0xff << (8 - bits)) & 0xff;
  }
  return Array.from(bytes).join(".");
}
