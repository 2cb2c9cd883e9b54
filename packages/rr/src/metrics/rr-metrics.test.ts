/**
 * Metrics exposition with real speakers on loopback: a reflector built from
 * a ts-rr config, an upstream "router" speaker that takes ADD-PATH, and two
 * LB speakers announcing 203.0.113.10/32 with their own next hops. Proves
 * session state by state, UPDATE counters, prefix gauges, the ECMP width the
 * upstream gets (2, then 1 after a withdrawal) and the next-hop-set change
 * counter, over real HTTP from the metrics server.
 */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { validateRrConfig } from "../config/load-config.js";
import { toSpeakerOptions } from "../config/speaker-options.js";
import { lbSpeaker, sample, startSpeaker, stopAll, until } from "../testing/loopback.js";
import { EcmpTracker } from "./ecmp-tracker.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { RrMetrics } from "./rr-metrics.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await stopAll();
});

const prefix = "203.0.113.10/32";

describe("ts-rr metrics", () => {
  it("exposes session state, updates, prefixes, and the ECMP width sent upstream", async () => {
    const router = await startSpeaker({
      localAs: 65001,
      routerId: "198.18.0.254",
      listen: [{ address: "127.0.42.254", port: 0 }],
      neighbors: [
        { address: "127.0.42.1", asn: 65001, passive: true, addPath: { "ipv4-unicast": "receive" } },
      ],
    });
    const config = validateRrConfig(
      {
        localAs: 65001,
        routerId: "198.18.0.1",
        listen: { address: "127.0.42.1", port: 0 },
        endOfRibDeferral: 0, // End-of-RIB at once: the test counts it among the UPDATEs sent
        dynamicRanges: [{ name: "lb", prefixes: ["127.0.43.0/24"], asns: [65001], maxPeers: 4 }],
        upstreams: [
          {
            address: "127.0.42.254",
            asn: 65001,
            port: router.listening()[0]!.port,
            localAddress: "127.0.42.1",
            connectRetryTime: 1,
          },
        ],
      },
      "test",
    );
    const rr = await startSpeaker(toSpeakerOptions(config));
    const metrics = new RrMetrics(rr);
    cleanup.push(() => metrics.close());
    const server: MetricsServer = await startMetricsServer(
      metrics,
      { kind: "tcp", host: "127.0.0.1", port: 0 },
      pino({ level: "silent" }),
    );
    cleanup.push(() => server.close());
    const port = server.endpoint.kind === "tcp" ? server.endpoint.port : 0;
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      return res.text();
    };

    const rrAt = { address: "127.0.42.1", port: rr.listening()[0]!.port };
    const lb1 = await lbSpeaker(1, "127.0.43.1", rrAt);
    const lb2 = await lbSpeaker(2, "127.0.43.2", rrAt);
    lb1.announce({ prefix, nextHop: "198.18.0.11" });
    lb2.announce({ prefix, nextHop: "198.18.0.12" });
    await until("both paths at the router", () => router.routes({ prefix }).length === 2);

    let text = "";
    await until("ECMP width 2 in the metrics", async () => {
      text = await scrape();
      return sample(text, "tsrr_upstream_ecmp_width", { upstream: "127.0.42.254", prefix }) === 2;
    });
    for (const neighbor of ["127.0.42.254", "127.0.43.1", "127.0.43.2"]) {
      const range = neighbor === "127.0.42.254" ? "" : "lb";
      expect(sample(text, "tsrr_bgp_neighbor_state", { neighbor, range, state: "Established" })).toBe(1);
      expect(sample(text, "tsrr_bgp_neighbor_state", { neighbor, range, state: "Idle" })).toBe(0);
      expect(sample(text, "tsrr_bgp_updates_received_total", { neighbor })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "tsrr_bgp_updates_sent_total", { neighbor })).toBeGreaterThanOrEqual(1);
    }
    expect(sample(text, "tsrr_bgp_prefixes_received", { neighbor: "127.0.43.1" })).toBe(1);
    expect(sample(text, "tsrr_bgp_prefixes_received", { neighbor: "127.0.42.254" })).toBe(0);
    // The speaker counts prefixes out (not paths): one prefix, carrying two ADD-PATH paths.
    expect(sample(text, "tsrr_bgp_prefixes_advertised", { neighbor: "127.0.42.254" })).toBe(1);
    const changes = sample(text, "tsrr_upstream_nexthop_set_changes_total", { prefix }) ?? 0;
    expect(changes).toBeGreaterThanOrEqual(1);
    // Two update groups: the upstream router (ADD-PATH) and the two LBs, which share one.
    expect(sample(text, "tsrr_bgp_update_groups", {})).toBe(2);
    const groups = rr.updateGroups();
    const lbs = groups.find((g) => g.members.includes("127.0.43.1"));
    expect([...(lbs?.members ?? [])].sort()).toEqual(["127.0.43.1", "127.0.43.2"]);
    expect(sample(text, "tsrr_bgp_update_group_members", { group: String(lbs?.id) })).toBe(2);
    expect(text).toContain("tsrr_bgp_update_group_updates_encoded");
    expect(text).toContain("# TYPE tsrr_bgp_updates_received_total counter");
    expect(text).toContain("tsrr_process_resident_memory_bytes");

    // One LB withdraws: the router is left with one next hop, and the change is counted.
    lb2.withdraw(prefix);
    await until("ECMP width 1 in the metrics", async () => {
      text = await scrape();
      return sample(text, "tsrr_upstream_ecmp_width", { upstream: "127.0.42.254", prefix }) === 1;
    });
    expect(sample(text, "tsrr_upstream_nexthop_set_changes_total", { prefix })).toBeGreaterThan(changes);
    expect(sample(text, "tsrr_bgp_prefixes_received", { neighbor: "127.0.43.2" })).toBe(0);

    // An LB that goes away loses its series.
    await lb2.stop();
    await until("lb2 gone from the metrics", async () => {
      text = await scrape();
      return sample(text, "tsrr_bgp_updates_received_total", { neighbor: "127.0.43.2" }) === undefined;
    });
    expect(sample(text, "tsrr_bgp_neighbor_state", { neighbor: "127.0.43.2", state: "Established" })).toBe(
      undefined,
    );
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it("counts a next-hop-set change once per change, across upstreams", () => {
    const t = new EcmpTracker();
    const path = (nextHop: string, pathId: number) => ({ prefix, pathId, nextHop });
    const first = t.observe(new Map([["r1", [path("198.18.0.11", 1), path("198.18.0.12", 2)]]]));
    expect(first.changed).toEqual([prefix]);
    expect(first.width.get("r1")?.get(prefix)).toBe(2);
    // Same set, other path ids and order; a second upstream without ADD-PATH sees the best only.
    const same = t.observe(
      new Map([
        ["r1", [path("198.18.0.12", 5), path("198.18.0.11", 6)]],
        ["r2", [path("198.18.0.11", 0)]],
      ]),
    );
    expect(same.changed).toEqual([]);
    expect(same.width.get("r2")?.get(prefix)).toBe(1);
    expect(t.observe(new Map([["r1", [path("198.18.0.11", 1)]]])).changed).toEqual([prefix]);
    expect(t.observe(new Map([["r1", []]])).changed).toEqual([prefix]);
    expect(t.observe(new Map([["r1", []]])).changed).toEqual([]);
  });
});
