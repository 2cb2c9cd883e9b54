/**
 * Route reflection with ADD-PATH over real TCP on loopback: LB speakers as
 * dynamic route-reflector clients, an upstream router that receives every
 * path (RFC 7911) with ORIGINATOR_ID and CLUSTER_LIST set and NEXT_HOP left
 * alone (RFC 4456 §8).
 */
import { afterEach, describe, expect, it } from "vitest";
import { State } from "../fsm/types.js";
import { createSpeaker, type Speaker, type SpeakerOptions } from "./speaker.js";

const running: Speaker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(opts: SpeakerOptions): Promise<Speaker> {
  const s = createSpeaker(opts);
  running.push(s);
  await s.start();
  return s;
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("route reflection with ADD-PATH", () => {
  it("hands every LB path to the router, reflects between clients; the originator keeps only its own", async () => {
    // The upstream router: passive iBGP, receives ADD-PATH.
    const router = await start({
      localAs: 65001,
      routerId: "198.18.0.254",
      listen: [{ address: "127.0.3.254", port: 0 }],
      neighbors: [
        { address: "127.0.3.1", asn: 65001, passive: true, addPath: { "ipv4-unicast": "receive" } },
      ],
    });
    const rr = await start({
      localAs: 65001,
      routerId: "198.18.0.1",
      clusterId: "198.18.0.1",
      listen: [{ address: "127.0.3.1", port: 0 }],
      neighbors: [
        {
          address: "127.0.3.254",
          asn: 65001,
          port: router.listening()[0]!.port,
          localAddress: "127.0.3.1",
          addPath: { "ipv4-unicast": "send" },
          connectRetryTime: 1,
        },
      ],
      dynamicNeighbors: [
        { name: "lbs", prefixes: ["127.0.4.0/24"], asns: [65001], maxPeers: 10, routeReflectorClient: true },
      ],
    });
    const rrPort = rr.listening()[0]!.port;
    const lb = (n: number) =>
      start({
        localAs: 65001,
        routerId: `198.19.0.${n}`,
        neighbors: [
          {
            address: "127.0.3.1",
            asn: 65001,
            port: rrPort,
            localAddress: `127.0.4.${n}`,
            connectRetryTime: 1,
          },
        ],
      });
    const lbs = await Promise.all([lb(1), lb(2), lb(3)]);
    await until(
      "3 clients + router up at the reflector",
      () => rr.neighbors().filter((n) => n.state === State.Established).length === 4,
    );
    for (const [i, s] of lbs.entries())
      s.announce({ prefix: "203.0.113.10/32", nextHop: `198.18.0.${11 + i}` });

    await until("3 paths at the router", () => router.routes({ prefix: "203.0.113.10/32" }).length === 3);
    const paths = router.routes({ prefix: "203.0.113.10/32" });
    expect(paths.map((p) => p.nextHop).sort()).toEqual(["198.18.0.11", "198.18.0.12", "198.18.0.13"]);
    expect(paths.map((p) => p.originatorId).sort()).toEqual(["198.19.0.1", "198.19.0.2", "198.19.0.3"]);
    for (const p of paths) expect(p.clusterList).toEqual(["198.18.0.1"]);
    expect(new Set(paths.map((p) => p.pathId)).size).toBe(3);

    // The reflector's best is client 1's path (lowest ORIGINATOR_ID, RFC 4456 §9): client 2
    // hears it. The clients share an update group, so client 1 is sent its own route too
    // and drops it: its BGP Identifier is the ORIGINATOR_ID (RFC 4456 §8).
    await until(
      "client 2 has two candidates",
      () => lbs[1]!.routes({ prefix: "203.0.113.10/32" }).length === 2,
    );
    const reflected = lbs[1]!.routes({ prefix: "203.0.113.10/32" }).find((p) => p.peer !== "local");
    expect(reflected).toMatchObject({
      nextHop: "198.18.0.11",
      originatorId: "198.19.0.1",
      clusterList: ["198.18.0.1"],
    });
    expect(lbs[0]!.routes({ prefix: "203.0.113.10/32" }).map((p) => p.peer)).toEqual(["local"]);

    // An LB that dies takes its path away from the router; a withdrawal does too.
    await lbs[2]!.stop();
    await until("2 paths at the router", () => router.routes({ prefix: "203.0.113.10/32" }).length === 2);
    lbs[1]!.withdraw("203.0.113.10/32");
    await until("1 path at the router", () => router.routes({ prefix: "203.0.113.10/32" }).length === 1);
    expect(router.routes({ prefix: "203.0.113.10/32" })[0]!.nextHop).toBe("198.18.0.11");
  });
});
