/**
 * The `ipvsadm -L -n --thresholds --nosort` parser and its merge into the
 * saved table, on golden output captured from the same kernel table as
 * fixtures/ipvsadm-save-full.txt. Real servers of 203.0.113.10:80 were added
 * in the order .12, .11, .9; the kernel lists them .9, .11, .12.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import { mergeListing, parseIpvsadmThresholdListing } from "./ipvsadm-list-parser.js";
import { parseIpvsadmSave } from "./ipvsadm-save-parser.js";
import { serviceId } from "./types.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const saved = parseIpvsadmSave(fixture("ipvsadm-save-full.txt"));
const listingText = fixture("ipvsadm-list-thresholds-nosort.txt");

describe("parseIpvsadmThresholdListing", () => {
  const listing = parseIpvsadmThresholdListing(listingText);

  it("finds every service (address and fwmark, IPv4 and IPv6) with its real servers in kernel order", () => {
    expect([...listing.keys()].sort()).toEqual(saved.services.map((s) => serviceId(s.key)).sort());
    expect(listing.get("tcp/203.0.113.10/80")).toEqual([
      { id: "198.18.0.9/8080", upperThreshold: 0, lowerThreshold: 0 },
      { id: "198.18.0.11/8080", upperThreshold: 0, lowerThreshold: 0 },
      { id: "198.18.0.12/8080", upperThreshold: 100, lowerThreshold: 10 },
    ]);
    expect(listing.get("tcp/2001:db8::10/443")?.[1]).toEqual({
      id: "2001:db8:0:1::12/8443",
      upperThreshold: 20,
      lowerThreshold: 3,
    });
    expect(listing.get("fwmark/inet6/43")).toEqual([
      { id: "2001:db8::11/0", upperThreshold: 0, lowerThreshold: 0 },
    ]);
    expect(listing.get("tcp/203.0.113.13/0")).toEqual([]);
  });

  it("rejects lines it does not understand", () => {
    expect(() => parseIpvsadmThresholdListing("  -> 198.18.0.1:80 0 0 0 0\n")).toThrow(IpvsError);
    expect(() => parseIpvsadmThresholdListing("XYZ 1.2.3.4:80 rr\n")).toThrow(/not a service/);
  });
});

describe("mergeListing", () => {
  it("fills thresholds and turns kernel order into addition order (oldest first)", () => {
    const table = mergeListing(saved, parseIpvsadmThresholdListing(listingText));
    const mh = table.services.find((s) => serviceId(s.key) === "tcp/203.0.113.10/80");
    expect(mh?.realServers.map((r) => [r.address, r.upperThreshold, r.lowerThreshold])).toEqual([
      ["198.18.0.12", 100, 10],
      ["198.18.0.11", 0, 0],
      ["198.18.0.9", 0, 0],
    ]);
    const udp = table.services.find((s) => serviceId(s.key) === "udp/203.0.113.12/53");
    expect(udp?.realServers[0]?.upperThreshold).toBe(50);
    // everything else is the saved table's
    expect(table.services.map((s) => serviceId(s.key))).toEqual(saved.services.map((s) => serviceId(s.key)));
  });

  it("reports a table that changed between the two reads as ERR_IPVS_INCONSISTENT_READ", () => {
    const shorter = listingText.replace(/^ {2}-> 198\.18\.0\.9:8080.*\n/m, "");
    expect(shorter).not.toBe(listingText);
    try {
      mergeListing(saved, parseIpvsadmThresholdListing(shorter));
      expect.unreachable();
    } catch (error) {
      expect((error as IpvsError).code).toBe(IpvsErrorCode.InconsistentRead);
    }
    expect(() => mergeListing({ services: [] }, parseIpvsadmThresholdListing(listingText))).toThrow(
      /different number of services/,
    );
  });
});
