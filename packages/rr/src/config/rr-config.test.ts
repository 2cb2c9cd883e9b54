/**
 * Configuration validation: the shipped example passes with the documented
 * defaults and maps onto the speaker's options; every bad field is refused
 * with its path and a message; YAML and file errors are typed.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigErrorCode } from "./config-error.js";
import { loadRrConfig, parseRrConfig, validateRrConfig } from "./load-config.js";
import { toSpeakerOptions } from "./speaker-options.js";

const examplePath = fileURLToPath(new URL("../../examples/rr.yaml", import.meta.url));

const minimal = { localAs: 65001, routerId: "198.18.0.1" };

function problemsFor(input: unknown): { path: string; message: string }[] {
  try {
    validateRrConfig(input, "test.yaml");
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("ts-rr configuration", () => {
  it("accepts the example and maps it onto the speaker's options", async () => {
    const config = await loadRrConfig(examplePath);
    expect(config.routerId).toBe("198.18.0.1");
    const options = toSpeakerOptions(config);
    expect(options).toMatchObject({
      localAs: 65001,
      routerId: "198.18.0.1",
      clusterId: "198.18.0.1",
      listen: [{ address: "0.0.0.0", port: 179 }],
      gracefulRestartTime: 120,
      dynamicNeighbors: [
        {
          name: "lb-pods",
          prefixes: ["198.19.0.0/16"],
          asns: [65001],
          maxPeers: 256,
          routeReflectorClient: true,
          holdTime: 90,
          maxPrefixes: { limit: 1000 },
        },
      ],
      neighbors: [
        {
          address: "198.18.0.254",
          asn: 65001,
          port: 179,
          passive: false,
          localAddress: "198.18.0.1",
          addPath: { "ipv4-unicast": "send", "ipv6-unicast": "send" },
          maxPrefixes: { limit: 100, restartAfter: 60 },
        },
      ],
    });
    expect(options.dynamicNeighbors?.[0]).not.toHaveProperty("addPath");
  });

  it("applies the documented defaults to a minimal file", () => {
    const config = validateRrConfig(
      {
        ...minimal,
        dynamicRanges: [{ name: "lb", prefixes: ["198.19.0.0/16"], asns: [65001], maxPeers: 8 }],
        upstreams: [{ address: "198.18.0.254", asn: 65001, families: ["ipv4-unicast"] }],
      },
      "test.yaml",
    );
    expect(config.listen).toEqual({ address: "0.0.0.0", port: 179 });
    expect(config.admin.listen).toEqual({ kind: "tcp", host: "127.0.0.1", port: 50179 });
    expect(config.metrics.listen).toEqual({ kind: "tcp", host: "127.0.0.1", port: 9179 });
    expect(config.log.level).toBe("info");
    expect(config.gracefulRestartTime).toBe(120);
    const options = toSpeakerOptions(config);
    expect(options.clusterId).toBe("198.18.0.1");
    expect(options.dynamicNeighbors?.[0]?.routeReflectorClient).toBe(true);
    expect(options.neighbors?.[0]).toMatchObject({ port: 179, addPath: { "ipv4-unicast": "send" } });
    expect(options.neighbors?.[0]?.addPath).not.toHaveProperty("ipv6-unicast");
    expect(options.policies).toEqual({});
  });

  it("maps the optional switches: ADD-PATH off/receive, policies, a unix admin socket", () => {
    const config = validateRrConfig(
      {
        ...minimal,
        clusterId: "198.18.0.100",
        dynamicRanges: [
          {
            name: "lb",
            prefixes: ["198.19.0.0/16", "2001:db8:19::/64"],
            asns: [65001],
            maxPeers: 8,
            routeReflectorClient: false,
            addPathReceive: true,
          },
        ],
        upstreams: [
          { address: "198.18.0.254", asn: 65002, addPathSend: false, export: "accept", addPathSendMax: 4 },
        ],
        admin: { listen: "unix:/run/ts-rr/admin.sock" },
        metrics: { listen: "[::1]:9179" },
      },
      "test.yaml",
    );
    expect(config.admin.listen).toEqual({ kind: "unix", path: "/run/ts-rr/admin.sock" });
    expect(config.metrics.listen).toEqual({ kind: "tcp", host: "::1", port: 9179 });
    const options = toSpeakerOptions(config);
    expect(options.clusterId).toBe("198.18.0.100");
    expect(options.dynamicNeighbors?.[0]).toMatchObject({
      routeReflectorClient: false,
      addPath: { "ipv4-unicast": "receive", "ipv6-unicast": "receive" },
    });
    expect(options.neighbors?.[0]).not.toHaveProperty("addPath");
    expect(options.neighbors?.[0]).toMatchObject({ addPathSendMax: 4 });
    expect(options.policies).toEqual({ "198.18.0.254": { export: "accept" } });
  });

  const range = { name: "lb", prefixes: ["198.19.0.0/16"], asns: [65001], maxPeers: 8 };
  const up = { address: "198.18.0.254", asn: 65001 };
  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["missing local AS", { routerId: "198.18.0.1" }, "localAs", /is required/],
    ["AS 0", { ...minimal, localAs: 0 }, "localAs", /AS number/],
    ["AS too big", { ...minimal, localAs: 2 ** 32 }, "localAs", /AS number/],
    ["router ID not IPv4", { ...minimal, routerId: "2001:db8::1" }, "routerId", /IPv4/],
    ["router ID zero", { ...minimal, routerId: "0.0.0.0" }, "routerId", /non-zero/],
    ["cluster ID", { ...minimal, clusterId: "x" }, "clusterId", /IPv4/],
    ["listen address", { ...minimal, listen: { address: "any" } }, "listen.address", /IP/],
    ["listen port", { ...minimal, listen: { port: 70000 } }, "listen.port", /port/],
    ["graceful restart", { ...minimal, gracefulRestartTime: 5000 }, "gracefulRestartTime", /4095/],
    ["unknown top-level key", { ...minimal, routerID: "1.2.3.4" }, "routerID", /unknown field/],
    [
      "range CIDR",
      { ...minimal, dynamicRanges: [{ ...range, prefixes: ["198.19.0.0/16", "198.19.0.0/33"] }] },
      "dynamicRanges[0].prefixes[1]",
      /CIDR/,
    ],
    [
      "range without prefixes",
      { ...minimal, dynamicRanges: [{ ...range, prefixes: [] }] },
      "dynamicRanges[0].prefixes",
      /at least one/,
    ],
    [
      "range ASN",
      { ...minimal, dynamicRanges: [{ ...range, asns: [65001, -1] }] },
      "dynamicRanges[0].asns[1]",
      /AS number/,
    ],
    [
      "range maxPeers",
      { ...minimal, dynamicRanges: [{ ...range, maxPeers: 0 }] },
      "dynamicRanges[0].maxPeers",
      /positive/,
    ],
    [
      "range name twice",
      { ...minimal, dynamicRanges: [range, { ...range, prefixes: ["198.19.1.0/24"] }] },
      "dynamicRanges[1].name",
      /twice/,
    ],
    [
      "range family",
      { ...minimal, dynamicRanges: [{ ...range, families: ["ipv4-multicast"] }] },
      "dynamicRanges[0].families[0]",
      /ipv4-unicast/,
    ],
    [
      "range hold time",
      { ...minimal, dynamicRanges: [{ ...range, holdTime: 2 }] },
      "dynamicRanges[0].holdTime",
      /RFC 4271/,
    ],
    [
      "range max prefixes",
      { ...minimal, dynamicRanges: [{ ...range, maxPrefixes: 0 }] },
      "dynamicRanges[0].maxPrefixes.limit",
      /positive/,
    ],
    [
      "upstream address",
      { ...minimal, upstreams: [{ ...up, address: "router" }] },
      "upstreams[0].address",
      /IP/,
    ],
    [
      "upstream AS missing",
      { ...minimal, upstreams: [{ address: "198.18.0.254" }] },
      "upstreams[0].asn",
      /required/,
    ],
    ["upstream port", { ...minimal, upstreams: [{ ...up, port: 0 }] }, "upstreams[0].port", /1-65535/],
    [
      "upstream passive",
      { ...minimal, upstreams: [{ ...up, passive: "yes" }] },
      "upstreams[0].passive",
      /boolean/,
    ],
    [
      "upstream local address",
      { ...minimal, upstreams: [{ ...up, localAddress: "198.18.0" }] },
      "upstreams[0].localAddress",
      /IP/,
    ],
    [
      "upstream addPathSendMax",
      { ...minimal, upstreams: [{ ...up, addPathSendMax: 0 }] },
      "upstreams[0].addPathSendMax",
      /positive/,
    ],
    [
      "upstream hold time",
      { ...minimal, upstreams: [{ ...up, holdTime: 1.5 }] },
      "upstreams[0].holdTime",
      /seconds/,
    ],
    [
      "upstream max-prefix restart",
      { ...minimal, upstreams: [{ ...up, maxPrefixes: { limit: 10, restartAfter: -1 } }] },
      "upstreams[0].maxPrefixes.restartAfter",
      /negative/,
    ],
    [
      "upstream policy",
      { ...minimal, upstreams: [{ ...up, export: "all" }] },
      "upstreams[0].export",
      /accept/,
    ],
    ["upstream twice", { ...minimal, upstreams: [up, up] }, "upstreams[1].address", /twice/],
    [
      "upstream typo",
      { ...minimal, upstreams: [{ ...up, holdtime: 3 }] },
      "upstreams[0].holdtime",
      /unknown field/,
    ],
    ["admin listen", { ...minimal, admin: { listen: "localhost:50179" } }, "admin.listen", /ip:port/],
    ["admin relative socket", { ...minimal, admin: { listen: "unix:admin.sock" } }, "admin.listen", /unix/],
    ["metrics listen", { ...minimal, metrics: { listen: "/run/metrics.sock" } }, "metrics.listen", /ip:port/],
    ["log level", { ...minimal, log: { level: "verbose" } }, "log.level", /info/],
  ];
  it.each(bad)("names the field: %s", (_what, input, path, message) => {
    const problems = problemsFor(input);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)?.message).toMatch(message);
  });

  it("reports every bad field at once, not just the first", () => {
    const problems = problemsFor({ localAs: -1, routerId: "x", upstreams: [{ address: "y", asn: 1 }] });
    expect(problems.map((p) => p.path)).toEqual(["localAs", "routerId", "upstreams[0].address"]);
  });

  it("types YAML and file errors", async () => {
    expect(() => parseRrConfig("localAs: [1\n", "bad.yaml")).toThrow(
      expect.objectContaining({ code: ConfigErrorCode.Syntax }),
    );
    expect(() => parseRrConfig("localAs: 1\nlocalAs: 2\nrouterId: 198.18.0.1\n", "dup.yaml")).toThrow(
      expect.objectContaining({ code: ConfigErrorCode.Syntax }),
    );
    expect(() => parseRrConfig("", "empty.yaml")).toThrow(/localAs: is required/);
    await expect(loadRrConfig("/nonexistent/rr.yaml")).rejects.toMatchObject({
      code: ConfigErrorCode.Unreadable,
    });
    // The example file is what the README shows; keep it free of addresses outside the plan.
    const text = await readFile(examplePath, "utf8");
    const addresses = text.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? [];
    for (const a of addresses) expect(a).toMatch(/^(198\.18\.0\.|198\.19\.|127\.0\.0\.1$|0\.0\.0\.0$)/);
  });
});
