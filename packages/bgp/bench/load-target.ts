/**
 * The portlb side of `pnpm bench:load`: a speaker in its own process that
 * accepts the injector as an iBGP neighbor and prints `loaded` once its
 * Loc-RIB holds the expected number of prefixes.
 *
 *     node --import tsx load-target.ts --address A --port P --peer B --expect N
 */
import { parseArgs } from "node:util";
import { createSpeaker } from "../src/speaker/index.js";

const { values } = parseArgs({
  options: {
    address: { type: "string", default: "127.0.10.1" },
    port: { type: "string", default: "1790" },
    peer: { type: "string", default: "127.0.10.2" },
    expect: { type: "string", default: "1000000" },
  },
});
const expected = Number(values.expect);
const speaker = createSpeaker({
  localAs: 65001,
  routerId: values.address,
  listen: [{ address: values.address, port: Number(values.port) }],
  neighbors: [{ address: values.peer, asn: 65001, passive: true, families: ["ipv4-unicast"], holdTime: 240 }],
});
await speaker.start();
process.stdout.write("ready\n");
const timer = setInterval(() => {
  if (speaker.engine.locRib.size >= expected) {
    process.stdout.write(`loaded ${speaker.engine.locRib.size}\n`);
    clearInterval(timer);
  }
}, 5);
process.on("SIGTERM", () => {
  void speaker.stop().then(() => process.exit(0));
});
