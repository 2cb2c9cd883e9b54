/**
 * The announcer against a real route reflector (our speaker) over TCP on
 * loopback: VIPs appear with this node as next hop, an empty set withdraws,
 * stop says goodbye with Cease/2.
 */
import { createSpeaker, type Speaker } from "@portlb/bgp";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { BgpAnnouncer, speakerOptions, vipRoutes } from "./announcer.js";

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const bgp = (port: number) => ({
  localAS: 65001,
  holdTimeSeconds: 90,
  routeReflectors: [{ address: "127.0.50.1", as: 65001, port }],
});

describe("BgpAnnouncer", () => {
  it("maps VIPs to host routes with the node as next hop (same family only)", () => {
    expect(vipRoutes(new Set(["203.0.113.10", "2001:db8::10"]), "198.18.0.11")).toEqual([
      { prefix: "2001:db8::10/128" },
      { prefix: "203.0.113.10/32", nextHop: "198.18.0.11" },
    ]);
    expect(
      speakerOptions(
        { ...bgp(179), routeReflectors: [{ address: "127.0.50.1", as: 65002, port: 179 }] },
        "198.18.0.11",
      ),
    ).toMatchObject({
      routerId: "198.18.0.11",
      policies: { "127.0.50.1": { export: "accept" } },
    });
    expect(() => speakerOptions(bgp(179), "2001:db8::11")).toThrow(/routerId/);
  });

  it("announces, withdraws and says goodbye to a real route reflector", async () => {
    const rr: Speaker = createSpeaker({
      localAs: 65001,
      routerId: "198.18.0.1",
      clusterId: "198.18.0.1",
      listen: [{ address: "127.0.50.1", port: 0 }],
      dynamicNeighbors: [
        { name: "lbs", prefixes: ["127.0.0.0/8"], asns: [65001], maxPeers: 4, routeReflectorClient: true },
      ],
    });
    running.push(rr);
    await rr.start();
    const announcer = new BgpAnnouncer(
      bgp(rr.listening()[0]!.port),
      "198.18.0.11",
      pino({ level: "silent" }),
    );
    running.push(announcer);
    await announcer.start();
    await until("session up", () => rr.neighbors().some((n) => n.state === "Established"));

    announcer.hook(new Set(["203.0.113.10", "203.0.113.11"]));
    await until("two VIPs at the reflector", () => rr.routes().length === 2);
    expect(rr.routes({ prefix: "203.0.113.10/32" })).toMatchObject([
      { nextHop: "198.18.0.11", localPref: 100 },
    ]);

    announcer.hook(new Set(["203.0.113.11"]));
    await until("one withdrawn", () => rr.routes().length === 1);
    announcer.hook(new Set());
    await until("all withdrawn", () => rr.routes().length === 0);

    await announcer.stop("draining done");
    await until(
      "reflector saw Cease/2",
      () => rr.neighbors().length === 0 || rr.neighbors()[0]!.lastError !== undefined,
    );
  });
});
