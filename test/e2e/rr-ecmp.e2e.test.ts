/**
 * End to end: ts-rr between three LB speakers and an upstream router, in
 * network namespaces (see topology.ts; DESIGN.md test address plan only).
 *   1. The router (BIRD 2, then FRR + zebra; iBGP, ADD-PATH receive,
 *      multipath into its FIB) installs 203.0.113.10/32 with three next hops.
 *   2. SIGKILL of an LB speaker: two next hops within 1 s (the kernel closes
 *      its socket, ts-rr sees the session drop). SIGTERM of another (Cease):
 *      one next hop at once.
 *   3. Admission at ts-rr: outside the dynamic range, refused before OPEN;
 *      a disallowed AS, NOTIFICATION 2/2; maxPeers 3 holds against a 4th.
 *   4. Graceful restart (RFC 4724): ts-rr (restart time 120 s, End-of-RIB
 *      deferral 3 s) is SIGKILLed and started again; the router (helper)
 *      keeps the route: sampled every 100 ms it never disappears, and it
 *      ends with three live next hops from the new ts-rr.
 *   5. GoBGP and ExaBGP as LB speakers next to ours: three next hops.
 * Everything (namespaces, processes, temp dirs) is removed after each test.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  Exabgp,
  Gobgp,
  gatewaysOf,
  listNamespaces,
  type ManagedProcess,
  waitFor,
} from "../harness/index.js";
import {
  adminGet,
  buildTopology,
  kernelWidth,
  type LbEvent,
  lbArgs,
  nodeAddresses,
  overlayAddresses,
  type RouterKind,
  type RrNeighbor,
  routerAddress,
  rrAddress,
  rrOverlay,
  startLbSpeaker,
  startRouter,
  TsRr,
  vip,
  waitKernelWidth,
} from "./topology.js";

const ourPrefix = `portlb-${process.pid}-`;

function lbEvents(p: ManagedProcess): LbEvent[] {
  return readFileSync(p.stdoutPath, "utf8")
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as LbEvent);
}

/** ts-rr log lines "connection refused: <reason>" for connections from `remote`. */
function refusals(log: string, reason: string, remote: string): number {
  return log
    .split("\n")
    .filter((l) => l.includes(`"remote":"${remote}"`) && l.includes(`connection refused: ${reason}`)).length;
}

describe("ts-rr end to end: LB speakers -> ts-rr -> router ECMP", () => {
  afterEach(async () => {
    await cleanupAll();
  });
  afterAll(async () => {
    await cleanupAll();
    expect((await listNamespaces()).filter((n) => n.startsWith(ourPrefix))).toEqual([]);
  });

  it.each(["bird", "frr"] as const)(
    "router %s: three ECMP next hops; SIGKILL -> two within 1 s; SIGTERM -> one at once",
    async (kind: RouterKind) => {
      const topo = await buildTopology();
      const rr = new TsRr(topo.rr, topo.dir);
      await rr.start();
      const router = await startRouter(kind, topo.router);
      const lbs = topo.lbs.map((ns, i) => startLbSpeaker(ns, topo.dir, `lb${i + 1}`, lbArgs(i)));
      await router.waitEstablished(rrAddress);
      const procs = [rr.process, ...lbs];

      const three = await waitKernelWidth(topo.router, 3, { processes: procs });
      expect(gatewaysOf(three).sort()).toEqual([...nodeAddresses]);
      expect(three.protocol).toBe(kind === "bird" ? "bird" : "bgp");

      // A crash: the kernel closes lb1's socket, ts-rr withdraws its path.
      const killedAt = Date.now();
      await lbs[0]?.kill();
      const two = await waitKernelWidth(topo.router, 2, { timeoutMs: 1_000, intervalMs: 20 });
      const killMs = Date.now() - killedAt;
      expect(gatewaysOf(two).sort()).toEqual([nodeAddresses[1], nodeAddresses[2]]);
      expect(killMs).toBeLessThan(1_000);

      // A graceful stop: Cease, withdrawn at once.
      const stoppedAt = Date.now();
      lbs[1]?.signal("SIGTERM");
      const one = await waitKernelWidth(topo.router, 1, { timeoutMs: 1_000, intervalMs: 20 });
      const stopMs = Date.now() - stoppedAt;
      expect(gatewaysOf(one)).toEqual([nodeAddresses[2]]);
      expect(stopMs).toBeLessThan(1_000);
      expect(await lbs[1]?.exited).toMatchObject({ code: 0 });
      console.log(`${kind}: SIGKILL -> 2 next hops in ${killMs} ms; SIGTERM -> 1 in ${stopMs} ms`);
    },
    60_000,
  );

  it("admission: outside the range refused before OPEN; bad AS gets 2/2; maxPeers 3 holds", async () => {
    const topo = await buildTopology();
    const rr = new TsRr(topo.rr, topo.dir, { maxPeers: 3 });
    await rr.start();
    const [ns1, ns2] = topo.lbs;
    if (ns1 === undefined || ns2 === undefined) throw new Error("topology");
    const rrLog = (): string => readFileSync(rr.process.stdoutPath, "utf8");
    const dynamicPeers = async (): Promise<RrNeighbor[]> =>
      (await rr.neighbors()).filter((n) => n.address !== routerAddress);
    const neighborAddresses = async (): Promise<string[]> => (await dynamicPeers()).map((n) => n.address);

    // From the node network (not an upstream, not in 198.19.0.0/16): closed before an OPEN is read.
    const outside = startLbSpeaker(ns1, topo.dir, "lb-outside", {
      ...lbArgs(0),
      neighbor: rrAddress,
      localAddress: nodeAddresses[0],
    });
    await waitFor(
      "ts-rr refuses 198.18.0.11 twice",
      () => refusals(rrLog(), "not a configured neighbor", "198.18.0.11") >= 2,
      { processes: [rr.process, outside], timeoutMs: 10_000 },
    );
    expect(await neighborAddresses()).toEqual([]);
    const outsideStates = lbEvents(outside).map((e) => e.state);
    expect(outsideStates).not.toContain("OpenConfirm");
    expect(outsideStates).not.toContain("Established");
    expect(lbEvents(outside).some((e) => e.lastError?.received !== undefined)).toBe(false);
    await outside.stop();

    // A disallowed AS from inside the range: NOTIFICATION 2/2 (Bad Peer AS).
    await ns1.addAddress("ov0", "198.19.0.21/24");
    const badAs = startLbSpeaker(ns1, topo.dir, "lb-bad-as", {
      ...lbArgs(0),
      localAs: 65002,
      routerId: "198.19.0.21",
      localAddress: "198.19.0.21",
    });
    const rejected = await waitFor(
      "the bad-AS speaker hears NOTIFICATION 2/2",
      () => lbEvents(badAs).find((e) => e.lastError?.received !== undefined)?.lastError?.received,
      { processes: [rr.process, badAs], timeoutMs: 10_000 },
    );
    expect(rejected).toMatchObject({ code: 2, subcode: 2 });
    expect(lbEvents(badAs).map((e) => e.state)).not.toContain("Established");
    await badAs.stop();
    await waitFor(
      "the bad-AS peer is gone from ts-rr",
      async () => !(await neighborAddresses()).includes("198.19.0.21"),
      {
        timeoutMs: 10_000,
      },
    );

    // maxPeers 3: three LBs come up, a fourth from the range is refused.
    const lbs = topo.lbs.map((ns, i) => startLbSpeaker(ns, topo.dir, `lb${i + 1}`, lbArgs(i)));
    await waitFor(
      "three LBs Established at ts-rr",
      async () => (await dynamicPeers()).filter((n) => n.state === "Established").length === 3,
      { processes: [rr.process, ...lbs], timeoutMs: 15_000 },
    );
    await ns2.addAddress("ov0", "198.19.0.14/24");
    const fourth = startLbSpeaker(ns2, topo.dir, "lb4", {
      ...lbArgs(1),
      routerId: "198.19.0.14",
      localAddress: "198.19.0.14",
    });
    await waitFor(
      "ts-rr refuses the 4th peer twice (range full)",
      () => refusals(rrLog(), "dynamic range is full", "198.19.0.14") >= 2,
      { processes: [rr.process, fourth], timeoutMs: 10_000 },
    );
    const after = await dynamicPeers();
    expect(after.map((n) => n.address).sort()).toEqual([...overlayAddresses]);
    expect(after.every((n) => n.state === "Established")).toBe(true);
    expect(lbEvents(fourth).map((e) => e.state)).not.toContain("Established");
  }, 60_000);

  it("GoBGP and ExaBGP as LB speakers next to ours: three ECMP next hops at the router (BIRD)", async () => {
    const topo = await buildTopology();
    const [ns1, ns2, ns3] = topo.lbs;
    if (ns1 === undefined || ns2 === undefined || ns3 === undefined) throw new Error("topology");
    const rr = new TsRr(topo.rr, topo.dir);
    await rr.start();
    const router = await startRouter("bird", topo.router);
    const ours = startLbSpeaker(ns1, topo.dir, "lb1", lbArgs(0));
    const gobgp = await Gobgp.start(
      ns2,
      {
        as: 65001,
        routerId: overlayAddresses[1],
        port: -1,
        neighbors: [{ address: rrOverlay, as: 65001, localAddress: overlayAddresses[1] }],
      },
      { name: "gobgp-lb2" },
    );
    const exa = await Exabgp.start(
      ns3,
      {
        neighbors: [
          {
            address: rrOverlay,
            localAddress: overlayAddresses[2],
            localAs: 65001,
            peerAs: 65001,
            routerId: overlayAddresses[2],
            holdTime: 9,
          },
        ],
      },
      { name: "exabgp-lb3" },
    );
    await Promise.all([
      router.waitEstablished(rrAddress),
      gobgp.waitEstablished(rrOverlay),
      exa.waitEstablished(rrOverlay),
    ]);
    // ORIGIN IGP like the other two: `gobgp global rib add` defaults to INCOMPLETE,
    // and a path with another ORIGIN is not equal-cost (no multipath, no merge).
    await gobgp.addRoute(vip, { nextHop: nodeAddresses[1], origin: "igp" });
    await exa.announce(vip, { nextHop: nodeAddresses[2] });

    const three = await waitKernelWidth(topo.router, 3, { processes: [rr.process, ours] });
    expect(gatewaysOf(three).sort()).toEqual([...nodeAddresses]);
    const paths = (await adminGet(rr.admin, `/routes?prefix=${encodeURIComponent(vip)}`)) as {
      paths: { peer: string; nextHop: string }[];
    }[];
    expect(paths[0]?.paths.map((p) => [p.peer, p.nextHop]).sort()).toEqual(
      overlayAddresses.map((a, i) => [a, nodeAddresses[i]]),
    );

    // ExaBGP withdraws, GoBGP stops: their next hops leave the kernel route.
    await exa.withdraw(vip, { nextHop: nodeAddresses[2] });
    const two = await waitKernelWidth(topo.router, 2, { timeoutMs: 5_000 });
    expect(gatewaysOf(two).sort()).toEqual([nodeAddresses[0], nodeAddresses[1]]);
    await gobgp.stop();
    const one = await waitKernelWidth(topo.router, 1, { timeoutMs: 5_000 });
    expect(gatewaysOf(one)).toEqual([nodeAddresses[0]]);
    expect(await kernelWidth(topo.router)).toBe(1);
  }, 60_000);

  it.each(["bird", "frr"] as const)(
    "router %s keeps the ECMP route through a ts-rr crash and restart",
    async (kind: RouterKind) => {
      const topo = await buildTopology();
      const rr = new TsRr(topo.rr, topo.dir, { gracefulRestartTime: 120, endOfRibDeferral: 3 });
      await rr.start();
      const router = await startRouter(kind, topo.router, { gracefulRestart: true });
      const lbs = topo.lbs.map((ns, i) => startLbSpeaker(ns, topo.dir, `lb${i + 1}`, lbArgs(i)));
      await router.waitEstablished(rrAddress);
      await waitKernelWidth(topo.router, 3, { processes: [rr.process, ...lbs] });

      const samples: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          samples.push(await kernelWidth(topo.router));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        await rr.process.kill();
        await new Promise((r) => setTimeout(r, 1_000));
        await rr.start();
        await router.waitEstablished(rrAddress);
        // Past the End-of-RIB deferral, when the router drops what is still stale.
        await new Promise((r) => setTimeout(r, 5_000));
        const back = await waitKernelWidth(topo.router, 3, { processes: [rr.process, ...lbs] });
        expect(gatewaysOf(back).sort()).toEqual([...nodeAddresses]);
        const peers = (await rr.neighbors()).filter((n) => n.address !== routerAddress);
        expect(peers.map((n) => [n.address, n.state]).sort()).toEqual(
          overlayAddresses.map((a) => [a, "Established"]),
        );
      } finally {
        sampling = false;
        await sampler;
      }
      console.log(
        `${kind} GR: ${samples.length} samples during the restart, widths seen ${[...new Set(samples)].join(",")}`,
      );
      expect(Math.min(...samples)).toBeGreaterThan(0);
      // The paths now at the router are live ones from the new ts-rr, not stale leftovers.
      lbs[0]?.signal("SIGTERM");
      const two = await waitKernelWidth(topo.router, 2, { timeoutMs: 2_000 });
      expect(gatewaysOf(two).sort()).toEqual([nodeAddresses[1], nodeAddresses[2]]);
    },
    60_000,
  );
});
