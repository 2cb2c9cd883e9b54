/**
 * The @portlb/bgp README's example, run by test/docs/bgp-example.test.ts:
 * a route reflector that accepts dynamic iBGP peers from a range, and one
 * "LB" speaker that announces a VIP with its node address as next hop.
 * Loopback only (127.0.0.1 <-> 127.0.0.2, port 11179).
 *
 *     node --import tsx packages/bgp/examples/reflect-a-vip.ts
 */
import { once } from "node:events";
import { createSpeaker } from "@portlb/bgp";

// The reflector: listens, takes any peer from 127.0.0.0/8 that uses AS 65001.
const rr = createSpeaker({
  localAs: 65001,
  routerId: "198.18.0.1",
  clusterId: "198.18.0.1",
  listen: [{ address: "127.0.0.1", port: 11179 }],
  dynamicNeighbors: [
    {
      name: "lb-pods",
      prefixes: ["127.0.0.0/8"],
      asns: [65001],
      maxPeers: 100,
      routeReflectorClient: true,
      addPath: { "ipv4-unicast": "send" },
    },
  ],
});

// An LB speaker: one static neighbor (the reflector), one announced VIP.
const lb = createSpeaker({
  localAs: 65001,
  routerId: "198.19.0.11",
  neighbors: [
    { address: "127.0.0.1", port: 11179, asn: 65001, localAddress: "127.0.0.2", connectRetryTime: 1 },
  ],
});

await rr.start();
await lb.start();
lb.setAnnouncements([{ prefix: "203.0.113.10/32", nextHop: "198.18.0.11" }]);

// Wait for the route to arrive at the reflector.
for (;;) {
  const [prefix] = await once(rr, "route");
  if (prefix === "203.0.113.10/32") break;
}
const [session] = rr.neighbors();
console.log(`session ${session?.address} ${session?.state}`);
for (const r of rr.routes({ prefix: "203.0.113.10/32" }))
  console.log(`route ${r.prefix} via ${r.nextHop} from ${r.peer} best=${r.best}`);

// Withdraw: the reflector drops it; then say goodbye (Cease/Administrative Shutdown).
lb.setAnnouncements([]);
await once(rr, "route");
console.log(`after withdraw: ${rr.routes().length} routes`);
await lb.stop();
await rr.stop();
