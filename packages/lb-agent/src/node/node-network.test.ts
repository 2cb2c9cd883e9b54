/**
 * The node setup against a real network namespace created by this test
 * (the host kernel has routing and nftables; only IPVS is missing): VIP
 * routes (IPv4 and IPv6) added, found again, left alone when foreign,
 * removed when stale; the nftables table created, updated, left alone when
 * unchanged and removed idempotently, never touching another table; the
 * sysctl step tolerating a read-only /proc/sys; a missing binary reported
 * by name. The namespace is deleted afterwards, also on failure.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingLogger } from "../reconcile/reconcile-test-kit.js";
import { NftMasquerade } from "./nft-masquerade.js";
import { NodeError } from "./node-error.js";
import { NodeNetwork } from "./node-network.js";
import { type CommandRunner, commandRunner } from "./run-command.js";
import { VipRoutes } from "./vip-routes.js";

const ns = `plb-node-${process.pid}`;
const ip = ["ip", "-n", ns];
const nft = ["ip", "netns", "exec", ns, "nft"];

function sh(...argv: string[]): string {
  return execFileSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
}

/** The VIP-like host routes of the namespace's local table, both families. */
function localRoutes(): string {
  return (
    sh("ip", "-n", ns, "-4", "route", "show", "table", "local", "type", "local") +
    sh("ip", "-n", ns, "-6", "route", "show", "table", "local", "type", "local")
  );
}

/** A runner that records every argv it runs. */
function counting(): { run: CommandRunner; calls: string[] } {
  const inner = commandRunner();
  const calls: string[] = [];
  return {
    calls,
    run: (argv, stdin) => {
      calls.push(argv.slice(argv[1] === "-n" ? 3 : argv[1] === "netns" ? 4 : 1).join(" "));
      return inner(argv, stdin);
    },
  };
}

beforeAll(() => {
  sh("ip", "netns", "add", ns);
  sh("ip", "-n", ns, "link", "set", "lo", "up");
});

afterAll(() => {
  execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
});

describe("VipRoutes in a network namespace", () => {
  it("adds IPv4 and IPv6 local routes once, leaves foreign ones alone and removes stale ones", async () => {
    sh("ip", "-n", ns, "addr", "add", "203.0.113.20/32", "dev", "lo"); // someone else's: an address
    sh(
      "ip",
      "-n",
      ns,
      "route",
      "add",
      "local",
      "203.0.113.30/32",
      "dev",
      "lo",
      "table",
      "local",
      "proto",
      "245",
    ); // ours, stale
    const { run, calls } = counting();
    const routes = new VipRoutes({ run, ip, device: "lo" });

    expect(await routes.sync(["203.0.113.10", "2001:DB8::10", "203.0.113.20"])).toEqual({
      added: ["203.0.113.10", "2001:db8::10"],
      removed: ["203.0.113.30"],
      foreign: ["203.0.113.20"],
    });
    expect(sh("ip", "-n", ns, "route", "get", "203.0.113.10")).toMatch(/^local 203\.0\.113\.10 dev lo /);
    expect(sh("ip", "-n", ns, "-6", "route", "get", "2001:db8::10")).toMatch(/^local 2001:db8::10 .*dev lo/);
    expect(localRoutes()).not.toContain("203.0.113.30");

    calls.length = 0;
    expect(await routes.sync(["203.0.113.10", "2001:db8::10", "203.0.113.20"])).toEqual({
      added: [],
      removed: [],
      foreign: ["203.0.113.20"],
    });
    expect(calls).toEqual([
      "-j -4 route show table local type local",
      "-j -6 route show table local type local",
    ]);

    expect(await routes.removeAll()).toEqual({
      added: [],
      removed: ["203.0.113.10", "2001:db8::10"],
      foreign: [],
    });
    const left = sh("ip", "-n", ns, "-4", "route", "show", "table", "local", "type", "local");
    expect(left).toContain("203.0.113.20"); // the address's route is untouched
    expect(left).not.toContain("203.0.113.10");
    expect(await routes.removeAll()).toEqual({ added: [], removed: [], foreign: [] });
  });

  it("reports a missing ip binary by name, without throwing", async () => {
    const routes = new VipRoutes({ run: commandRunner(), ip: ["/nonexistent/ip"], device: "lo" });
    const result = await routes.sync(["203.0.113.10"]);
    expect(result).toBeInstanceOf(NodeError);
    expect(result).toMatchObject({
      code: "ERR_NODE_BINARY_MISSING",
      message: "/nonexistent/ip not found on PATH: install the iproute2 package",
    });
  });

  it("returns the stderr of a failing command", async () => {
    const routes = new VipRoutes({ run: commandRunner(), ip, device: "nosuchdev0" });
    const result = await routes.sync(["203.0.113.10"]);
    expect(result).toMatchObject({
      code: "ERR_NODE_COMMAND_FAILED",
      stderr: expect.stringMatching(/nosuchdev0|Cannot find device/),
    });
  });
});

describe("NftMasquerade in a network namespace", () => {
  it("creates, updates and removes only its own table, idempotently", async () => {
    sh("ip", "netns", "exec", ns, "nft", "add", "table", "ip", "keepme"); // someone else's table
    const { run, calls } = counting();
    const masq = new NftMasquerade({ run, nft });
    expect(await masq.sync(["203.0.113.10", "2001:db8::10"])).toBe(true);
    const listed = sh(...nft, "list", "table", "inet", "portlb");
    expect(listed).toMatch(/set vips4 \{\s+type ipv4_addr\s+elements = \{ 203\.0\.113\.10 \}/);
    expect(listed).toMatch(/set vips6 \{\s+type ipv6_addr\s+elements = \{ 2001:db8::10 \}/);
    expect(listed).toContain("type nat hook postrouting priority srcnat; policy accept;");
    expect(listed).toContain("ct direction original ct original ip daddr @vips4 masquerade");

    expect(await masq.sync(["2001:db8::10", "203.0.113.10"])).toBe(false); // same set: nft not run
    expect(calls).toHaveLength(1);
    expect(await masq.sync(["203.0.113.11"])).toBe(true);
    expect(sh(...nft, "list", "set", "inet", "portlb", "vips4")).toContain("203.0.113.11");
    expect(sh(...nft, "list", "set", "inet", "portlb", "vips6")).not.toContain("2001:db8::10");

    // a fresh instance (an agent restart) over an existing table replaces it atomically
    expect(await new NftMasquerade({ run, nft }).sync(["203.0.113.12"])).toBe(true);
    expect(sh(...nft, "list", "set", "inet", "portlb", "vips4")).not.toContain("203.0.113.11");

    expect(await masq.remove()).toBeNull();
    expect(await masq.remove()).toBeNull();
    expect(sh(...nft, "list", "tables")).toBe("table ip keepme\n");
    sh(...nft, "delete", "table", "ip", "keepme");
  });
});

describe("NodeNetwork", () => {
  it("syncs routes + nft, writes sysctls once, warns when it cannot, and cleans up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-agent-sysctl-"));
    try {
      await mkdir(join(dir, "net/ipv4/vs"), { recursive: true });
      const { logger, lines } = recordingLogger();
      const node = new NodeNetwork({ logger, device: "lo", ip, nft, procSysRoot: dir });
      expect(await node.sync({ localVips: ["203.0.113.10"], masqueradeVips: ["203.0.113.10"] })).toBeNull();
      expect(await readFile(join(dir, "net/ipv4/vs/conntrack"), "utf8")).toBe("1\n");
      expect(await readFile(join(dir, "net/ipv4/vs/sloppy_tcp"), "utf8")).toBe("1\n");
      expect(sh("ip", "-n", ns, "route", "get", "203.0.113.10")).toMatch(/^local/);
      expect(sh(...nft, "list", "tables")).toBe("table inet portlb\n");
      expect(await node.cleanup()).toBe(true);
      expect(sh(...nft, "list", "tables")).toBe("");
      expect(localRoutes()).not.toContain("203.0.113.10");
      expect(lines.filter((l) => l.event === "node.sysctls.applied")).toHaveLength(1);

      // read-only /proc/sys (a pod): a warning naming the sysctls, the sync still succeeds
      const ro = new NodeNetwork({ logger, device: "lo", ip, nft, procSysRoot: join(dir, "missing") });
      expect(await ro.sync({ localVips: [], masqueradeVips: [] })).toBeNull();
      const warn = lines.find((l) => l.event === "node.sysctls.failed");
      expect(warn?.level).toBe(40);
      expect(warn?.msg).toMatch(/cannot set 5 IPVS sysctl\(s\): net\.ipv4\.vs\.conntrack/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
