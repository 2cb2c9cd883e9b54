/**
 * The agent composed in-process with the static file source and the admin
 * and metrics servers on 127.0.0.1 (real HTTP), the in-memory Ipvs and a
 * recording node setup: the file's services reach IPVS and the node; /status,
 * /healthz, /readyz and /metrics answer; SIGTERM's order is withdraw ->
 * drain -> stop -> clean up; a reload applies new settings and a reload to a
 * broken source keeps the old one; ipvsadm missing keeps the agent alive
 * (healthz 200, readyz 503, the error in /status).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type RunningServer, startAdminServer } from "../admin/admin-server.js";
import { AgentMetrics } from "../admin/agent-metrics.js";
import { listenUrl } from "../config/listen-address.js";
import { parseAgentConfig } from "../config/load-config.js";
import { systemClock } from "../health/clock.js";
import type { Ipvs } from "../ipvs/ipvs.js";
import { IpvsadmCli } from "../ipvs/ipvsadm-cli.js";
import { MemoryIpvs } from "../ipvs/memory-ipvs.js";
import { renderRestoreScript } from "../ipvs/restore-script.js";
import { recordingLogger } from "../reconcile/reconcile-test-kit.js";
import type { NodeSyncTarget } from "../reconcile/reconciler.js";
import { StaticFileSource } from "../source/static-file.js";
import { LbAgent, type NodeSetup } from "./lb-agent.js";

let dir: string;
let backends: string;
let servers: RunningServer[];
let agents: LbAgent[];

const backendFile = (addresses: string[]): string => `services:
  - name: shop/web
    vips: [203.0.113.10]
    ports: [{ name: http, port: 80, targetPort: 8080 }]
    backends: [${addresses.map((a) => `{ address: ${a} }`).join(", ")}]
`;

const agentConfig = (extra = ""): string => `
source: { static: { path: ${backends}, pollIntervalMs: 50 } }
defaults: { healthCheck: null, schedulerFlags: [mh-port] }
reconcile: { debounceMs: 10, backoff: { initialMs: 20, maxMs: 100 } }
shutdown: { drainMs: 250 }
${extra}`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lb-agent-agent-"));
  backends = join(dir, "backends.yaml");
  servers = [];
  agents = [];
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.shutdown()));
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

function recordingNode(events: string[]): NodeSetup & { targets: NodeSyncTarget[] } {
  const targets: NodeSyncTarget[] = [];
  return {
    targets,
    async sync(target) {
      targets.push(target);
      return null;
    },
    async cleanup() {
      events.push("cleanup");
      return true;
    },
  };
}

async function start(ipvs: Ipvs, configText = agentConfig()) {
  const { logger, lines } = recordingLogger();
  const events: string[] = [];
  const node = recordingNode(events);
  const config = parseAgentConfig(configText, "lb-agent.yaml");
  let agent: LbAgent | undefined;
  const metrics = new AgentMetrics(() => {
    if (agent === undefined) throw new Error("not started");
    return agent.reconciler.status();
  });
  agent = new LbAgent({
    config,
    logger,
    clock: systemClock,
    ipvs,
    node,
    createSource: (c) =>
      new StaticFileSource({ path: c.source.static?.path ?? "", logger, debounceMs: 10, pollIntervalMs: 50 }),
    announce: (vips) => events.push(`announce:${[...vips].join(",")}`),
    observer: metrics,
    sleep: async (ms) => {
      events.push(`sleep:${ms}`);
    },
  });
  const a = agent;
  agents.push(a);
  const admin = await startAdminServer(
    { host: "127.0.0.1", port: 0 },
    { status: () => a.status(), ready: () => a.ready() },
    logger,
  );
  const prom = await startAdminServer({ host: "127.0.0.1", port: 0 }, { metrics: metrics.registry }, logger);
  servers.push(admin, prom);
  await a.start();
  const get = async (server: RunningServer, path: string, method = "GET") => {
    const res = await fetch(`${listenUrl(server.address)}${path}`, { method });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };
  return { agent: a, lines, events, node, admin, prom, get };
}

describe("LbAgent with the static source, admin API and metrics on 127.0.0.1", () => {
  it("programs the file's services, serves status/health/metrics, and shuts down in order", async () => {
    await writeFile(backends, backendFile(["198.19.1.2", "198.19.1.1"]));
    const ipvs = new MemoryIpvs();
    const t = await start(ipvs);
    await vi.waitFor(() => expect(t.agent.ready()).toBe(true), { interval: 10 });
    expect(ipvs.applied).toHaveLength(1);
    expect(renderRestoreScript(ipvs.applied[0] ?? { operations: [] })).toBe(
      "-A -t 203.0.113.10:80 -s mh -b mh-fallback,mh-port\n" +
        "-a -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 1\n" +
        "-a -t 203.0.113.10:80 -r 198.19.1.2:8080 -m -w 1\n",
    );
    expect(t.node.targets.at(-1)).toEqual({ localVips: ["203.0.113.10"], masqueradeVips: ["203.0.113.10"] });
    expect(t.events).toEqual(["announce:203.0.113.10"]);

    const status = await t.get(t.admin, "/status");
    expect(status).toMatchObject({ status: 200, type: "application/json" });
    expect(JSON.parse(status.body)).toMatchObject({
      phase: "running",
      inSync: true,
      source: { kind: "static", synced: true },
      announced: ["203.0.113.10"],
      services: [{ name: "shop/web", total: 2, healthy: 2, eligible: true, applies: 1 }],
      counters: { ipvsadmApplies: 1, failures: 0 },
    });
    expect(await t.get(t.admin, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect(await t.get(t.admin, "/readyz")).toMatchObject({ status: 200, body: "ready\n" });
    expect(await t.get(t.admin, "/nope")).toMatchObject({ status: 404 });
    expect(await t.get(t.admin, "/status", "POST")).toMatchObject({ status: 405 });
    expect(await t.get(t.admin, "/metrics")).toMatchObject({ status: 404 }); // metrics are on their own server

    const metrics = await t.get(t.prom, "/metrics");
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const line of [
      'lb_agent_service_real_servers{service="shop/web"} 2',
      'lb_agent_service_real_servers_healthy{service="shop/web"} 2',
      'lb_agent_service_real_servers_draining{service="shop/web"} 0',
      'lb_agent_service_announce_eligible{service="shop/web"} 1',
      'lb_agent_service_ipvsadm_applies_total{service="shop/web"} 1',
      'lb_agent_vip_announced{vip="203.0.113.10"} 1',
      'lb_agent_ipvsadm_runs_total{op="apply"} 1',
      'lb_agent_ipvsadm_errors_total{op="apply"} 0',
      'lb_agent_reconcile_duration_seconds_count{result="ok"} 1',
      "lb_agent_in_sync 1",
    ]) {
      expect(metrics.body).toContain(line);
    }

    // a backend leaves the file: one more apply, seen in status
    await writeFile(backends, backendFile(["198.19.1.1"]));
    await vi.waitFor(() => expect(ipvs.applied).toHaveLength(2), { interval: 10 });
    expect(renderRestoreScript(ipvs.applied[1] ?? { operations: [] })).toBe(
      "-d -t 203.0.113.10:80 -r 198.19.1.2:8080\n",
    );

    await t.agent.shutdown();
    expect(t.events).toEqual(["announce:203.0.113.10", "announce:", "sleep:250", "cleanup"]);
    expect(t.agent.status().phase).toBe("stopped");
    expect(t.lines.map((l) => l.event).filter((e) => e?.startsWith("agent."))).toEqual([
      "agent.starting",
      "agent.started",
      "agent.draining",
      "agent.stopped",
    ]);
  });

  it("reloads settings at once and keeps the old source when the new one is broken", async () => {
    await writeFile(backends, backendFile(["198.19.1.1"]));
    const ipvs = new MemoryIpvs();
    const t = await start(ipvs);
    await vi.waitFor(() => expect(t.agent.ready()).toBe(true), { interval: 10 });
    await t.agent.reload(
      parseAgentConfig(agentConfig().replace("schedulerFlags: [mh-port]", "scheduler: wrr"), "x"),
    );
    await vi.waitFor(() => expect(ipvs.applied).toHaveLength(2), { interval: 10 });
    expect(renderRestoreScript(ipvs.applied[1] ?? { operations: [] })).toBe("-E -t 203.0.113.10:80 -s wrr\n");

    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "services: [{ name: nope }]\n");
    await t.agent.reload(parseAgentConfig(agentConfig().replace(backends, broken), "x"));
    expect(t.lines.find((l) => l.event === "config.rejected")?.msg).toBe(
      "new source failed to start; keeping the current configuration",
    );
    await writeFile(backends, backendFile(["198.19.1.1", "198.19.1.3"]));
    await vi.waitFor(() => expect(ipvs.applied).toHaveLength(3), { interval: 10 });
  });

  it("keeps running with ipvsadm missing: logged, retried, visible in status and readyz", async () => {
    await writeFile(backends, backendFile(["198.19.1.1"]));
    const ipvs = new IpvsadmCli({
      ipvsadm: "/nonexistent/ipvsadm",
      ipvsadmSave: "/nonexistent/ipvsadm-save",
    });
    const t = await start(ipvs);
    await vi.waitFor(() => expect(t.agent.status().counters.failures).toBeGreaterThanOrEqual(3), {
      interval: 10,
    });
    const failed = t.lines.find((l) => l.event === "reconcile.failed");
    expect(failed).toMatchObject({ level: 50, stage: "read", code: "ERR_IPVS_BINARY_MISSING" });
    expect(failed?.msg).toBe(
      "reconcile failed at read: /nonexistent/ipvsadm-save not found on PATH: install the ipvsadm package",
    );
    expect(t.lines.some((l) => l.event === "reconcile.retry")).toBe(true);
    expect(await t.get(t.admin, "/healthz")).toMatchObject({ status: 200 });
    expect(await t.get(t.admin, "/readyz")).toMatchObject({ status: 503 });
    const status = JSON.parse((await t.get(t.admin, "/status")).body) as {
      lastError: unknown;
      announced: unknown;
    };
    expect(status).toMatchObject({
      announced: [],
      lastError: { stage: "read", code: "ERR_IPVS_BINARY_MISSING" },
    });
    expect((await t.get(t.prom, "/metrics")).body).toMatch(
      /lb_agent_ipvsadm_errors_total\{op="read"\} [3-9]/,
    );
    expect(t.events).toEqual([]); // nothing announced
  });
});
