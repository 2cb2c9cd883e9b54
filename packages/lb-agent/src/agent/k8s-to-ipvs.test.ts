/**
 * The whole Kubernetes chain in one process, nothing of ours replaced: the
 * real LbAgent with a `source.kubernetes` config (so the real
 * EndpointSliceSource and @kubernetes/client-node 1.4.0 informers, loading a
 * real kubeconfig file) against the API-server stand-in on 127.0.0.1
 * (test/k8s/fake-apiserver.ts), real TCP health checks against real
 * listeners on 127.0.0.x, the real reconciler, and IPVS twice over: the
 * in-memory table with `ipvsadm --restore` semantics, and the real
 * IpvsadmCli spawning a stateful stand-in of the ipvsadm binaries that
 * speaks their real formats (this kernel has no IPVS; the real-kernel path
 * is test/vm). The agent runs without node setup (no routes, no nftables).
 *
 * Proves, as the cluster changes: an endpoint added reaches IPVS (after its
 * first health check passes; a ready endpoint nothing listens on never
 * does); an endpoint turning serving+terminating goes to weight 0, turning
 * not-ready is removed; an endpoint or a whole slice deleted is removed;
 * the VIP is announced while a real server takes connections; through an
 * API-server outage (connections cut, port closed) and a 410 Gone the
 * table stays as it was, and the changes made meanwhile arrive afterwards
 * (after the 410, in one apply: no emptier table on the way); a backend
 * that stops listening is drained, removed, and back when it listens again.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeApiServer, kubeconfigFor } from "../../../../test/k8s/fake-apiserver.js";
import { type SliceEndpoint, slice } from "../../../../test/k8s/slices.js";
import { parseAgentConfig } from "../config/load-config.js";
import { systemClock } from "../health/clock.js";
import { writeStatefulFakeIpvsadm } from "../ipvs/fake-ipvsadm-test-kit.js";
import type { Ipvs } from "../ipvs/ipvs.js";
import { IpvsadmCli } from "../ipvs/ipvsadm-cli.js";
import { MemoryIpvs } from "../ipvs/memory-ipvs.js";
import { EndpointSliceSource } from "../k8s/endpoint-slice-source.js";
import { recordingLogger } from "../reconcile/reconcile-test-kit.js";
import { LbAgent } from "./lb-agent.js";

const token = "k8s-to-ipvs-token";
let dir: string;
let server: FakeApiServer;
let listeners: Server[];
let agent: LbAgent | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lb-agent-k8s-ipvs-"));
  server = await FakeApiServer.start({ token });
  listeners = [];
  agent = undefined;
});

afterEach(async () => {
  await agent?.shutdown();
  await server.close();
  await Promise.all(listeners.map((l) => new Promise((r) => l.close(r))));
  await rm(dir, { recursive: true, force: true });
});

/** A TCP listener on `address:port` (port 0: any) that accepts and closes; resolves to its port. */
async function listen(address: string, port: number): Promise<number> {
  const l = createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => {
    l.once("error", reject);
    l.listen(port, address, () => resolve());
  });
  listeners.push(l);
  const bound = l.address();
  if (bound === null || typeof bound === "string") throw new Error("no port");
  return bound.port;
}

/** The backends 127.0.0.2-.4 all listening on one port (as pods of a Deployment do). */
async function backendPort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await listen("127.0.0.2", 0);
    try {
      await listen("127.0.0.3", port);
      await listen("127.0.0.4", port);
      return port;
    } catch (error) {
      await Promise.all(listeners.splice(0).map((l) => new Promise((r) => l.close(r))));
      if (attempt === 5) throw error;
    }
  }
}

const webSlice = (name: string, port: number, endpoints: SliceEndpoint[]) =>
  slice({ namespace: "shop", name, service: "web", ports: [{ name: "http", port }], endpoints });

/** An IPVS side: the adapter the agent drives, and how many plans it applied. */
interface IpvsSide {
  readonly ipvs: Ipvs;
  applies(): Promise<number>;
}

const ipvsSides: Record<string, () => Promise<IpvsSide>> = {
  // the in-memory table with `ipvsadm --restore` semantics
  "memory Ipvs": async () => {
    const ipvs = new MemoryIpvs();
    return { ipvs, applies: async () => ipvs.applied.length };
  },
  // the real adapter, spawning a stateful stand-in of the ipvsadm binaries (real CLI formats)
  "IpvsadmCli + stateful fake ipvsadm": async () => {
    const fake = await writeStatefulFakeIpvsadm(dir);
    const ipvs = new IpvsadmCli({ env: { ...process.env, PATH: `${fake.binDir}:${process.env.PATH}` } });
    return {
      ipvs,
      applies: async () => (await fake.calls()).filter((c) => c === "ipvsadm --restore").length,
    };
  },
};

/** The real servers of 203.0.113.10:80 as `address:port=weight`, as the adapter reads them. */
async function table(ipvs: Ipvs): Promise<{ services: number; servers: string[] }> {
  const read = await ipvs.read();
  if (!read.ok) throw read.error;
  const service = read.value.services.find(
    (s) => s.key.kind === "address" && s.key.address === "203.0.113.10",
  );
  return {
    services: read.value.services.length,
    servers: (service?.realServers ?? []).map((r) => `${r.address}:${r.port}=${r.weight}`),
  };
}

async function startAgent(side: IpvsSide, port: number) {
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigFor(server, token));
  const config = parseAgentConfig(
    `
source:
  kubernetes:
    kubeconfig: ${kubeconfig}
    services: [{ name: shop/web, vips: [203.0.113.10], ports: [{ name: http, port: 80 }] }]
    backoff: { initialMs: 20, maxMs: 200 }
defaults:
  scheduler: mh
  schedulerFlags: [mh-port]
  healthCheck: { type: tcp, intervalMs: 100, timeoutMs: 100, rise: 1, fall: 2, drainTimeoutMs: 1500 }
reconcile: { debounceMs: 10, backoff: { initialMs: 20, maxMs: 100 } }
shutdown: { drainMs: 0 }
`,
    "lb-agent.yaml",
  );
  const { logger, lines } = recordingLogger();
  const { ipvs } = side;
  const announced: string[][] = [];
  const a = new LbAgent({
    config,
    logger,
    clock: systemClock,
    ipvs,
    node: null,
    // what main.ts does for a kubernetes source
    createSource: (c) => {
      if (c.source.kubernetes === undefined) throw new Error("kubernetes source expected");
      return EndpointSliceSource.fromConfig(c.source.kubernetes, logger);
    },
    announce: (vips) => announced.push([...vips]),
  });
  agent = a;
  await a.start();
  const at = (entries: string[]) => entries.map((e) => e.replace("$P", String(port)));
  /** Waits until the IPVS table is exactly `expected` ($P = the backends' port). */
  const until = (expected: string[], timeout = 15_000) =>
    vi.waitFor(async () => expect((await table(ipvs)).servers).toEqual(at(expected)), {
      timeout,
      interval: 100,
    });
  return { agent: a, ipvs, applies: side.applies, lines, announced, until, at };
}

describe.each(Object.keys(ipvsSides))(
  "Kubernetes EndpointSlices -> client-node -> health checks -> reconciler -> %s",
  (sideName) => {
    const side = () => (ipvsSides[sideName] as () => Promise<IpvsSide>)();

    it("adds, drains (serving+terminating), removes (not ready, deleted) real servers as the slices change", {
      timeout: 60_000,
    }, async () => {
      const port = await backendPort();
      server.store.apply(
        webSlice("web-a", port, [
          { ip: "127.0.0.2" },
          { ip: "127.0.0.3" },
          { ip: "127.0.0.9" }, // ready, but nothing listens: the health check keeps it out
        ]),
      );
      const t = await startAgent(await side(), port);
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=1"]);
      await vi.waitFor(() => expect(t.agent.ready()).toBe(true), { timeout: 10_000, interval: 10 });
      expect(t.announced.at(-1)).toEqual(["203.0.113.10"]);
      const read = await t.ipvs.read();
      expect(read.ok && read.value.services).toMatchObject([
        {
          key: { protocol: "tcp", address: "203.0.113.10", port: 80 },
          scheduler: "mh",
          schedulerFlags: ["mh-fallback", "mh-port"],
        },
      ]);

      // a pod scales up: a new endpoint (in a second slice) becomes a real server
      server.store.apply(webSlice("web-b", port, [{ ip: "127.0.0.4" }]));
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=1", "127.0.0.4:$P=1"]);

      // a pod is deleted: serving + terminating -> weight 0, its existing flows go on
      server.store.apply(
        webSlice("web-a", port, [
          { ip: "127.0.0.2" },
          { ip: "127.0.0.3", ready: false, serving: true, terminating: true },
          { ip: "127.0.0.9" },
        ]),
      );
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=0", "127.0.0.4:$P=1"]);

      // ... then not serving either -> out of the table
      server.store.apply(
        webSlice("web-a", port, [
          { ip: "127.0.0.2" },
          { ip: "127.0.0.3", ready: false, serving: false, terminating: true },
          { ip: "127.0.0.9" },
        ]),
      );
      await t.until(["127.0.0.2:$P=1", "127.0.0.4:$P=1"]);

      // a pod turns not-ready (readiness probe failing, not terminating) -> out
      server.store.apply(webSlice("web-b", port, [{ ip: "127.0.0.4", ready: false }]));
      await t.until(["127.0.0.2:$P=1"]);
      // and ready again -> back
      server.store.apply(webSlice("web-b", port, [{ ip: "127.0.0.4" }]));
      await t.until(["127.0.0.2:$P=1", "127.0.0.4:$P=1"]);

      // an endpoint leaves its slice, and a whole slice is deleted
      server.store.apply(webSlice("web-a", port, [{ ip: "127.0.0.9" }]));
      await t.until(["127.0.0.4:$P=1"]);
      expect(t.announced.at(-1)).toEqual(["203.0.113.10"]);
      server.store.delete("shop", "web-b");
      await t.until([]);
      // nothing takes connections any more: the VIP is withdrawn
      await vi.waitFor(() => expect(t.announced.at(-1)).toEqual([]), { timeout: 10_000, interval: 10 });
      // the virtual service stays (empty); no apply ever failed
      expect((await table(t.ipvs)).services).toBe(1);
      expect(t.agent.status().counters.failures).toBe(0);
      const updates = t.lines.filter((l) => l.event === "source.service.updated");
      expect(updates.length).toBeGreaterThanOrEqual(8);
    });

    it("keeps the table through an API-server outage and a 410 Gone, and applies what changed meanwhile", {
      timeout: 60_000,
    }, async () => {
      const port = await backendPort();
      server.store.apply(webSlice("web-a", port, [{ ip: "127.0.0.2" }, { ip: "127.0.0.3" }]));
      const t = await startAgent(await side(), port);
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=1"]);
      await vi.waitFor(() => expect(server.activeWatches).toBe(1), { timeout: 10_000, interval: 10 });
      const appliesBefore = await t.applies();

      // outage: every connection cut, the port closed; the cluster changes meanwhile
      await server.goDown();
      server.store.apply(
        webSlice("web-a", port, [
          { ip: "127.0.0.2" },
          { ip: "127.0.0.3", ready: false, serving: true, terminating: true },
        ]),
      );
      server.store.apply(webSlice("web-b", port, [{ ip: "127.0.0.4" }]));
      // the informer fails and retries (logged), while IPVS, health checks and the announcement stand
      await vi.waitFor(
        () =>
          expect(t.lines.filter((l) => l.event === "k8s.informer.error").length).toBeGreaterThanOrEqual(3),
        { timeout: 5000, interval: 10 },
      );
      await new Promise((r) => setTimeout(r, 500));
      expect((await table(t.ipvs)).servers).toEqual(t.at(["127.0.0.2:$P=1", "127.0.0.3:$P=1"]));
      expect(await t.applies()).toBe(appliesBefore);
      expect(t.announced.at(-1)).toEqual(["203.0.113.10"]);
      expect(t.agent.status().phase).toBe("running");

      // recovery: relist, and the changes made during the outage reach IPVS
      await server.comeBack();
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=0", "127.0.0.4:$P=1"]);
      await vi.waitFor(() => expect(server.activeWatches).toBe(1), { timeout: 10_000, interval: 10 });

      // 410 Gone on the running watch (history compacted): relist, nothing lost, nothing flaps
      const appliesBefore410 = await t.applies();
      const listsBefore410 = server.lists().length;
      server.expireWatches();
      server.store.delete("shop", "web-b");
      server.store.apply(webSlice("web-a", port, [{ ip: "127.0.0.2" }]));
      await t.until(["127.0.0.2:$P=1"]);
      // one apply for the relist's final state: no intermediate (emptier) table on the way
      expect(await t.applies()).toBe(appliesBefore410 + 1);
      expect(server.lists().length).toBe(listsBefore410 + 1); // the relist
      expect(t.agent.status().counters.failures).toBe(0);
      expect(t.announced.every((vips) => vips.length === 1)).toBe(true); // never withdrawn
    });

    it("a backend that stops listening is drained then removed by the health check, whatever the slice says", {
      timeout: 60_000,
    }, async () => {
      const port = await backendPort();
      server.store.apply(webSlice("web-a", port, [{ ip: "127.0.0.2" }, { ip: "127.0.0.3" }]));
      const t = await startAgent(await side(), port);
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=1"]);
      const l3 = listeners[1];
      await new Promise((r) => l3?.close(r));
      // fall 2 -> weight 0 for drainTimeoutMs -> removed; the slice still says ready
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=0"]);
      await t.until(["127.0.0.2:$P=1"]);
      // it listens again: back at weight 1 (rise 1)
      await listen("127.0.0.3", port);
      await t.until(["127.0.0.2:$P=1", "127.0.0.3:$P=1"]);
    });
  },
);
