/**
 * The injector of the burst test, in its own process (so that building and
 * writing the table, and reading what is echoed back, do not count against
 * the event loop under test): the bench injector with the bench table, N
 * IPv4 prefixes plus End-of-RIB. Prints "sent" once every octet is written;
 * closing stdin closes the session.
 *
 *     node --import tsx inject-child.ts --host A --port P --local B --prefixes N
 */
import { parseArgs } from "node:util";
import { inject } from "../../packages/bgp/bench/injector.js";
import { blocks, makeV4, packTable } from "../../packages/bgp/bench/table.js";
import { Afi, encodeUpdate, endOfRib, makeContext, Safi } from "../../packages/bgp/src/wire/index.js";

const { values } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    local: { type: "string" },
    prefixes: { type: "string", default: "1000000" },
  },
});
const ctx = makeContext({ fourOctetAs: true });
const table = packTable(
  blocks(Afi.Ipv4, makeV4(Number(values.prefixes)), 5000, { nextHop: "198.18.0.2", localPref: 100 }),
  ctx,
);
table.push(encodeUpdate(endOfRib(Afi.Ipv4, Safi.Unicast), ctx));
process.stdout.write("ready\n");
// Start when the test says so (a line on stdin), end when stdin closes.
process.stdin.once("data", () => {
  void inject({
    host: values.host ?? "",
    port: Number(values.port),
    localAddress: values.local ?? "",
    asn: 65001,
    routerId: "198.19.0.2",
    messages: table,
  }).then(async (injection) => {
    await injection.written;
    process.stdout.write("sent\n");
    process.stdin.on("close", () => {
      injection.close();
      process.exit(0);
    });
  });
});
process.stdin.on("close", () => process.exit(0));
