/**
 * Self-test of the interop harness with real daemons only (no portlb code):
 *   1. BIRD <-> FRR (with zebra) eBGP over IPv4 and IPv6 on one veth: each
 *      side's prefixes reach the other, read back through birdc / vtysh, and
 *      zebra puts BIRD's route into FRR's namespace FIB; route refresh,
 *      withdrawal, administrative shutdown and re-enable.
 *   2. A "router" namespace running BIRD with `merge paths` (and, second
 *      case, FRR + zebra with `maximum-paths`), and two FRR "LB" speakers
 *      announcing the same 203.0.113.10/32: the router's kernel route has two
 *      next hops; stopping one LB leaves one.
 *   3. GoBGP <-> ExaBGP: a route each way, with attributes, a withdrawal, and
 *      an ExaBGP restart.
 *   4. Stale namespaces of dead runs are swept; nothing of this run remains.
 * Addresses: DESIGN.md test address plan only.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type BgpRoute, routesFor } from "./bgp-route.js";
import { Bird } from "./bird.js";
import { cleanupAll, cleanupRegistry } from "./cleanup-registry.js";
import { runCommand } from "./command.js";
import { Exabgp } from "./exabgp.js";
import { Frr } from "./frr.js";
import { Gobgp } from "./gobgp.js";
import { gatewaysOf } from "./kernel-routes.js";
import { createBridge, createVeth, listNamespaces, Netns, pidAlive, removeStaleNamespaces } from "./netns.js";
import { waitFor } from "./process.js";

const ourPrefix = `portlb-${process.pid}-`;

async function ourNamespaces(): Promise<string[]> {
  return (await listNamespaces()).filter((n) => n.startsWith(ourPrefix));
}

/** Waits until `read()` holds a route for `prefix` satisfying `match`; returns it. */
function waitRoute(
  what: string,
  read: () => Promise<BgpRoute[]>,
  prefix: string,
  match: (r: BgpRoute) => boolean = () => true,
): Promise<BgpRoute> {
  return waitFor(what, async () => routesFor(await read(), prefix).find(match), { timeoutMs: 20_000 });
}

describe("interop harness (real daemons in namespaces)", () => {
  afterEach(async () => {
    await cleanupAll();
    expect(await ourNamespaces()).toEqual([]);
  });

  afterAll(async () => {
    await cleanupAll();
    expect(await ourNamespaces()).toEqual([]);
    expect(cleanupRegistry.size).toBe(0);
  });

  it("BIRD <-> FRR eBGP: IPv4 and IPv6 prefixes both ways; zebra installs into FRR's FIB", async () => {
    const a = await Netns.create("bird");
    const b = await Netns.create("frr");
    await createVeth(
      { ns: a, ifname: "veth-a", addresses: ["198.18.0.1/24", "2001:db8::1/64"] },
      { ns: b, ifname: "veth-b", addresses: ["198.18.0.2/24", "2001:db8::2/64"] },
    );
    const bird = await Bird.start(a, {
      routerId: "198.18.0.1",
      staticRoutes: [{ prefix: "203.0.113.1/32" }, { prefix: "2001:db8:1::/48" }],
      neighbors: [
        { name: "frr4", localAddress: "198.18.0.1", localAs: 64512, address: "198.18.0.2", as: 64513 },
        { name: "frr6", localAddress: "2001:db8::1", localAs: 64512, address: "2001:db8::2", as: 64513 },
      ],
    });
    const frr = await Frr.start(
      b,
      {
        as: 64513,
        routerId: "198.18.0.2",
        networks: ["203.0.113.2/32", "2001:db8:2::/48"],
        neighbors: [
          { address: "198.18.0.1", as: 64512 },
          { address: "2001:db8::1", as: 64512 },
        ],
      },
      { zebra: true },
    );
    await Promise.all([
      bird.waitEstablished("198.18.0.2"),
      bird.waitEstablished("2001:db8::2"),
      frr.waitEstablished("198.18.0.1"),
      frr.waitEstablished("2001:db8::1"),
    ]);

    const fromFrr4 = await waitRoute(
      "BIRD has FRR's IPv4 route",
      () => bird.routes("ipv4"),
      "203.0.113.2/32",
    );
    expect(fromFrr4).toMatchObject({
      nextHop: "198.18.0.2",
      asPath: [64513],
      origin: "igp",
      peer: "198.18.0.2",
    });
    const fromFrr6 = await waitRoute(
      "BIRD has FRR's IPv6 route",
      () => bird.routes("ipv6"),
      "2001:db8:2::/48",
    );
    expect(fromFrr6).toMatchObject({ nextHop: "2001:db8::2", asPath: [64513], peer: "2001:db8::2" });

    const fromBird4 = await waitRoute(
      "FRR has BIRD's IPv4 route",
      () => frr.routes("ipv4"),
      "203.0.113.1/32",
    );
    expect(fromBird4).toMatchObject({
      nextHop: "198.18.0.1",
      asPath: [64512],
      peer: "198.18.0.1",
      best: true,
    });
    const fromBird6 = await waitRoute(
      "FRR has BIRD's IPv6 route",
      () => frr.routes("ipv6"),
      "2001:db8:1::/48",
    );
    expect(fromBird6).toMatchObject({ nextHop: "2001:db8::1", asPath: [64512], peer: "2001:db8::1" });

    const kernel = await waitFor("zebra installs 203.0.113.1 in FRR's namespace", () =>
      b.route("203.0.113.1/32"),
    );
    expect(gatewaysOf(kernel)).toEqual(["198.18.0.1"]);
    expect(kernel.protocol).toBe("bgp");

    // Actions: route refresh both ways, a withdrawal, an administrative shutdown and re-enable.
    await bird.reloadIn("198.18.0.2");
    await frr.clearSoftIn("198.18.0.1");
    await frr.withdraw("203.0.113.2/32");
    await waitFor("BIRD loses the withdrawn route", async () => {
      return routesFor(await bird.routes("ipv4"), "203.0.113.2/32").length === 0;
    });
    await bird.disable("198.18.0.2", "harness maintenance");
    await waitFor(
      "FRR sees the shutdown",
      async () => (await frr.sessionState("198.18.0.1")) !== "Established",
    );
    expect(routesFor(await frr.routes("ipv4"), "203.0.113.1/32")).toEqual([]);
    await bird.enable("198.18.0.2");
    await frr.waitEstablished("198.18.0.1");
    await waitRoute("FRR has BIRD's route again", () => frr.routes("ipv4"), "203.0.113.1/32");
  });

  it.each(["bird", "frr"] as const)(
    "router %s installs an ECMP route from two FRR LBs; one LB stops: one next hop",
    async (kind) => {
      const router = await Netns.create("router");
      const lbs = [await Netns.create("lb1"), await Netns.create("lb2")];
      await router.enableForwarding();
      await router.setMultipathHashPolicy(1);
      await createBridge(router, "br0", ["198.18.0.1/24"]);
      for (const [i, ns] of lbs.entries()) {
        await createVeth(
          { ns: router, ifname: `r-lb${i + 1}`, bridge: "br0" },
          { ns, ifname: "eth0", addresses: [`198.18.0.1${i + 1}/24`] },
        );
      }
      const lbAddresses = ["198.18.0.11", "198.18.0.12"];
      const upstream: Bird | Frr =
        kind === "bird"
          ? await Bird.start(
              router,
              {
                routerId: "198.18.0.1",
                kernel: { mergePaths: true, families: ["ipv4"] },
                neighbors: lbAddresses.map((address, i) => ({
                  name: `lb${i + 1}`,
                  localAddress: "198.18.0.1",
                  localAs: 64512,
                  address,
                  as: 64513,
                  export: "none" as const,
                })),
              },
              { name: "bird-router" },
            )
          : await Frr.start(
              router,
              {
                as: 64512,
                routerId: "198.18.0.1",
                maximumPaths: 8,
                neighbors: lbAddresses.map((address) => ({ address, as: 64513 })),
              },
              { name: "frr-router", zebra: true },
            );
      const speakers = await Promise.all(
        lbs.map((ns, i) =>
          Frr.start(
            ns,
            {
              as: 64513,
              routerId: lbAddresses[i] ?? "",
              networks: ["203.0.113.10/32"],
              neighbors: [{ address: "198.18.0.1", as: 64512 }],
            },
            { name: `frr-lb${i + 1}` },
          ),
        ),
      );
      await Promise.all(lbAddresses.map((a) => upstream.waitEstablished(a)));
      const kernelRoute = (width: number) =>
        waitFor(
          `${kind} router: kernel route 203.0.113.10 with ${width} next hop(s)`,
          async () => {
            const r = await router.route("203.0.113.10/32");
            return r !== undefined && gatewaysOf(r).length === width ? r : undefined;
          },
          { describe: async () => JSON.stringify(await router.routes({ family: 4 })) },
        );

      const ecmp = await kernelRoute(2);
      expect(gatewaysOf(ecmp).sort()).toEqual(lbAddresses);
      expect(ecmp.nexthops.map((n) => n.dev)).toEqual(["br0", "br0"]);
      expect(ecmp.protocol).toBe(kind === "bird" ? "bird" : "bgp");
      expect(routesFor(await upstream.routes("ipv4"), "203.0.113.10/32")).toHaveLength(2);

      await speakers[0]?.stop();
      const single = await kernelRoute(1);
      expect(gatewaysOf(single)).toEqual(["198.18.0.12"]);
    },
  );

  it("GoBGP <-> ExaBGP eBGP: a route each way with attributes, a withdrawal, an ExaBGP restart", async () => {
    const c = await Netns.create("gobgp");
    const d = await Netns.create("exabgp");
    await createVeth(
      { ns: c, ifname: "veth-c", addresses: ["198.18.0.3/24"] },
      { ns: d, ifname: "veth-d", addresses: ["198.18.0.4/24"] },
    );
    const gobgp = await Gobgp.start(c, {
      as: 64514,
      routerId: "198.18.0.3",
      neighbors: [{ address: "198.18.0.4", as: 64515, localAddress: "198.18.0.3" }],
    });
    const exa = await Exabgp.start(d, {
      neighbors: [
        {
          address: "198.18.0.3",
          localAddress: "198.18.0.4",
          localAs: 64515,
          peerAs: 64514,
          routerId: "198.18.0.4",
        },
      ],
    });
    await Promise.all([gobgp.waitEstablished("198.18.0.4"), exa.waitEstablished("198.18.0.3")]);

    await gobgp.addRoute("203.0.113.3/32", { nextHop: "198.18.0.3", med: 5, communities: ["65000:3"] });
    await exa.announce("203.0.113.4/32", {
      nextHop: "198.18.0.4",
      med: 7,
      communities: ["65000:4"],
      largeCommunities: ["64515:1:2"],
    });

    const atExa = await waitRoute("ExaBGP receives GoBGP's route", () => exa.routes(), "203.0.113.3/32");
    expect(atExa).toMatchObject({ nextHop: "198.18.0.3", asPath: [64514], med: 5, communities: ["65000:3"] });
    const atGobgp = await waitRoute(
      "GoBGP receives ExaBGP's route",
      () => gobgp.routes("ipv4"),
      "203.0.113.4/32",
    );
    expect(atGobgp).toMatchObject({
      nextHop: "198.18.0.4",
      asPath: [64515],
      med: 7,
      communities: ["65000:4"],
      largeCommunities: ["64515:1:2"],
      peer: "198.18.0.4",
    });

    await gobgp.softReset("198.18.0.4", "in");
    await exa.withdraw("203.0.113.4/32", { nextHop: "198.18.0.4" });
    await waitFor("GoBGP drops the withdrawn route", async () => {
      return routesFor(await gobgp.routes("ipv4"), "203.0.113.4/32").length === 0;
    });

    // A restarted ExaBGP starts from an empty view and gets GoBGP's route again.
    await exa.restart();
    await Promise.all([gobgp.waitEstablished("198.18.0.4"), exa.waitEstablished("198.18.0.3")]);
    await waitRoute("ExaBGP receives GoBGP's route after restart", () => exa.routes(), "203.0.113.3/32");
  });

  it("sweeps namespaces left by dead runs and leaves none of its own", async () => {
    let deadPid = 4_000_000;
    while (pidAlive(deadPid)) deadPid--;
    const stale = `portlb-${deadPid}-1-stale`;
    await runCommand("ip", ["netns", "add", stale]);
    try {
      expect(await removeStaleNamespaces()).toContain(stale);
      expect(await listNamespaces()).not.toContain(stale);
    } finally {
      await runCommand("ip", ["netns", "del", stale], { allowFailure: true });
    }
    const ns = await Netns.create("probe");
    expect(await ourNamespaces()).toContain(ns.name);
    await cleanupAll();
    expect(await ourNamespaces()).toEqual([]);
  });
});
