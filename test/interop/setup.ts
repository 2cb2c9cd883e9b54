/**
 * Shared pieces of the interop suites: two namespaces on one veth (ours
 * 198.18.0.1 / 2001:db8::1, theirs 198.18.0.2 / 2001:db8::2, DESIGN.md test
 * address plan), the routes we announce, and readers for the kernel's TCP
 * sessions and captured BGP messages.
 */
import { join } from "node:path";
import type { NeighborConfig } from "@portlb/bgp";
import { runCommand } from "../harness/command.js";
import { createVeth, Netns } from "../harness/netns.js";
import { startProcess, waitFor } from "../harness/process.js";
import { makeTempDir } from "../harness/temp-dir.js";
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

/** Established TCP connections on port 179 in `ns` (`ss -tn`), as "local peer" pairs. */
export async function bgpConnections(ns: Netns): Promise<string[]> {
  const { stdout } = await ns.exec("ss", [
    "-Htn",
    "state",
    "established",
    "( sport = :179 or dport = :179 )",
  ]);
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map((f) => `${f[2]} ${f[3]}`);
}

export interface CapturedMessage {
  /** Source address of the TCP segment. */
  readonly from: string;
  /** tcpdump's decoding of the segment (all BGP messages in it). */
  readonly text: string;
}

/**
 * tcpdump on `ifname` in `ns` (port 179 only), to observe BGP messages from
 * the outside: End-of-RIB markers, ROUTE-REFRESH, NOTIFICATION.
 */
export async function startCapture(
  ns: Netns,
  ifname: string,
): Promise<{ read(): Promise<CapturedMessage[]> }> {
  const dir = makeTempDir("capture");
  const file = join(dir, "bgp.pcap");
  const proc = startProcess({
    name: "tcpdump",
    command: "tcpdump",
    args: ["-i", ifname, "-U", "-n", "-w", file, "tcp port 179"],
    logDir: dir,
    netns: ns.name,
  });
  await waitFor("tcpdump listening", () => /listening on/.test(proc.logs()), { processes: [proc] });
  return {
    async read() {
      const { stdout } = await runCommand("tcpdump", ["-n", "-vvv", "-r", file], { allowFailure: true });
      const out: CapturedMessage[] = [];
      for (const block of stdout.split(/\n(?=\d\d:\d\d:\d\d\.)/)) {
        const m = /\s(\S+)\.\d+ > \S+\.\d+: Flags/.exec(block);
        if (m?.[1] !== undefined && /BGP/.test(block)) out.push({ from: m[1], text: block });
      }
      return out;
    },
  };
}

/** Families ("ipv4"/"ipv6") of the End-of-RIB markers sent by `from`. */
export function endOfRibFrom(messages: readonly CapturedMessage[], from: string): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.from !== from) continue;
    for (const msg of m.text.split(/(?=Update Message)/)) {
      if (/End-of-Rib/i.test(msg)) out.push(/AFI: IPv6/.test(msg) ? "ipv6" : "ipv4");
    }
  }
  return out;
}
