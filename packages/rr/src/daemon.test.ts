/**
 * End to end: the real `ts-rr` CLI as a child process (run from source with
 * tsx), loopback only. `check` validates; `run` brings up BGP, the admin
 * API on a unix socket and metrics; a loopback LB speaker peers with it;
 * `ts-rr neighbors --json` / `routes` read it through the admin API; SIGHUP
 * with a new dynamic range applies it without resetting the running session,
 * and a bad file is rejected while the old configuration runs on; SIGTERM
 * sends Cease/Administrative Shutdown and the process exits 0. The child is
 * killed by its PID if a step fails.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NeighborView, PrefixView } from "./admin/admin-views.js";
import { getJson } from "./show/admin-client.js";
import { lbSpeaker, stopAll, until } from "./testing/loopback.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/rr/src/cli.ts");
const nodeArgs = ["--conditions=@portlb/source", "--import", "tsx", cli];
const run = promisify(execFile);

let dir = "";
let child: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ts-rr-e2e-"));
});
afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await stopAll();
  await rm(dir, { recursive: true, force: true });
});

function tsRr(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [...nodeArgs, ...args], { cwd: root, timeout: 20_000 });
}

interface LogLine {
  readonly event?: string;
  readonly [key: string]: unknown;
}

function config(socket: string, ranges: string): string {
  return `
localAs: 65001
routerId: 198.18.0.1
listen: { address: 127.0.44.1, port: 0 }
dynamicRanges:
${ranges}
admin: { listen: "unix:${socket}" }
metrics: { listen: "127.0.0.1:0" }
log: { level: info }
`;
}
const rangeA = "  - { name: lb-a, prefixes: [127.0.45.0/24], asns: [65001], maxPeers: 4 }";
const rangeB = "  - { name: lb-b, prefixes: [127.0.46.0/24], asns: [65001], maxPeers: 4 }";

describe("ts-rr daemon (child process)", () => {
  it("check exits 0 for a good file and 1 naming the bad field", async () => {
    const good = join(dir, "good.yaml");
    await writeFile(good, config(join(dir, "admin.sock"), rangeA));
    expect((await tsRr("check", "--config", good)).stdout).toMatch(/good\.yaml: ok/);
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, config(join(dir, "admin.sock"), rangeA.replace("maxPeers: 4", "maxPeers: 0")));
    await expect(tsRr("check", "--config", bad)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("dynamicRanges[0].maxPeers: must be a positive integer"),
    });
  });

  it("runs, answers the CLI, reloads on SIGHUP without resets, and says goodbye on SIGTERM", async () => {
    const file = join(dir, "rr.yaml");
    const socket = join(dir, "admin.sock");
    const admin = `unix:${socket}`;
    await writeFile(file, config(socket, rangeA));

    const logs: LogLine[] = [];
    let stderr = "";
    const proc = spawn(process.execPath, [...nodeArgs, "run", "--config", file], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let buffered = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") logs.push(JSON.parse(line) as LogLine);
    });
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    const logged = (event: string) => logs.filter((l) => l.event === event);

    // Up: the admin socket answers and tells us the BGP port (listen port 0).
    let port = 0;
    await until(
      `ts-rr up (stderr: ${stderr})`,
      async () => {
        const health = (await getJson({ kind: "unix", path: socket }, "/healthz").catch(() => null)) as {
          bgpListening: { port: number }[];
        } | null;
        port = health?.bgpListening[0]?.port ?? 0;
        // The admin API answers before the metrics server is up: wait for the end of start-up too.
        return port > 0 && logged("rr.started").length === 1;
      },
      20_000,
    );
    expect(logged("rr.started")).toHaveLength(1);
    expect(logs.every((l) => typeof l.component === "string")).toBe(true);

    const lb1 = await lbSpeaker(1, "127.0.45.1", { address: "127.0.44.1", port });
    lb1.announce({ prefix: "203.0.113.10/32", nextHop: "198.18.0.11" });
    await until("lb1 Established", () => lb1.neighbors()[0]?.state === "Established");

    let neighbors: NeighborView[] = [];
    await until("the path at ts-rr", async () => {
      neighbors = JSON.parse((await tsRr("neighbors", "--admin", admin, "--json")).stdout) as NeighborView[];
      return neighbors[0]?.prefixesReceived === 1;
    });
    expect(neighbors).toMatchObject([{ address: "127.0.45.1", range: "lb-a", state: "Established" }]);
    const table = (await tsRr("neighbors", "--admin", admin)).stdout;
    expect(table).toMatch(/^NEIGHBOR\s+AS\s+RANGE\s+STATE/);
    expect(table).toMatch(/127\.0\.45\.1\s+65001\s+lb-a\s+Established/);
    const routes = JSON.parse((await tsRr("routes", "203.0.113.10", "--admin", admin, "--json")).stdout);
    expect(routes as PrefixView[]).toMatchObject([
      { prefix: "203.0.113.10/32", paths: [{ peer: "127.0.45.1", nextHop: "198.18.0.11" }] },
    ]);
    expect((await tsRr("routes", "--admin", admin)).stdout).toContain("1 prefix, 1 path");

    // SIGHUP with a second range: added; the running session is untouched.
    const since = lb1.neighbors()[0]!.since;
    await writeFile(file, config(socket, `${rangeA}\n${rangeB}`));
    proc.kill("SIGHUP");
    await until("reload logged", () => logged("config.reloaded").length === 1);
    expect(logged("config.reloaded")[0]?.result).toMatchObject({
      added: ["lb-b"],
      unchanged: ["lb-a"],
      reset: [],
      removed: [],
      needsRestart: [],
    });
    const lb2 = await lbSpeaker(2, "127.0.46.1", { address: "127.0.44.1", port });
    await until("lb2 Established in the new range", () => lb2.neighbors()[0]?.state === "Established");

    // A bad file is rejected with the field; the old configuration keeps running.
    await writeFile(file, config(socket, `${rangeA}\n${rangeB.replace("127.0.46.0/24", "127.0.46.0/99")}`));
    proc.kill("SIGHUP");
    await until("rejection logged", () => logged("config.rejected").length === 1);
    expect(logged("config.rejected")[0]?.problems).toEqual([
      { path: "dynamicRanges[1].prefixes[0]", message: "must be a CIDR range, e.g. 198.19.0.0/16" },
    ]);
    neighbors = JSON.parse((await tsRr("neighbors", "--admin", admin, "--json")).stdout) as NeighborView[];
    expect(neighbors.map((n) => [n.address, n.range, n.state])).toEqual([
      ["127.0.45.1", "lb-a", "Established"],
      ["127.0.46.1", "lb-b", "Established"],
    ]);
    expect(lb1.neighbors()[0]).toMatchObject({ state: "Established", since });

    // SIGTERM: Cease/Administrative Shutdown with our communication, exit 0.
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    await until("lb1 hears Cease/2", () => lb1.neighbors()[0]?.lastError?.received !== undefined);
    expect(lb1.neighbors()[0]!.lastError?.received).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownCommunication: "ts-rr shutting down",
    });
    expect(lb2.neighbors()[0]!.lastError?.received).toMatchObject({ code: 6, subcode: 2 });
    expect(logged("rr.stopped")).toHaveLength(1);
    expect(stderr).toBe("");
  });
});
