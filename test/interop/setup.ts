/**
 * The topology of every interop case: two namespaces on one veth (ours
 * 198.18.0.1 / 2001:db8::1, theirs 198.18.0.2 / 2001:db8::2, DESIGN.md test
 * address plan), the ASes, the routes we announce and our neighbor configs.
 * Starting our speaker: our-speaker.ts; the checks the suites share:
 * route-checks.ts, session-checks.ts, capture.ts.
 */
import type { NeighborConfig } from "@portlb/bgp";
import { createVeth, Netns } from "../harness/netns.js";
import type { RunnerLocalRoute } from "./runner-protocol.js";

export const OUR4 = "198.18.0.1";
export const THEIR4 = "198.18.0.2";
export const OUR6 = "2001:db8::1";
export const THEIR6 = "2001:db8::2";
/** A 4-octet AS (RFC 6793) for our side in eBGP cases. */
export const OUR_AS4 = 4200000001;
export const THEIR_AS = 64512;

export interface Pair {
  readonly ours: Netns;
  readonly theirs: Netns;
}

export async function makePair(daemon: string): Promise<Pair> {
  const ours = await Netns.create("ours");
  const theirs = await Netns.create(daemon);
  await createVeth(
    { ns: ours, ifname: "veth-ours", addresses: [`${OUR4}/24`, `${OUR6}/64`] },
    { ns: theirs, ifname: "veth-theirs", addresses: [`${THEIR4}/24`, `${THEIR6}/64`] },
  );
  return { ours, theirs };
}

/** RFC 1997 community "asn:value" as the 32-bit number our API takes. */
export function community(text: string): number {
  const [hi, lo] = text.split(":").map(Number);
  return (((hi ?? 0) << 16) | (lo ?? 0)) >>> 0;
}

export function largeCommunity(text: string): {
  globalAdmin: number;
  localData1: number;
  localData2: number;
} {
  const [g, a, b] = text.split(":").map(Number);
  return { globalAdmin: g ?? 0, localData1: a ?? 0, localData2: b ?? 0 };
}

/** Our two announcements: one IPv4 VIP, one IPv6 prefix, with communities, large communities, MED. */
export function ourRoutes(opts: { localPref?: number } = {}): {
  v4: RunnerLocalRoute;
  v6: RunnerLocalRoute;
} {
  const lp = opts.localPref === undefined ? {} : { localPref: opts.localPref };
  return {
    v4: {
      prefix: "203.0.113.10/32",
      med: 50,
      communities: [community("65000:10")],
      largeCommunities: [largeCommunity("4200000001:1:2")],
      ...lp,
    },
    v6: {
      prefix: "2001:db8:100::/48",
      med: 60,
      communities: [community("65000:20")],
      largeCommunities: [largeCommunity("4200000001:3:4")],
      ...lp,
    },
  };
}

/** One neighbor per family (IPv4 session carries IPv4 unicast, IPv6 session IPv6 unicast). */
export function ourNeighbors(asn: number, extra: Partial<NeighborConfig> = {}): NeighborConfig[] {
  const base = { holdTime: 9, connectRetryTime: 1, ...extra };
  return [
    { ...base, address: THEIR4, asn, localAddress: OUR4, families: ["ipv4-unicast"] },
    { ...base, address: THEIR6, asn, localAddress: OUR6, families: ["ipv6-unicast"] },
  ];
}

export const ourListen = [
  { address: OUR4, port: 179 },
  { address: OUR6, port: 179 },
];
