/**
 * BGP messages read off the wire: tcpdump on our side of the veth (port 179
 * only), for what neither our API nor the daemon's CLI shows: End-of-RIB
 * markers (RFC 4724 §2) in both directions.
 */
import { join } from "node:path";
import { runCommand } from "../harness/command.js";
import type { Netns } from "../harness/netns.js";
import { startProcess, waitFor } from "../harness/process.js";
import { makeTempDir } from "../harness/temp-dir.js";
import { OUR4, OUR6, THEIR4, THEIR6 } from "./setup.js";

export interface CapturedMessage {
  /** Source address of the TCP segment. */
  readonly from: string;
  /** tcpdump's decoding of the segment (all BGP messages in it). */
  readonly text: string;
}

export interface Capture {
  read(): Promise<CapturedMessage[]>;
}

/**
 * tcpdump on `ifname` in `ns` (port 179 only), to observe BGP messages from
 * the outside: End-of-RIB markers, ROUTE-REFRESH, NOTIFICATION.
 */
export async function startCapture(ns: Netns, ifname = "veth-ours"): Promise<Capture> {
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

/** Whose End-of-RIB: our speaker's or the daemon's. */
export type Sender = "ours" | "theirs";

const sessionsOf: Record<Sender, { v4: string; v6: string }> = {
  ours: { v4: OUR4, v6: OUR6 },
  theirs: { v4: THEIR4, v6: THEIR6 },
};

/** Waits until each sender has sent End-of-RIB on both sessions (IPv4 on the IPv4 one, IPv6 on the IPv6 one). */
export async function waitEndOfRib(capture: Capture, ...senders: readonly Sender[]): Promise<void> {
  await waitFor(`End-of-RIB from ${senders.join(" and ")} on both sessions`, async () => {
    const msgs = await capture.read();
    return senders.every(
      (s) =>
        endOfRibFrom(msgs, sessionsOf[s].v4).includes("ipv4") &&
        endOfRibFrom(msgs, sessionsOf[s].v6).includes("ipv6"),
    );
  });
}
