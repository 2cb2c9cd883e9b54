/**
 * The watchdog peer of the burst test, in its own process (so that a stalled
 * event loop in the test process cannot hide its own missed keepalives): an
 * eBGP speaker with hold time 3 s and keepalive 1 s that connects to the
 * speaker under test and prints every state change of the session.
 *
 *     node --import tsx keepalive-peer.ts --host A --port P --local B
 */
import { parseArgs } from "node:util";
import { createSpeaker } from "../../packages/bgp/src/speaker/index.js";

const { values } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    local: { type: "string" },
  },
});
const speaker = createSpeaker({
  localAs: 65002,
  routerId: "198.18.0.40",
  neighbors: [
    {
      address: values.host ?? "",
      asn: 65001,
      port: Number(values.port),
      localAddress: values.local ?? "",
      holdTime: 3,
      keepaliveTime: 1,
      connectRetryTime: 1,
      families: ["ipv4-unicast"],
    },
  ],
});
speaker.on("neighbor", (n) => process.stdout.write(`state ${n.state}\n`));
await speaker.start();
process.stdin.on("close", () => {
  void speaker.stop().then(() => process.exit(0));
});
process.stdin.resume();
