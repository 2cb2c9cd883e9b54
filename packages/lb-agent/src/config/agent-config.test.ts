/**
 * The agent's configuration file: a good file gets its defaults and
 * resolves per-service settings; every mistake is rejected with the field
 * path and the problem; YAML syntax errors carry line and column; the node
 * IP comes from the downward-API variable or fails naming it.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigErrorCode } from "./config-error.js";
import { balancingFor, parseAgentConfig, resolveNodeIp } from "./load-config.js";

function problems(text: string): string[] {
  try {
    parseAgentConfig(text, "lb-agent.yaml");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("accepted");
}

const k8s = `
source:
  kubernetes:
    services:
      - name: shop/web
        vips: [203.0.113.10, "2001:db8::10"]
        ports: [{ name: http, port: 80 }]
      - name: shop/api
        vips: [203.0.113.11]
        ports: [{ port: 443 }]
`;

describe("agent config", () => {
  it("applies defaults and resolves built-ins <- defaults <- per-service overrides", () => {
    const config = parseAgentConfig(
      `${k8s}
defaults:
  schedulerFlags: [mh-port, mh-fallback]
  healthCheck: { type: http, path: /healthz, intervalMs: 1000, timeoutMs: 500 }
services:
  shop/api:
    scheduler: wrr
    schedulerFlags: []
    forwarding: tunnel
    persistence: { timeoutSeconds: 300 }
    healthCheck: null
    minHealthy: 2
nodeIPEnv: NODE_IP
bgp:
  localAS: 64512
  routeReflectors: [{ address: 198.18.0.2, as: 64512 }]
`,
      "lb-agent.yaml",
    );
    expect(config.admin.listen).toEqual({ host: "127.0.0.1", port: 9470 });
    expect(config.metrics).toEqual({ enabled: true, listen: { host: "127.0.0.1", port: 9471 } });
    expect(config.reconcile).toEqual({ debounceMs: 100, backoff: { initialMs: 500, maxMs: 30_000 } });
    expect(config.shutdown.drainMs).toBe(10_000);
    expect(config.vipInterface).toBe("lo");
    expect(config.bgp?.holdTimeSeconds).toBe(90);
    expect(config.bgp?.routeReflectors[0]?.port).toBe(179);
    const b = balancingFor(config);
    expect(b("shop/web")).toMatchObject({
      scheduler: "mh",
      schedulerFlags: ["mh-port", "mh-fallback"],
      forwarding: "masq",
      tunnel: null,
      weight: 1,
      minHealthy: 1,
      healthCheck: { type: "http", path: "/healthz", intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 },
    });
    expect(b("shop/api")).toMatchObject({
      scheduler: "wrr",
      schedulerFlags: [],
      forwarding: "tunnel",
      tunnel: { type: "ipip", port: 0, checksum: "nocsum" },
      persistence: { timeoutSeconds: 300, netmaskPrefix: 32, netmaskPrefix6: 128 },
      healthCheck: null,
      minHealthy: 2,
    });
    expect(resolveNodeIp(config, { NODE_IP: "198.18.0.5" })).toBe("198.18.0.5");
  });

  it("accepts a static source with nothing else", () => {
    const config = parseAgentConfig("source:\n  static: { path: /etc/lb-agent/backends.yaml }\n", "x");
    expect(config.source.static).toEqual({ path: "/etc/lb-agent/backends.yaml", pollIntervalMs: 2000 });
    expect(balancingFor(config)("any/thing").scheduler).toBe("mh");
  });

  it("names the field and the problem of every mistake", () => {
    expect(
      problems(`${k8s}
defaults:
  scheduler: maglev
  weight: 0
  healthCheck: { type: icmp, timeoutMs: 5000, intervalMs: 1000 }
services:
  shop/web: { schedulerFlags: [sh-port], tunnel: { type: ipip } }
  shop/nope: { weight: 2 }
  Bad_Name: {}
admin: { listen: "localhost:80" }
metrics: { listen: "127.0.0.1:99999" }
vipInterface: "eth0 with spaces"
nodeIP: 198.18.0.500
reconcile: { backoff: { initialMs: 1000, maxMs: 10 } }
colour: blue
`),
    ).toEqual([
      "defaults.scheduler: must be one of rr, wrr, lc, wlc, sh, mh",
      "defaults.weight: Too small: expected number to be >=1",
      "defaults.healthCheck.type: must be tcp, http or https",
      "nodeIP: not an IPv4 or IPv6 address",
      "vipInterface: must be a network interface name (at most 15 characters)",
      "admin.listen: must be ip:port, e.g. 127.0.0.1:9470 or [::1]:9470",
      "metrics.listen: must be ip:port, e.g. 127.0.0.1:9470 or [::1]:9470",
      "reconcile.backoff.maxMs: maxMs must not be below initialMs",
      '(root): Unrecognized key: "colour"',
    ]);
    expect(
      problems(`${k8s}
defaults: { scheduler: rr, schedulerFlags: [mh-port] }
services:
  shop/web: { schedulerFlags: [sh-port], tunnel: { type: ipip } }
  shop/nope: { weight: 2 }
  Bad_Name: {}
nodeIP: 198.18.0.5
nodeIPEnv: NODE_IP
`),
    ).toEqual([
      "defaults.schedulerFlags: mh-port is a flag of the mh scheduler, not of rr",
      "services.shop/web.schedulerFlags: sh-port is a flag of the sh scheduler, not of rr",
      "services.shop/web.tunnel: only allowed with forwarding: tunnel",
      "services.shop/nope: not a service of source.kubernetes.services",
      "services.Bad_Name: must be namespace/name (lower-case DNS labels)",
      "nodeIPEnv: give nodeIP or nodeIPEnv, not both",
    ]);
  });

  it("checks the source, the kubernetes services, the bgp section and front-end clashes", () => {
    expect(problems("defaults: {}\n")).toEqual([
      "source: Invalid input: expected object, received undefined",
    ]);
    expect(problems("source: {}\n")).toEqual(["source: exactly one of kubernetes or static is required"]);
    expect(
      problems(`
source:
  kubernetes:
    services:
      - { name: shop/web, vips: [203.0.113.10], ports: [{ port: 80 }] }
      - { name: shop/api, vips: [203.0.113.10, 203.0.113.300], ports: [{ port: 80 }] }
bgp:
  localAS: 0
  holdTimeSeconds: 2
  routeReflectors: []
`),
    ).toEqual([
      "source.kubernetes.services[1].vips[1]: not an IPv4 or IPv6 address",
      "bgp.localAS: must be between 1 and 4294967295",
      "bgp.holdTimeSeconds: must be 0 or at least 3 seconds (RFC 4271 §4.2)",
      "bgp.routeReflectors: at least one route reflector is required",
      "nodeIP: required with bgp (the next hop): set nodeIP or nodeIPEnv",
      "source.kubernetes.services[1].vips: TCP 203.0.113.10:80 is already used by services[0]",
    ]);
    expect(
      problems(`
source:
  kubernetes:
    services:
      - { name: shop/web, vips: [203.0.113.10], ports: [{ port: 80 }] }
      - { name: shop/api, vips: [203.0.113.10], ports: [{ port: 80 }] }
bgp:
  localAS: 64512
  routeReflectors: [{ address: 198.18.0.2, as: 64512 }]
`),
    ).toEqual([
      "nodeIP: required with bgp (the next hop): set nodeIP or nodeIPEnv",
      "source.kubernetes.services[1].vips: TCP 203.0.113.10:80 is already used by services[0]",
    ]);
  });

  it("rejects broken YAML with line and column, and a missing environment variable by name", () => {
    let caught: unknown;
    try {
      parseAgentConfig("source:\n  static: { path: [unclosed\n", "lb-agent.yaml");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe(ConfigErrorCode.Syntax);
    expect((caught as ConfigError).message).toMatch(/^lb-agent\.yaml: not valid YAML: line \d+, column \d+/);

    const config = parseAgentConfig(`${k8s}nodeIPEnv: NODE_IP\n`, "x");
    expect(() => resolveNodeIp(config, {})).toThrow("nodeIPEnv: environment variable NODE_IP is not set");
    expect(() => resolveNodeIp(config, { NODE_IP: "node-1" })).toThrow(
      /NODE_IP is "node-1", not an IP address/,
    );
  });
});
