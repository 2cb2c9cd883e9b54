/**
 * The `lb-agent` command as a process (node --import tsx src/cli.ts):
 * `check` accepts a good file and names every bad field; `run` refuses a bad
 * config with exit 1 and a fatal JSON log line naming the field; `run` inside
 * a network namespace created here, with a counting fake ipvsadm on PATH,
 * programs IPVS with one `ipvsadm --restore` per reconcile, makes the VIP
 * local and loads the nftables table, answers `lb-agent status`, reloads on
 * SIGHUP, and on SIGTERM withdraws, drains, removes the route and the table
 * and exits 0; `run` with the real ipvsadm on this IPVS-less kernel logs the
 * failure with its stderr and keeps running until SIGTERM.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeFakeIpvsadm } from "./ipvs/fake-ipvsadm-test-kit.js";

const exec = promisify(execFile);
const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const ns = `plb-cli-${process.pid}`;
let dir: string;
const children: ChildProcess[] = [];

interface Run {
  readonly child: ChildProcess;
  readonly lines: () => { level: number; event?: string; msg: string; [k: string]: unknown }[];
  readonly exited: Promise<number | null>;
}

function lbAgent(args: readonly string[], options: { netns?: boolean; path?: string } = {}): Run {
  const argv = ["node", "--import", "tsx", cli, ...args];
  const env = { ...process.env, PATH: options.path ?? process.env.PATH ?? "" };
  const child = options.netns
    ? spawn("ip", ["netns", "exec", ns, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(argv[0] ?? "node", argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; event?: string; msg: string });
  return { child, lines, exited };
}

async function inNs(...argv: string[]): Promise<string> {
  return (await exec("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" })).stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lb-agent-cli-"));
  execFileSync("ip", ["netns", "add", ns]);
  execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill("SIGKILL");
  execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  await rm(dir, { recursive: true, force: true });
});

const backendsYaml = `services:
  - name: shop/web
    vips: [203.0.113.10]
    ports: [{ name: http, port: 80, targetPort: 8080 }]
    backends: [{ address: 198.19.1.1 }, { address: 198.19.1.2 }]
`;

const configYaml = (backends: string, scheduler = "mh"): string => `
source: { static: { path: ${backends}, pollIntervalMs: 100 } }
defaults: { scheduler: ${scheduler}, healthCheck: null }
reconcile: { debounceMs: 20, backoff: { initialMs: 100, maxMs: 1000 } }
shutdown: { drainMs: 300 }
metrics: { listen: "127.0.0.1:9471" }
`;

describe("lb-agent check", () => {
  it("accepts a good file and names every bad field with exit 1", async () => {
    const good = join(dir, "good.yaml");
    await writeFile(good, configYaml("/etc/lb-agent/backends.yaml"));
    const ok = lbAgent(["check", "--config", good]);
    expect(await ok.exited).toBe(0);

    const bad = join(dir, "bad.yaml");
    await writeFile(
      bad,
      "source: { static: { path: '' } }\ndefaults: { scheduler: maglev }\nadmin: { listen: nowhere }\n",
    );
    const run = lbAgent(["check", "--config", bad]);
    let stderr = "";
    run.child.stderr?.on("data", (c: string) => {
      stderr += c;
    });
    expect(await run.exited).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `${bad}: source.static.path: must be a file path`,
      `${bad}: defaults.scheduler: must be one of rr, wrr, lc, wlc, sh, mh`,
      `${bad}: admin.listen: must be ip:port, e.g. 127.0.0.1:9470 or [::1]:9470`,
    ]);
  });
});

describe("lb-agent run", () => {
  it("refuses a bad config with exit 1 and a fatal log line naming the field", async () => {
    const bad = join(dir, "bad-run.yaml");
    await writeFile(bad, "source: { static: { path: /x } }\nshutdown: { drainMs: -1 }\n");
    const run = lbAgent(["run", "--config", bad]);
    expect(await run.exited).toBe(1);
    const fatal = run.lines().find((l) => l.level === 60);
    expect(fatal).toMatchObject({
      event: "config.rejected",
      code: "ERR_CONFIG_INVALID",
      problems: [{ path: "shutdown.drainMs", message: "Too small: expected number to be >=0" }],
    });
  });

  it("runs in a namespace: one --restore per reconcile, VIP + nft set up, status, SIGHUP, SIGTERM cleanup", async () => {
    const fake = await writeFakeIpvsadm(dir);
    const backends = join(dir, "backends.yaml");
    const config = join(dir, "agent.yaml");
    await writeFile(backends, backendsYaml);
    await writeFile(config, configYaml(backends));
    const run = lbAgent(["run", "--config", config], {
      netns: true,
      path: `${fake.binDir}:${process.env.PATH}`,
    });
    await vi.waitFor(
      async () => expect(await inNs("curl", "-s", "http://127.0.0.1:9470/readyz")).toBe("ready\n"),
      { timeout: 15_000, interval: 100 },
    );
    expect((await fake.calls()).filter((c) => c === "ipvsadm --restore")).toHaveLength(1);
    expect(await inNs("ip", "-4", "route", "show", "table", "local", "type", "local")).toContain(
      "local 203.0.113.10 dev lo proto 245",
    );
    expect(await inNs("nft", "list", "set", "inet", "portlb", "vips4")).toContain("203.0.113.10");

    const status = await inNs("node", "--import", "tsx", cli, "status");
    expect(status).toContain("phase: running   in sync: yes   announced: 203.0.113.10");
    expect(status).toContain(
      "shop/web  vips 203.0.113.10  real servers 2 (healthy 2, draining 0)  announce yes",
    );
    expect(await inNs("curl", "-s", "http://127.0.0.1:9471/metrics")).toContain(
      'lb_agent_ipvsadm_runs_total{op="apply"} 1',
    );

    // SIGHUP with a new scheduler: one more reconcile, one more --restore (the fake reads as empty, so a full add)
    await writeFile(config, configYaml(backends, "wrr"));
    run.child.kill("SIGHUP");
    await vi.waitFor(
      async () => expect((await fake.calls()).filter((c) => c === "ipvsadm --restore")).toHaveLength(2),
      { timeout: 10_000, interval: 50 },
    );
    expect(run.lines().some((l) => l.event === "config.reloaded")).toBe(true);
    const calls = await fake.calls();
    const reads = calls.filter((c) => c === "ipvsadm-save -n").length;
    expect(reads).toBeGreaterThanOrEqual(2);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const events = run.lines().map((l) => l.event);
    expect(events.indexOf("announce.stopped")).toBeLessThan(events.indexOf("agent.draining"));
    expect(events.indexOf("agent.draining")).toBeLessThan(events.indexOf("node.cleanup"));
    expect(events.at(-1)).toBe("agent.stopped");
    expect(await inNs("ip", "-4", "route", "show", "table", "local", "type", "local")).not.toContain(
      "203.0.113.10",
    );
    expect(await inNs("nft", "list", "tables")).toBe("");
  }, 30_000);

  it("keeps running when the real ipvsadm fails (no IPVS in this kernel), then stops on SIGTERM", async () => {
    const backends = join(dir, "backends2.yaml");
    const config = join(dir, "agent2.yaml");
    await writeFile(backends, backendsYaml);
    await writeFile(config, configYaml(backends));
    const run = lbAgent(["run", "--config", config], { netns: true });
    await vi.waitFor(
      () =>
        expect(run.lines().filter((l) => l.event === "reconcile.failed").length).toBeGreaterThanOrEqual(2),
      {
        timeout: 15_000,
        interval: 100,
      },
    );
    const failed = run.lines().find((l) => l.event === "reconcile.failed");
    expect(failed).toMatchObject({
      level: 50,
      stage: "read",
      code: "ERR_IPVS_COMMAND_FAILED",
      command: "ipvsadm-save -n",
    });
    expect(String(failed?.stderr)).toContain("Can't initialize ipvs");
    expect(run.child.exitCode).toBeNull();
    expect(
      await inNs("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9470/readyz"),
    ).toBe("503");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 30_000);
});
