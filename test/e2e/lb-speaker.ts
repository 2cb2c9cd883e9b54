/**
 * An LB speaker (@portlb/bgp) as its own process, run inside an LB namespace
 * by the e2e suite: `node --conditions=@portlb/source --import tsx
 * lb-speaker.ts '<json>'`. It peers with ts-rr from `localAddress`, announces
 * `announce` with NEXT_HOP `nextHop` (the node address), prints every
 * neighbor status change as one JSON line on stdout, and stays up until
 * SIGTERM, which sends Cease/Administrative Shutdown (speaker.stop()).
 * Addresses: DESIGN.md test address plan only.
 */
import { createSpeaker } from "@portlb/bgp";

export interface LbSpeakerArgs {
  readonly localAs: number;
  readonly routerId: string;
  /** ts-rr's address. */
  readonly neighbor: string;
  readonly neighborAs: number;
  readonly localAddress: string;
  readonly announce?: string;
  readonly nextHop?: string;
}

const args = JSON.parse(process.argv[2] ?? "{}") as LbSpeakerArgs;
const speaker = createSpeaker({
  localAs: args.localAs,
  routerId: args.routerId,
  neighbors: [
    {
      address: args.neighbor,
      asn: args.neighborAs,
      localAddress: args.localAddress,
      families: ["ipv4-unicast"],
      holdTime: 9,
      connectRetryTime: 1,
    },
  ],
});
// Neighbor status as JSON lines: every "neighbor" event, and (the library
// emits none for a session that fails before Established) every change of
// state or last error seen by polling.
let last = "";
const report = (): void => {
  for (const status of speaker.neighbors()) {
    const line = JSON.stringify({ event: "neighbor", ...status, since: undefined });
    if (line === last) continue;
    last = line;
    process.stdout.write(`${line}\n`);
  }
};
speaker.on("neighbor", report);
const poll = setInterval(report, 50);
await speaker.start();
if (args.announce !== undefined) {
  speaker.announce({
    prefix: args.announce,
    ...(args.nextHop === undefined ? {} : { nextHop: args.nextHop }),
  });
}
process.stdout.write(`${JSON.stringify({ event: "started" })}\n`);

// The library's timers are unref'd (session/clock.ts): between connection
// attempts nothing but `poll` keeps this process alive.
let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  clearInterval(poll);
  void speaker.stop("lb-speaker stopping").then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
