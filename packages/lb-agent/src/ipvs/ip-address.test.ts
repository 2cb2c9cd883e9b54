/** Canonical address text (RFC 5952) and the numeric order of real servers. */
import { describe, expect, it } from "vitest";
import {
  canonicalAddress,
  compareAddresses,
  ipv4NetmaskToPrefix,
  parseAddress,
  prefixToIpv4Netmask,
} from "./ip-address.js";
import { IpvsError } from "./ipvs-error.js";

describe("ip-address", () => {
  it.each([
    ["198.18.0.1", "198.18.0.1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:1:0:0:0:12", "2001:db8:0:1::12"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:1:1:1:1:0:1", "2001:db8:1:1:1:1:0:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["2001:db8::198.51.100.1", "2001:db8::c633:6401"],
  ])("canonical %s -> %s", (input, output) => {
    expect(canonicalAddress(input).text).toBe(output);
  });

  it.each([
    "198.18.0.256",
    "198.18.0",
    "01.2.3.4",
    "2001:db8:::1",
    "2001:db8::1::2",
    "1:2:3:4:5:6:7:8:9",
    "host",
    "",
  ])("rejects %s", (input) => {
    expect(parseAddress(input)).toBeNull();
    expect(() => canonicalAddress(input)).toThrow(IpvsError);
  });

  it("orders numerically, IPv4 before IPv6", () => {
    const sorted = ["2001:db8::1", "198.18.0.10", "198.18.0.9", "198.18.1.1"].sort(compareAddresses);
    expect(sorted).toEqual(["198.18.0.9", "198.18.0.10", "198.18.1.1", "2001:db8::1"]);
  });

  it("converts IPv4 netmasks", () => {
    expect(ipv4NetmaskToPrefix("255.255.255.0")).toBe(24);
    expect(ipv4NetmaskToPrefix("255.255.255.255")).toBe(32);
    expect(ipv4NetmaskToPrefix("0.0.0.0")).toBe(0);
    expect(ipv4NetmaskToPrefix("255.0.255.0")).toBeNull();
    expect(prefixToIpv4Netmask(20)).toBe("255.255.240.0");
    expect(prefixToIpv4Netmask(32)).toBe("255.255.255.255");
  });
});
