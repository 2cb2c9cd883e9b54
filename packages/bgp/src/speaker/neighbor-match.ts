/**
 * Which dynamic range (if any) an incoming connection's address belongs to.
 * CIDRs are parsed with ip-num (validated at config time). A connection from
 * an address in no range and no static neighbor is closed before its OPEN is
 * read (speaker.ts).
 */
import { IPv4, IPv4CidrRange, IPv4Prefix, IPv6, IPv6CidrRange, IPv6Prefix, Validator } from "../ip-num.js";
import type { DynamicRangeConfig } from "./speaker-config.js";

function contains(cidr: string, address: string): boolean {
  const v6 = address.includes(":");
  if (cidr.includes(":") !== v6) return false;
  try {
    if (v6) {
      if (!Validator.isValidIPv6String(address)[0]) return false;
      const range = IPv6CidrRange.fromCidr(cidr);
      return range.contains(new IPv6CidrRange(IPv6.fromString(address), IPv6Prefix.fromNumber(128n)));
    }
    if (!Validator.isValidIPv4String(address)[0]) return false;
    const range = IPv4CidrRange.fromCidr(cidr);
    return range.contains(new IPv4CidrRange(IPv4.fromString(address), IPv4Prefix.fromNumber(32n)));
  } catch {
    return false;
  }
}

/** The first range whose prefixes contain `address`. */
export function matchRange(
  address: string,
  ranges: readonly DynamicRangeConfig[],
): DynamicRangeConfig | undefined {
  return ranges.find((r) => r.prefixes.some((p) => contains(p, address)));
}
